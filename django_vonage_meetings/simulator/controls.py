"""Plain functions that drive the simulator, for tests, scripts and benchmarks.

The control endpoint and the meeting page call these same functions. Each returns what it
made or changed. Ids are the public ones (room and recording UUIDs, session ids, participant
UUIDs); model instances are accepted too.

A scripted meeting::

    from django_vonage_meetings.simulator import controls

    host = controls.join(room_id, "Ada", host=True)     # session:started, participant joined
    guest = controls.join(room_id, "Grace")
    rec = controls.start_recording(host.session.session_id)
    controls.stop_recording(rec.recording_id)           # recording:ended
    controls.upload_recording(rec.recording_id)         # recording:uploaded, without waiting
    controls.end_session(host.session.session_id)       # everyone leaves, session:ended
    controls.deliver_pending()                          # send the callbacks now
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from django_vonage_meetings.enums import RecordingStatus

from . import delivery, lifecycle
from .conf import sim_setting
from .egress import EgressRefused, check_target
from .embedded import callbacks
from .faults import clean_faults
from .ids import lookup_uuid
from .lifecycle import SimulatorError
from .models import (
    Application,
    CallbackDelivery,
    DeliveryStatus,
    Participant,
    Recording,
    Room,
    Session,
    StoredObject,
)
from .seeding import seed

__all__ = [
    "SimulatorError",
    "admit",
    "create_recording",
    "deliver_pending",
    "deny",
    "end_session",
    "expire_room",
    "join",
    "leave",
    "redeliver",
    "register_application",
    "reset",
    "seed",
    "set_faults",
    "start_recording",
    "stop_recording",
    "tick",
    "upload_recording",
]


def _room(room: Room | str | uuid.UUID) -> Room:
    if isinstance(room, Room):
        return room
    found = Room.objects.filter(room_id=lookup_uuid(room)).select_related("application").first()
    if found is None:
        raise SimulatorError(f"No room {room}.")
    return found


def _session(session: Session | str) -> Session:
    if isinstance(session, Session):
        return session
    found = Session.objects.filter(session_id=session).select_related("room__application").first()
    if found is None:
        raise SimulatorError(f"No session {session}.")
    return found


def _participant(participant: Participant | str | uuid.UUID) -> Participant:
    if isinstance(participant, Participant):
        return participant
    found = Participant.objects.filter(participant_id=lookup_uuid(participant)).first()
    if found is None:
        raise SimulatorError(f"No participant {participant}.")
    return found


def _recording(recording: Recording | str | uuid.UUID) -> Recording:
    if isinstance(recording, Recording):
        return recording
    found = Recording.objects.filter(recording_id=lookup_uuid(recording)).first()
    if found is None:
        raise SimulatorError(f"No recording {recording}.")
    return found


# -- applications and data -------------------------------------------------------------------


def register_application(
    application_id: str,
    public_key_pem: str,
    signature_secret: str | None = None,
    callback_url: str | None = None,
    **fields: Any,
) -> Application:
    """Register (or update) an application whose JWTs the simulator will accept."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        load_pem_public_key(public_key_pem.encode())
    except ValueError as exc:
        raise SimulatorError("The public key is not a PEM public key.") from exc
    defaults: dict[str, Any] = {"public_key": public_key_pem, **fields}
    if signature_secret is not None:
        defaults["signature_secret"] = signature_secret
    if callback_url is not None:
        defaults["callback_url"] = callback_url
    for name in ("callback_url", "rooms_callback_url", "sessions_callback_url"):
        _check_target(name, defaults.get(name))
    _check_target("recordings_callback_url", defaults.get("recordings_callback_url"))
    application, _ = Application.objects.update_or_create(
        application_id=application_id, defaults=defaults
    )
    return application


def _check_target(name: str, url: Any) -> None:
    if url:
        try:
            check_target(str(url))
        except EgressRefused as exc:
            raise SimulatorError(f"{name}: {exc}") from None


def _application(application: Application | str | None) -> Application | None:
    if application is None or isinstance(application, Application):
        return application
    found = Application.objects.filter(application_id=application).first()
    if found is None:
        raise SimulatorError(f"No application {application}.")
    return found


def set_faults(application_id: str, **faults: Any) -> Application:
    """Replace an application's fault injection (see ``faults.py``); no arguments clears it.

    Raises :class:`~.faults.FaultsError` (a ``ValueError``) for settings that make no sense,
    before anything is stored.
    """
    cleaned = clean_faults(faults)
    application = Application.objects.get(application_id=application_id)
    application.faults = cleaned
    application.save(update_fields=["faults"])
    return application


def reset(application_id: str | None = None) -> int:
    """Delete every room, theme, session and callback of one application (or of all)."""
    applications = Application.objects.all()
    if application_id is not None:
        applications = applications.filter(application_id=application_id)
    count = 0
    with transaction.atomic():
        for application in applications:
            application.default_theme = None
            application.faults = {}
            application.save(update_fields=["default_theme", "faults"])
            count += application.rooms.count() + application.themes.count()
            application.deliveries.all().delete()
            application.rooms.all().delete()
            application.themes.all().delete()
            StoredObject.objects.filter(application=application).delete()
    return count


