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
import secrets
import uuid
from typing import Any, Literal

from django.db import connections, models, router, transaction
from django.db.models import sql
from django.utils import timezone

from django_vonage_meetings import rules
from django_vonage_meetings.enums import RecordingStatus, RoomType

from . import delivery, lifecycle
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
    Theme,
)

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
    application, _ = Application.objects.update_or_create(
        application_id=application_id, defaults=defaults
    )
    return application


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


def seed(
    application_id: str, rooms: int, themes: int = 0, *, batch_size: int = 5000
) -> tuple[int, int]:
    """Bulk-create rooms (and themes for some of them) for benchmarks and paging tests.

    Every fourth room is long-term (30 days), the rest instant; rooms take the themes in turn
    (with an unthemed share). All or nothing: one transaction.
    """
    if rooms < 0 or themes < 0 or batch_size < 1:
        raise ValueError("rooms and themes must not be negative, batch_size must be positive")
    application = Application.objects.get(application_id=application_id)
    now = timezone.now()
    suffix = secrets.token_hex(3)
    with transaction.atomic():
        Theme.objects.bulk_create(
            [
                Theme(
                    application=application,
                    theme_name=f"Seeded theme {suffix}-{n}",
                    main_color=f"#{random.randrange(0x1000000):06x}",  # noqa: S311 - test data
                    brand_text=f"Brand {n}",
                    short_company_url=f"seeded-{suffix}-{n}",
                )
                for n in range(themes)
            ],
            batch_size=batch_size,
        )
        # Read the ids back: not every database returns them from a bulk insert.
        theme_ids: list[int | None] = [
            None,
            *Theme.objects.filter(
                application=application, short_company_url__startswith=f"seeded-{suffix}-"
            )
            .order_by("id")
            .values_list("id", flat=True),
        ]
        codes = _free_meeting_codes(rooms)
        long_term_expiry = now + dt.timedelta(days=30, minutes=10)
        instant_expiry = now + dt.timedelta(seconds=rules.INSTANT_ROOM_LIFETIME_SECONDS)
        template = Room(application=application, created_at=now, expires_at=instant_expiry)
        loader = _RowLoader(
            template,
            varying=["room_id", "display_name", "type", "expires_at", "theme", "meeting_code"],
        )
        prepared_expiry = {
            RoomType.LONG_TERM: loader.prepare("expires_at", long_term_expiry),
            RoomType.INSTANT: loader.prepare("expires_at", instant_expiry),
        }
        for first in range(0, rooms, batch_size):
            batch = []
            for n in range(first, min(rooms, first + batch_size)):
                kind = RoomType.LONG_TERM if n % 4 == 0 else RoomType.INSTANT
                batch.append(
                    loader.row(
                        loader.prepare("room_id", uuid.uuid4()),
                        f"Seeded room {n}",
                        kind.value,
                        prepared_expiry[kind],
                        theme_ids[n % len(theme_ids)],
                        codes[n],
                    )
                )
            loader.insert(batch)
    return rooms, len(theme_ids) - 1


def _free_meeting_codes(count: int) -> list[str]:
    """``count`` distinct 9-digit codes no room has yet (random, not guessable in sequence)."""
    used = set(Room.objects.values_list("meeting_code", flat=True))
    draw = random.Random(secrets.randbits(64))  # noqa: S311 - seeded from secrets; test data
    codes: list[str] = []
    taken: set[str] = set()
    while len(codes) < count:
        for number in draw.sample(range(100_000_000, 1_000_000_000), count - len(codes)):
            code = str(number)
            if code not in used and code not in taken:
                taken.add(code)
                codes.append(code)
    return codes


