"""Meetings as they happen: sessions, participants, recordings, expiry, and their callbacks.

Every state change and the callbacks it causes are written in one transaction (the outbox:
``CallbackDelivery`` rows, see ``outbox``), so a callback is sent if and only if the change
happened; delivery happens afterwards (``delivery``). The rules follow the service:

- the first participant let in starts a session (``session:started``); ``auto_record`` rooms
  start recording then;
- ``after_owner_only`` guests wait until a host is in; ``explicit_approval`` guests wait until a
  host admits them;
- the session ends when the last participant leaves or a host ends it; an instant room then lives
  10 more minutes, an ``expire_after_use`` room expires at once;
- recordings go ``started`` -> ``stopped`` (``recording:ended`` with ``duration``) ->
  ``uploaded`` a few seconds later (``recording:uploaded``, plus ``recording:ready`` for
  applications configured for the old name);
- rooms past their expiry expire, once, with ``room:expired``, on the next access or tick.

Refusals (``SimulatorError``) stay in English, as the control API answers them; they are marked
with ``gettext_noop`` so that the meeting page can show them translated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from django_vonage_meetings import rules
from django_vonage_meetings.enums import (
    EventType,
    JoinApprovalLevel,
    RecordingStatus,
    RoomType,
)

from .conf import sim_setting
from .models import (
    Application,
    Participant,
    ParticipantState,
    Recording,
    Room,
    Session,
)
from .outbox import emit
from .wire import iso, recording_download_url


class SimulatorError(Exception):
    """A control was refused (room unavailable, not the host, recording not allowed...)."""


# -- payloads --------------------------------------------------------------------------------


def _origin(application: Application) -> str:
    """Where links in callbacks point: the origin the application last called from (empty, so
    site-relative, for an embedded one without ``WEBHOOK_BASE_URL``)."""
    if application.in_process:
        return application.origin
    return application.origin or "http://localhost"


def _participant_fields(participant: Participant, session: Session) -> dict[str, Any]:
    return {
        "participant_id": str(participant.participant_id),
        "session_id": session.session_id,
        "room_id": str(session.room.room_id),
        "name": participant.name,
        "type": participant.type,
        "is_host": participant.is_host,
    }


def _recording_times(recording: Recording) -> dict[str, Any]:
    return {
        "started_at": iso(recording.started_at),
        "ended_at": iso(recording.ended_at),
        "duration": recording.duration,
    }


# -- rooms -----------------------------------------------------------------------------------


def expire_room(room: Room, now: dt.datetime | None = None) -> bool:
    """Expire a room once: end its session, mark it, send ``room:expired``. False if done."""
    now = now or timezone.now()
    locked = (
        Room.objects.select_for_update(of=("self",)).select_related("application").get(pk=room.pk)
    )
    if locked.expired:
        return False
    running = locked.sessions.filter(ended_at__isnull=True).first()
    if running is not None:
        end_session(running, now)
    locked.expires_at = min(locked.expires_at, now)
    locked.expired = True
    locked.in_session = False
    locked.save(update_fields=["expired", "expires_at", "in_session"])
    emit(
        locked,
        EventType.ROOM_EXPIRED,
        {
            "room_id": str(locked.room_id),
            "room_type": locked.type,
            "expires_at": iso(locked.expires_at),
            "created_at": iso(locked.created_at),
        },
    )
    room.expired = True
    return True


def due_rooms(application: Application | None, now: dt.datetime) -> Any:
    """Rooms whose time has passed; instant rooms in a session stay alive while it runs."""
    rooms = Room.objects.filter(expired=False, expires_at__lte=now).exclude(
        Q(type=RoomType.INSTANT) & Q(in_session=True)
    )
    if application is not None:
        rooms = rooms.filter(application=application)
    return rooms


def catch_up(application: Application | None = None, now: dt.datetime | None = None) -> int:
    """Expire due rooms and finish due uploads; the work of a tick, for one or all apps."""
    now = now or timezone.now()
    changed = 0
    for room in due_rooms(application, now).select_related("application")[:200]:
        with transaction.atomic():
            changed += expire_room(room, now)
    uploads = Recording.objects.filter(
        status=RecordingStatus.STOPPED, upload_due_at__lte=now
    ).select_related("session__room__application")
    if application is not None:
        uploads = uploads.filter(session__room__application=application)
    for recording in uploads[:200]:
        with transaction.atomic():
            changed += upload_recording(recording, now)
    return changed


# -- sessions and participants ---------------------------------------------------------------


def _running_session(room: Room) -> Session | None:
    return room.sessions.filter(ended_at__isnull=True).order_by("-id").first()


def _start_session(room: Room, now: dt.datetime) -> Session:
    session = Session.objects.create(room=room, started_at=now)
    room.in_session = True
    room.save(update_fields=["in_session"])
    emit(
        room,
        EventType.SESSION_STARTED,
        {"session_id": session.session_id, "room_id": str(room.room_id), "started_at": iso(now)},
    )
    if room.auto_record and room.is_recording_available:
        start_recording(session, now, auto=True)
    return session


def _let_in(participant: Participant, room: Room, now: dt.datetime) -> None:
    session = _running_session(room) or _start_session(room, now)
    participant.session = session
    participant.state = ParticipantState.JOINED
    participant.joined_at = now
    participant.save(update_fields=["session", "state", "joined_at"])
    emit(room, EventType.PARTICIPANT_JOINED, _participant_fields(participant, session))


def _host_present(room: Room) -> bool:
    return room.participants.filter(state=ParticipantState.JOINED, is_host=True).exists()


def join(room: Room, name: str, *, host: bool, now: dt.datetime | None = None) -> Participant:
    """A person arrives: in at once, or waiting for the host, as the room's approval level says."""
    now = now or timezone.now()
    room = (
        Room.objects.select_for_update(of=("self",)).select_related("application").get(pk=room.pk)
    )
    if not room.is_available_at(now):
        raise SimulatorError(gettext_noop("This room is no longer available."))
    name = (name or "").strip()[:200] or ("Host" if host else "Guest")
    participant = Participant.objects.create(room=room, name=name, is_host=host)
    level = room.join_approval_level
    waits = not host and (
        level == JoinApprovalLevel.EXPLICIT_APPROVAL
        or (level == JoinApprovalLevel.AFTER_OWNER_ONLY and not _host_present(room))
    )
    if not waits:
        _let_in(participant, room, now)
    if host and level == JoinApprovalLevel.AFTER_OWNER_ONLY:
        for waiting in room.participants.filter(state=ParticipantState.WAITING).order_by("id"):
            _let_in(waiting, room, now)
    return participant


