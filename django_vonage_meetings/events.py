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

from django.db import models, transaction
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

__all__ = ["apply_event", "mark_failed", "process_event", "process_events"]

logger = logging.getLogger("django_vonage_meetings.events")

M = TypeVar("M", bound=models.Model)


@dataclass
class Announcement:
    signal: Signal
    sender: type[models.Model]
    stale: bool
    instances: dict[str, Any] = field(default_factory=dict)


def _insert_missing(model: type[M], vonage_id: str, defaults: dict[str, Any]) -> None:
    """Create the row unless it exists: one ``INSERT ... ON CONFLICT DO NOTHING``.

    Safe when other deliveries insert the same row at the same moment, and one statement
    whether or not the row existed.
    """
    model._default_manager.bulk_create(
        [model(vonage_id=vonage_id, **defaults)], ignore_conflicts=True
    )


def _locked(model: type[M], vonage_id: str, defaults: dict[str, Any], *related: str) -> M:
    """The row for a remote id, created from ``defaults`` if missing, locked until commit."""
    _insert_missing(model, vonage_id, defaults)
    queryset = model._default_manager.select_for_update(of=("self",))
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(vonage_id=vonage_id)


def _save_changes(obj: models.Model, changes: dict[str, Any]) -> None:
    """Write only the fields whose value differs (nothing at all for a row just created)."""
    changed = [name for name, value in changes.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, changes[name])
    if changed:
        obj.save(update_fields=[*changed, "local_updated_at"])


def _ensure_room(room_id: str | None) -> None:
    if room_id:
        _insert_missing(Room, room_id, {"display_name": "", "data": {}})


def _ensure_session(session_id: str, room_id: str | None) -> None:
    _ensure_room(room_id)
    _insert_missing(Session, session_id, {"room_id": room_id, "data": {}})
    if room_id:
        Session.objects.filter(vonage_id=session_id, room_id__isnull=True).update(room_id=room_id)


def _room_of(session: Session) -> Room | None:
    if not session.room_id:
        return None
    # select_related("room") already fetched it; None when the room is not mirrored.
    try:
        return session.room
    except Room.DoesNotExist:
        return None


# -- one handler per event type --------------------------------------------------------------


def _room_expired(event: WebhookEvent, f: dict[str, Any]) -> Announcement:
    room = _locked(
        Room,
        f["room_id"],
        {
            "display_name": "",
            "type": f.get("room_type") or RoomType.INSTANT,
            "created_at": f.get("created_at"),
            "is_available": False,
            "data": {},
        },
    )
    changes: dict[str, Any] = {"is_available": False}
    if f.get("expires_at"):
        changes["expires_at"] = f["expires_at"]
    if room.created_at is None and f.get("created_at"):
        changes["created_at"] = f["created_at"]
    _save_changes(room, changes)
    return Announcement(signals.room_expired, Room, stale=False, instances={"room": room})


def _session(event: WebhookEvent, f: dict[str, Any], *, ended: bool) -> Announcement:
    _ensure_room(f.get("room_id"))
    defaults: dict[str, Any] = {
        "room_id": f.get("room_id"),
        "started_at": f.get("started_at"),
        "data": event.payload,
    }
    if ended:
        defaults["ended_at"] = f.get("ended_at") or event.received_at
    session = _locked(Session, f["session_id"], defaults, "room")
    # An ended session never restarts; a second "ended" changes nothing either.
    stale = session.ended_at is not None and session.data != event.payload
    if not stale:
        changes = {
            "started_at": session.started_at or f.get("started_at"),
            "room_id": session.room_id or f.get("room_id"),
            "data": event.payload,
        }
        if ended:
            changes["ended_at"] = f.get("ended_at") or event.received_at
        _save_changes(session, changes)
    signal = signals.session_ended if ended else signals.session_started
    return Announcement(
        signal, Session, stale=stale, instances={"session": session, "room": _room_of(session)}
    )


def _participant(event: WebhookEvent, f: dict[str, Any], *, joined: bool) -> Announcement:
    _ensure_session(f["session_id"], f.get("room_id"))
    moment = event.received_at
    person = _locked(
        Participant,
        f["participant_id"],
        {
            "session_id": f["session_id"],
            "name": f.get("name") or "",
            "type": f.get("type") or "",
            "is_host": bool(f.get("is_host")),
            "joined_at": moment if joined else None,
            "left_at": None if joined else moment,
            "data": event.payload,
        },
        "session",
    )
    # Callbacks carry no times: joined/left are when they arrived, set once, never undone.
    just_created = person.data == event.payload
    stale = not just_created and (
        person.left_at is not None or (joined and person.joined_at is not None)
    )
    if not stale:
        changes: dict[str, Any] = {
            "name": person.name or f.get("name") or "",
            "type": person.type or f.get("type") or "",
            "is_host": person.is_host or bool(f.get("is_host")),
            "data": event.payload,
        }
        changes["joined_at" if joined else "left_at"] = (
            person.joined_at if joined else person.left_at
        ) or moment
        _save_changes(person, changes)
    elif joined and person.joined_at is None and person.left_at is not None:
        # "joined" arrived after "left": they did join, no later than they left.
        _save_changes(person, {"joined_at": min(moment, person.left_at)})
    signal = signals.participant_joined if joined else signals.participant_left
    return Announcement(
        signal,
        Participant,
        stale=stale,
        instances={"participant": person, "session": person.session},
    )