class _RowLoader:
    """Insert many rows of one model with few round trips and little per-row work.

    ``bulk_create`` spends most of its time building a model instance and preparing every
    field of every row: seeding 100,000 rooms that way took ~20 s. Here Django's own insert
    compiler writes the statement from a template row prepared once; each row then only swaps
    in its varying values, prepared by their fields where a backend needs it. Rows go in as
    one ``UNNEST`` statement per chunk where the backend compiles bulk inserts that way
    (PostgreSQL), else through ``executemany`` of the one-row statement (SQLite runs that
    loop in C).
    """

    def __init__(self, template: models.Model, varying: list[str]) -> None:
        model = type(template)
        meta = model._meta
        self.connection = connections[router.db_for_write(model)]
        self.template_object = template
        self.field_list = [f for f in meta.concrete_fields if f is not meta.pk]
        self.fields = {f.name: f for f in self.field_list}
        self.positions = [self.field_list.index(self.fields[name]) for name in varying]
        self.one_row_sql, params = self._compile(1)
        if len(params) != len(self.field_list):
            raise NotImplementedError(f"Unexpected one-row INSERT from {self.connection.vendor}")
        self.template = list(params)
        self._by_column: dict[int, str] = {}
        self.unnest = self._unnest_sql(2) is not None

    def _compile(self, rows: int) -> tuple[str, tuple[Any, ...]]:
        query = sql.InsertQuery(type(self.template_object))
        query.insert_values(self.field_list, [self.template_object] * rows)
        statements = query.get_compiler(connection=self.connection).as_sql()
        if len(statements) != 1:
            raise NotImplementedError(f"{self.connection.vendor} split one INSERT into several")
        statement, params = statements[0]
        return str(statement), tuple(params)

    def _unnest_sql(self, rows: int) -> str | None:
        """The statement taking one array per column for ``rows`` rows, if the backend has one."""
        if rows not in self._by_column:
            statement, params = self._compile(rows)
            columns = len(self.field_list)
            if len(params) != columns or not all(isinstance(p, list) for p in params):
                return None
            self._by_column[rows] = statement
        return self._by_column[rows]

    def prepare(self, name: str, value: Any) -> Any:
        return self.fields[name].get_db_prep_save(value, self.connection)

    def row(self, *varying: Any) -> list[Any]:
        """One row; ``varying`` in the order given to the constructor, already prepared."""
        values = self.template.copy()
        for position, value in zip(self.positions, varying, strict=True):
            values[position] = value
        return values

    def insert(self, rows: list[list[Any]]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            statement = self._unnest_sql(len(rows)) if self.unnest and len(rows) > 1 else None
            if statement is not None:
                cursor.execute(statement, [list(column) for column in zip(*rows, strict=True)])
            else:
                cursor.executemany(self.one_row_sql, rows)


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


def join(room_id: Room | str | uuid.UUID, name: str, host: bool = False) -> Participant:
    """Someone joins (starts a session when none is running). Waiting guests have no session."""
    with transaction.atomic():
        return lifecycle.join(_room(room_id), name, host=host)


def admit(participant_id: Participant | str | uuid.UUID) -> Participant:
    with transaction.atomic():
        return lifecycle.admit(_participant(participant_id), admit=True)


def deny(participant_id: Participant | str | uuid.UUID) -> Participant:
    with transaction.atomic():
        return lifecycle.admit(_participant(participant_id), admit=False)


def leave(participant_id: Participant | str | uuid.UUID) -> Participant:
    with transaction.atomic():
        return lifecycle.leave(_participant(participant_id))


def end_session(session_id: Session | str) -> Session:
    with transaction.atomic():
        return lifecycle.end_session(_session(session_id))


def start_recording(session_id: Session | str) -> Recording:
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=_session(session_id).pk)
        return lifecycle.start_recording(session)


def stop_recording(recording_id: Recording | str | uuid.UUID) -> Recording:
    with transaction.atomic():
        return lifecycle.stop_recording(_recording(recording_id))


def upload_recording(recording_id: Recording | str | uuid.UUID) -> Recording:
    """Finish the upload now instead of after ``RECORDING_UPLOAD_DELAY``."""
    recording = _recording(recording_id)
    with transaction.atomic():
        lifecycle.upload_recording(recording)
    recording.refresh_from_db()
    return recording


def expire_room(room_id: Room | str | uuid.UUID) -> Room:
    """Expire a room now (ends its session; sends room:expired once)."""
    room = _room(room_id)
    with transaction.atomic():
        lifecycle.expire_room(room)
    room.refresh_from_db()
    return room


def tick() -> int:
    """Do what time would do: expire due rooms, finish due uploads, send due callbacks."""
    changed = lifecycle.catch_up()
    delivery.deliver_due()
    return changed


# -- callbacks -------------------------------------------------------------------------------


def deliver_pending(
    order: Literal["fifo", "reverse", "shuffle"] = "fifo", repeat: int = 1
) -> list[CallbackDelivery]:
    """Send every queued callback now, in this thread, and return the delivery records.

    ``order`` delivers the batch out of order and ``repeat`` sends each one several times, so
    receivers' idempotency and ordering guards can be tested.
    """
    pending = list(
        CallbackDelivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
        .select_related("application")
        .order_by("id")
    )
    if order == "reverse":
        pending.reverse()
    elif order == "shuffle":
        random.shuffle(pending)
    sent = []
    for item in pending:
        sent.append(delivery.send(item, claim=False))
        for _ in range(repeat - 1):
            sent.append(delivery.send(item, claim=False))
    return sent


def redeliver(delivery_id: int, times: int = 1) -> list[CallbackDelivery]:
    """Send one callback again (freshly signed), ``times`` times, whatever its status."""
    item = CallbackDelivery.objects.select_related("application").get(pk=delivery_id)
    return [delivery.send(item, claim=False) for _ in range(times)]


def pending_deliveries() -> list[CallbackDelivery]:
    return list(CallbackDelivery.objects.filter(status=DeliveryStatus.PENDING).order_by("id"))
