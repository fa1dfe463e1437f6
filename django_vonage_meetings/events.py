"""Apply one stored callback to the mirror models, then announce it.

:func:`process_event` takes only the event's primary key, so the same code runs inside the
webhook request (``WEBHOOK_PROCESSING = "inline"``) or in a task worker (``"task"``). It is
idempotent: the event row is locked (``select_for_update``) while it is applied, and an event
already processed is left alone, so concurrent deliveries and workers apply it once.

State only moves forward. A recording goes started -> paused -> stopped -> uploaded and never
back; an ended session never restarts; a participant who left does not rejoin by a late
"joined". An event that arrives after a later state changes nothing and is announced with
``stale=True``. Rows an event refers to but the mirror lacks (a session first seen in a
participant event, a room first seen in a session event) are created from the payload, never
by calling the API. Locks are taken in one order (the event, then the one row the event is
about), so concurrent events cannot deadlock.

The event's signal is sent inside the transaction that applied it: if a receiver raises, the
changes roll back, the event is stored as failed with its traceback, ``webhook_failed`` is sent
and the error propagates (the view answers 500, so the sender retries). Receivers should use
``transaction.on_commit`` for side effects such as e-mail.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.dispatch import Signal
from django.utils import timezone

from . import signals
from .enums import EventType, RecordingStatus, RoomType
from .models import (
    RECORDING_STATUS_RANK,
    Participant,
    Recording,
    Room,
    Session,
    WebhookEvent,
    WebhookEventStatus,
)
from .serializers.events import parse_payload

__all__ = ["process_event", "process_events"]

logger = logging.getLogger("django_vonage_meetings.events")

M = TypeVar("M", bound=models.Model)


@dataclass
class Announcement:
    signal: Signal
    sender: type[models.Model]
    stale: bool
    instances: dict[str, Any] = field(default_factory=dict)


def _get_or_create(
    model: type[M], vonage_id: str, defaults: dict[str, Any], *, lock: bool
) -> tuple[M, bool]:
    """Fetch (and lock) a row by remote id, or create it; safe when others do the same."""
    manager = model._default_manager
    queryset = manager.select_for_update() if lock else manager.all()
    found = queryset.filter(vonage_id=vonage_id).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return manager.create(vonage_id=vonage_id, **defaults), True
    except IntegrityError:
        # Another delivery created it between our read and our insert.
        return queryset.get(vonage_id=vonage_id), False


def _ensure_room(room_id: str | None) -> None:
    if room_id:
        _get_or_create(Room, room_id, {"display_name": "", "data": {}}, lock=False)


def _ensure_session(session_id: str, room_id: str | None) -> Session:
    if room_id:
        _ensure_room(room_id)
    session, _ = _get_or_create(Session, session_id, {"room_id": room_id, "data": {}}, lock=False)
    if room_id and session.room_id is None:
        Session.objects.filter(pk=session.pk, room_id__isnull=True).update(room_id=room_id)
        session.room_id = room_id
    return session


def _room_of(session: Session) -> Room | None:
    return Room.objects.filter(vonage_id=session.room_id).first() if session.room_id else None


# -- one handler per event type --------------------------------------------------------------


def _room_expired(event: WebhookEvent, f: dict[str, Any]) -> Announcement:
    room, _ = _get_or_create(
        Room,
        f["room_id"],
        {
            "display_name": "",
            "type": f.get("room_type") or RoomType.INSTANT,
            "created_at": f.get("created_at"),
            "data": {},
        },
        lock=True,
    )
    room.is_available = False
    if f.get("expires_at"):
        room.expires_at = f["expires_at"]
    if room.created_at is None and f.get("created_at"):
        room.created_at = f["created_at"]
    room.save(update_fields=["is_available", "expires_at", "created_at", "local_updated_at"])
    return Announcement(signals.room_expired, Room, stale=False, instances={"room": room})


def _session_started(event: WebhookEvent, f: dict[str, Any]) -> Announcement:
    _ensure_room(f.get("room_id"))
    session, created = _get_or_create(
        Session,
        f["session_id"],
        {"room_id": f.get("room_id"), "started_at": f.get("started_at"), "data": event.payload},
        lock=True,
    )
    stale = not created and session.ended_at is not None
    if not created and not stale:
        session.started_at = session.started_at or f.get("started_at")
        session.room_id = session.room_id or f.get("room_id")
        session.data = event.payload
        session.save()
    return Announcement(
        signals.session_started,
        Session,
        stale=stale,
        instances={"session": session, "room": _room_of(session)},
    )


def _session_ended(event: WebhookEvent, f: dict[str, Any]) -> Announcement:
    _ensure_room(f.get("room_id"))
    session, created = _get_or_create(
        Session,
        f["session_id"],
        {
            "room_id": f.get("room_id"),
            "started_at": f.get("started_at"),
            "ended_at": f.get("ended_at") or event.received_at,
            "data": event.payload,
        },
        lock=True,
    )
    stale = not created and session.ended_at is not None
    if not created and not stale:
        session.ended_at = f.get("ended_at") or event.received_at
        session.started_at = session.started_at or f.get("started_at")
        session.room_id = session.room_id or f.get("room_id")
        session.data = event.payload
        session.save()
    return Announcement(
        signals.session_ended,
        Session,
        stale=stale,
        instances={"session": session, "room": _room_of(session)},
    )


def _participant(event: WebhookEvent, f: dict[str, Any], *, joined: bool) -> Announcement:
    session = _ensure_session(f["session_id"], f.get("room_id"))
    moment = event.received_at
    person, created = _get_or_create(
        Participant,
        f["participant_id"],
        {
            "session_id": session.vonage_id,
            "name": f.get("name") or "",
            "type": f.get("type") or "",
            "is_host": bool(f.get("is_host")),
            "joined_at": moment if joined else None,
            "left_at": None if joined else moment,
            "data": event.payload,
        },
        lock=True,
    )
    stale = False
    if not created:
        # Callbacks carry no times: joined/left are when they arrived, set once, never undone.
        stale = person.left_at is not None or (joined and person.joined_at is not None)
        if not stale:
            if joined:
                person.joined_at = moment
            else:
                person.left_at = moment
            person.name = person.name or f.get("name") or ""
            person.type = person.type or f.get("type") or ""
            person.is_host = person.is_host or bool(f.get("is_host"))
            person.data = event.payload
            person.save()
        elif joined and person.joined_at is None and person.left_at is not None:
            # "joined" arrived after "left": they did join, no later than they left.
            person.joined_at = min(moment, person.left_at)
            person.save(update_fields=["joined_at", "local_updated_at"])
    signal = signals.participant_joined if joined else signals.participant_left
    return Announcement(
        signal, Participant, stale=stale, instances={"participant": person, "session": session}
    )


def _recording(event: WebhookEvent, f: dict[str, Any], status: str) -> Announcement:
    session = _ensure_session(f["session_id"], f.get("room_id"))
    values: dict[str, Any] = {"status": status}
    for name in ("started_at", "ended_at", "duration"):
        if f.get(name) is not None:
            values[name] = f[name]
    if f.get("url"):
        values["url"] = f["url"]
    room_id = f.get("room_id") or session.room_id
    recording, created = _get_or_create(
        Recording,
        f["recording_id"],
        {"session_id": session.vonage_id, "room_id": room_id, "data": event.payload, **values},
        lock=True,
    )
    stale = False
    if not created:
        stale = recording.status_rank >= RECORDING_STATUS_RANK[status]
        if not stale:
            for name, value in values.items():
                setattr(recording, name, value)
            recording.room_id = recording.room_id or room_id
            recording.data = event.payload
            recording.save()
    signal = {
        RecordingStatus.STARTED: signals.recording_started,
        RecordingStatus.STOPPED: signals.recording_ended,
        RecordingStatus.UPLOADED: signals.recording_uploaded,
    }[RecordingStatus(status)]
    return Announcement(
        signal, Recording, stale=stale, instances={"recording": recording, "session": session}
    )


Handler = Callable[[WebhookEvent, dict[str, Any]], Announcement]

HANDLERS: dict[str, Handler] = {
    EventType.ROOM_EXPIRED.value: _room_expired,
    EventType.SESSION_STARTED.value: _session_started,
    EventType.SESSION_ENDED.value: _session_ended,
    EventType.PARTICIPANT_JOINED.value: lambda e, f: _participant(e, f, joined=True),
    EventType.PARTICIPANT_LEFT.value: lambda e, f: _participant(e, f, joined=False),
    EventType.RECORDING_STARTED.value: lambda e, f: _recording(e, f, RecordingStatus.STARTED),
    EventType.RECORDING_ENDED.value: lambda e, f: _recording(e, f, RecordingStatus.STOPPED),
    EventType.RECORDING_UPLOADED.value: lambda e, f: _recording(e, f, RecordingStatus.UPLOADED),
    EventType.RECORDING_READY.value: lambda e, f: _recording(e, f, RecordingStatus.UPLOADED),
}


# -- processing ------------------------------------------------------------------------------


def process_event(pk: int) -> WebhookEvent:
    """Apply the stored event ``pk`` once and announce it; re-raise (after recording) on failure."""
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.select_for_update().get(pk=pk)
            if event.status in (WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED):
                return event
            handler = HANDLERS.get(event.event_type)
            event.attempts += 1
            if handler is None:
                event.status = WebhookEventStatus.IGNORED
                event.processed_at = timezone.now()
                event.save(update_fields=["status", "processed_at", "attempts"])
                return event
            fields = parse_payload(event.payload) or {}
            announcement = handler(event, fields)
            announcement.signal.send(
                sender=announcement.sender,
                event=event,
                payload=event.payload,
                stale=announcement.stale,
                **announcement.instances,
            )
            event.status = WebhookEventStatus.PROCESSED
            event.processed_at = timezone.now()
            event.error = ""
            event.traceback = ""
            event.save(update_fields=["status", "processed_at", "attempts", "error", "traceback"])
    except WebhookEvent.DoesNotExist:
        raise
    except Exception as exc:
        failed = _record_failure(pk, exc)
        signals.webhook_failed.send(sender=WebhookEvent, event=failed, exception=exc)
        raise
    signals.webhook_processed.send(sender=WebhookEvent, event=event)
    return event


def _record_failure(pk: int, exc: Exception) -> WebhookEvent:
    trace = "".join(traceback.format_exception(exc))
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=pk)
        event.status = WebhookEventStatus.FAILED
        event.attempts += 1
        event.error = f"{type(exc).__name__}: {exc}"[:2000]
        event.traceback = trace[-20000:]
        event.save(update_fields=["status", "attempts", "error", "traceback"])
    logger.error("processing webhook event %s (%s) failed: %s", pk, event.event_type, event.error)
    return event


@dataclass
class BatchResult:
    processed: int = 0
    failed: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)


def process_events(queryset: models.QuerySet[WebhookEvent]) -> BatchResult:
    """Process many stored events in order of arrival; failures are recorded and counted."""
    result = BatchResult()
    for pk in queryset.order_by("received_at", "id").values_list("pk", flat=True):
        try:
            process_event(pk)
        except Exception as exc:  # recorded on the event by process_event
            result.failed += 1
            result.failures.append((pk, f"{type(exc).__name__}: {exc}"))
        else:
            result.processed += 1
    return result