def admit(participant: Participant, *, admit: bool, now: dt.datetime | None = None) -> Participant:
    """A host admits (or denies) a waiting guest of an ``explicit_approval`` room."""
    now = now or timezone.now()
    locked = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("room__application")
        .get(pk=participant.pk)
    )
    if locked.state != ParticipantState.WAITING:
        raise SimulatorError(gettext_noop("This person is not waiting to join."))
    room = (
        Room.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=locked.room_id)
    )
    if not _host_present(room):
        raise SimulatorError(gettext_noop("Only a host in the meeting can admit guests."))
    if admit:
        _let_in(locked, room, now)
    else:
        locked.state = ParticipantState.DENIED
        locked.left_at = now
        locked.save(update_fields=["state", "left_at"])
    return locked


def leave(participant: Participant, now: dt.datetime | None = None) -> Participant:
    """A person leaves; the session ends when nobody is left."""
    now = now or timezone.now()
    locked = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("room__application", "session")
        .get(pk=participant.pk)
    )
    if locked.state == ParticipantState.WAITING:
        locked.state = ParticipantState.LEFT
        locked.left_at = now
        locked.save(update_fields=["state", "left_at"])
        return locked
    if locked.state != ParticipantState.JOINED or locked.session is None:
        return locked
    session = locked.session
    _participant_left(locked, session, now)
    if not session.participants.filter(state=ParticipantState.JOINED).exists():
        end_session(session, now)
    return locked


def _participant_left(participant: Participant, session: Session, now: dt.datetime) -> None:
    participant.state = ParticipantState.LEFT
    participant.left_at = now
    participant.save(update_fields=["state", "left_at"])
    emit(session.room, EventType.PARTICIPANT_LEFT, _participant_fields(participant, session))