def _recording(event: WebhookEvent, f: dict[str, Any], status: str) -> Announcement:
    _ensure_session(f["session_id"], f.get("room_id"))
    session = Session.objects.get(vonage_id=f["session_id"])
    values: dict[str, Any] = {"status": status}
    for name in ("started_at", "ended_at", "duration"):
        if f.get(name) is not None:
            values[name] = f[name]
    if f.get("url"):
        values["url"] = f["url"]
    room_id = f.get("room_id") or session.room_id
    recording = _locked(
        Recording,
        f["recording_id"],
        {"session_id": session.vonage_id, "room_id": room_id, "data": event.payload, **values},
    )
    just_created = recording.data == event.payload
    stale = not just_created and recording.status_rank >= RECORDING_STATUS_RANK[status]
    if not stale:
        _save_changes(
            recording,
            {**values, "room_id": recording.room_id or room_id, "data": event.payload},
        )
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
    EventType.SESSION_STARTED.value: lambda e, f: _session(e, f, ended=False),
    EventType.SESSION_ENDED.value: lambda e, f: _session(e, f, ended=True),
    EventType.PARTICIPANT_JOINED.value: lambda e, f: _participant(e, f, joined=True),
    EventType.PARTICIPANT_LEFT.value: lambda e, f: _participant(e, f, joined=False),
    EventType.RECORDING_STARTED.value: lambda e, f: _recording(e, f, RecordingStatus.STARTED),
    EventType.RECORDING_ENDED.value: lambda e, f: _recording(e, f, RecordingStatus.STOPPED),
    EventType.RECORDING_UPLOADED.value: lambda e, f: _recording(e, f, RecordingStatus.UPLOADED),
    EventType.RECORDING_READY.value: lambda e, f: _recording(e, f, RecordingStatus.UPLOADED),
}


# -- processing ------------------------------------------------------------------------------


def apply_event(
    event: WebhookEvent, fields: dict[str, Any] | None = None, *, marked: bool = False
) -> None:
    """Apply an event inside the caller's transaction, send its signal, mark it processed.

    The caller holds the event row (just inserted, or locked with ``select_for_update``).
    ``fields`` are the validated payload when the caller already parsed it; ``marked`` says
    the row was inserted already marked processed (inline: one write fewer per callback; if
    applying fails, the insert rolls back with everything else).
    """
    handler = HANDLERS.get(event.event_type)
    if marked and handler is not None:
        if fields is None:
            fields = parse_payload(event.payload) or {}
        _announce(event, handler(event, fields))
        return
    event.attempts += 1
    event.processed_at = timezone.now()
    if handler is None:
        event.status = WebhookEventStatus.IGNORED
        event.save(update_fields=["status", "processed_at", "attempts"])
        return
    if fields is None:
        fields = parse_payload(event.payload) or {}
    _announce(event, handler(event, fields))
    event.status = WebhookEventStatus.PROCESSED
    event.error = ""
    event.traceback = ""
    event.save(update_fields=["status", "processed_at", "attempts", "error", "traceback"])


def _announce(event: WebhookEvent, announcement: Announcement) -> None:
    announcement.signal.send(
        sender=announcement.sender,
        event=event,
        payload=event.payload,
        stale=announcement.stale,
        **announcement.instances,
    )


def process_event(pk: int) -> WebhookEvent:
    """Apply the stored event ``pk`` once and announce it; re-raise (after recording) on failure."""
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.select_for_update().get(pk=pk)
            if event.status in (WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED):
                return event
            apply_event(event)
    except WebhookEvent.DoesNotExist:
        raise
    except Exception as exc:
        failed = _record_failure(pk, exc)
        signals.webhook_failed.send(sender=WebhookEvent, event=failed, exception=exc)
        raise
    signals.webhook_processed.send(sender=WebhookEvent, event=event)
    return event


def _record_failure(pk: int, exc: Exception) -> WebhookEvent:
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=pk)
        return mark_failed(event, exc)


def mark_failed(event: WebhookEvent, exc: Exception) -> WebhookEvent:
    """Store a failed attempt on the event (error and traceback, never the payload's secrets)."""
    event.status = WebhookEventStatus.FAILED
    event.attempts += 1
    event.error = f"{type(exc).__name__}: {exc}"[:2000]
    event.traceback = "".join(traceback.format_exception(exc))[-20000:]
    event.save()
    logger.error(
        "processing webhook event %s (%s) failed: %s", event.pk, event.event_type, event.error
    )
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