def create_recording(room_id: Room | str, status: str = RecordingStatus.UPLOADED) -> Recording:
    """Put a finished session with one recording straight into the database (no callbacks)."""
    room = _room(room_id)
    now = timezone.now()
    session = Session.objects.create(
        room=room, started_at=now - dt.timedelta(minutes=5), ended_at=now
    )
    return Recording.objects.create(
        session=session,
        status=status,
        started_at=now - dt.timedelta(minutes=4),
        ended_at=None if status == RecordingStatus.STARTED else now - dt.timedelta(minutes=1),
        uploaded_at=now if status == RecordingStatus.UPLOADED else None,
    )


# -- meetings --------------------------------------------------------------------------------


@contextmanager
def _change() -> Iterator[None]:
    """One control's transaction; then the callbacks it queued for embedded applications go
    out at once (``on_commit`` never fires inside a test's transaction)."""
    with transaction.atomic():
        yield
    callbacks.flush()


def join(room_id: Room | str | uuid.UUID, name: str, host: bool = False) -> Participant:
    """Someone joins (starts a session when none is running). Waiting guests have no session."""
    with _change():
        return lifecycle.join(_room(room_id), name, host=host)


def admit(participant_id: Participant | str | uuid.UUID) -> Participant:
    with _change():
        return lifecycle.admit(_participant(participant_id), admit=True)


def deny(participant_id: Participant | str | uuid.UUID) -> Participant:
    with _change():
        return lifecycle.admit(_participant(participant_id), admit=False)


def leave(participant_id: Participant | str | uuid.UUID) -> Participant:
    with _change():
        return lifecycle.leave(_participant(participant_id))


def end_session(session_id: Session | str) -> Session:
    with _change():
        return lifecycle.end_session(_session(session_id))


def start_recording(session_id: Session | str) -> Recording:
    with _change():
        session = Session.objects.select_for_update().get(pk=_session(session_id).pk)
        return lifecycle.start_recording(session)


def stop_recording(recording_id: Recording | str | uuid.UUID) -> Recording:
    with _change():
        return lifecycle.stop_recording(_recording(recording_id))


def upload_recording(recording_id: Recording | str | uuid.UUID) -> Recording:
    """Finish the upload now instead of after ``RECORDING_UPLOAD_DELAY``."""
    recording = _recording(recording_id)
    with _change():
        lifecycle.upload_recording(recording)
    recording.refresh_from_db()
    return recording


def expire_room(room_id: Room | str | uuid.UUID) -> Room:
    """Expire a room now (ends its session; sends room:expired once)."""
    room = _room(room_id)
    with _change():
        lifecycle.expire_room(room)
    room.refresh_from_db()
    return room


def tick(application: Application | str | None = None) -> int:
    """Do what time would do: expire due rooms, finish due uploads, send due callbacks (of one
    application, or of all)."""
    app = _application(application)
    changed = lifecycle.catch_up(app)
    delivery.deliver_due(application=app)
    callbacks.flush()
    return changed


# -- callbacks -------------------------------------------------------------------------------


def deliver_pending(
    order: Literal["fifo", "reverse", "shuffle"] = "fifo",
    repeat: int = 1,
    application: Application | str | None = None,
) -> list[CallbackDelivery]:
    """Send every queued callback now (of one application, or of all), in this thread, and
    return the delivery records.

    Each is sent once even while the worker thread or another process delivers too: a
    callback another sender is sending is waited for, not sent again. ``order`` delivers the
    batch out of order and ``repeat`` sends each one several times on purpose, so receivers'
    idempotency and ordering guards can be tested.
    """
    queued = CallbackDelivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SENDING]
    )
    app = _application(application)
    if app is not None:
        queued = queued.filter(application=app)
    pending = list(queued.select_related("application").order_by("id"))
    if order == "reverse":
        pending.reverse()
    elif order == "shuffle":
        random.shuffle(pending)
    sent = []
    for item in pending:
        done = delivery.attempt(item) if delivery.claim(item) else _settled(item)
        sent.append(done)
        for _ in range(repeat - 1):
            sent.append(delivery.send(done, claim_it=False))
    return sent


def _settled(item: CallbackDelivery) -> CallbackDelivery:
    """Wait (a bounded while) for another sender's attempt to end."""
    deadline = time.monotonic() + float(sim_setting("CALLBACK_TIMEOUT")) + 2
    item.refresh_from_db()
    while item.status == DeliveryStatus.SENDING and time.monotonic() < deadline:
        time.sleep(0.02)
        item.refresh_from_db()
    return item


def redeliver(delivery_id: int, times: int = 1) -> list[CallbackDelivery]:
    """Send one callback again (freshly signed), ``times`` times, whatever its status."""
    item = CallbackDelivery.objects.select_related("application").get(pk=delivery_id)
    return [delivery.send(item, claim_it=False) for _ in range(times)]


def pending_deliveries() -> list[CallbackDelivery]:
    return list(CallbackDelivery.objects.filter(status=DeliveryStatus.PENDING).order_by("id"))