def end_session(session: Session, now: dt.datetime | None = None) -> Session:
    """End a session: everyone leaves, recordings stop, the room's expiry rules apply."""
    now = now or timezone.now()
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("room__application")
        .get(pk=session.pk)
    )
    if session.ended_at is not None:
        return session
    room = session.room
    for person in session.participants.filter(state=ParticipantState.JOINED).order_by("id"):
        _participant_left(person, session, now)
    room.participants.filter(state=ParticipantState.WAITING).update(
        state=ParticipantState.LEFT, left_at=now
    )
    for recording in session.recordings.filter(
        status__in=[RecordingStatus.STARTED, RecordingStatus.PAUSED]
    ):
        stop_recording(recording, now, force=True)
    session.ended_at = now
    session.save(update_fields=["ended_at"])
    emit(
        room,
        EventType.SESSION_ENDED,
        {
            "session_id": session.session_id,
            "room_id": str(room.room_id),
            "started_at": iso(session.started_at),
            "ended_at": iso(now),
        },
    )
    room.in_session = False
    fields = ["in_session"]
    if room.type == RoomType.INSTANT and not room.expired:
        room.expires_at = now + dt.timedelta(seconds=rules.INSTANT_ROOM_LIFETIME_SECONDS)
        fields.append("expires_at")
    room.save(update_fields=fields)
    if room.expire_after_use and room.type == RoomType.LONG_TERM and not room.expired:
        expire_room(room, now)
    return session


# -- recordings ------------------------------------------------------------------------------


def start_recording(
    session: Session, now: dt.datetime | None = None, *, auto: bool = False
) -> Recording:
    now = now or timezone.now()
    room = session.room
    if session.ended_at is not None:
        raise SimulatorError(gettext_noop("The session has ended."))
    if not room.is_recording_available:
        raise SimulatorError(gettext_noop("Recording is not available in this room."))
    if session.recordings.filter(
        status__in=[RecordingStatus.STARTED, RecordingStatus.PAUSED]
    ).exists():
        raise SimulatorError(gettext_noop("A recording is already running."))
    recording = Recording.objects.create(session=session, started_at=now)
    emit(
        room,
        EventType.RECORDING_STARTED,
        {"recording_id": str(recording.recording_id), "session_id": session.session_id},
    )
    return recording


def stop_recording(
    recording: Recording, now: dt.datetime | None = None, *, force: bool = False
) -> Recording:
    """Stop a recording; it uploads after ``RECORDING_UPLOAD_DELAY`` seconds."""
    now = now or timezone.now()
    recording = (
        Recording.objects.select_for_update(of=("self",))
        .select_related("session__room__application")
        .get(pk=recording.pk)
    )
    if recording.status not in (RecordingStatus.STARTED, RecordingStatus.PAUSED):
        return recording
    room = recording.session.room
    if room.auto_record and not force:
        raise SimulatorError(
            gettext_noop("Recording cannot be stopped in a room that records automatically.")
        )
    recording.status = RecordingStatus.STOPPED
    recording.ended_at = now
    recording.upload_due_at = now + dt.timedelta(
        seconds=float(sim_setting("RECORDING_UPLOAD_DELAY"))
    )
    recording.save(update_fields=["status", "ended_at", "upload_due_at"])
    emit(
        room,
        EventType.RECORDING_ENDED,
        {
            "recording_id": str(recording.recording_id),
            "session_id": recording.session.session_id,
            **_recording_times(recording),
        },
    )
    return recording


def upload_recording(recording: Recording, now: dt.datetime | None = None) -> bool:
    """Finish the upload now; False when it was already uploaded (or never stopped)."""
    now = now or timezone.now()
    recording = (
        Recording.objects.select_for_update(of=("self",))
        .select_related("session__room__application")
        .get(pk=recording.pk)
    )
    if recording.status != RecordingStatus.STOPPED:
        return False
    recording.status = RecordingStatus.UPLOADED
    recording.uploaded_at = now
    recording.save(update_fields=["status", "uploaded_at"])
    room = recording.session.room
    fields = {
        "recording_id": str(recording.recording_id),
        "session_id": recording.session.session_id,
        "room_id": str(room.room_id),
        **_recording_times(recording),
        "url": recording_download_url(recording, _origin(room.application)),
    }
    emit(room, EventType.RECORDING_UPLOADED, fields)
    if room.application.legacy_recording_ready:
        emit(room, EventType.RECORDING_READY, fields)
    return True
