"""Apply one stored callback to the mirror models, then announce it.

Applying and announcing happen in one transaction, with the rows the event changes locked.
Receivers therefore see the event's changes, and their own writes commit or roll back with
them; a process that dies before the commit leaves nothing half done, and the sender's retry
applies and announces the event afresh. :func:`process_event` takes only the event's primary
key, so the same code runs in the webhook request (``WEBHOOK_PROCESSING = "inline"``, where the
view applies the event in the transaction that stores it) and in a task worker (``"task"``).

State only moves forward. A recording goes started -> paused -> stopped -> uploaded and never
back; an ended session never restarts; a participant who left does not rejoin by a late
"joined". An event that arrives after a later state changes nothing and is announced with
``stale=True``. Rows an event refers to but the mirror lacks (a session first seen in a
participant event, a room first seen in a session event) are created from the payload, never
by calling the API. Locks are taken in one order (the event, the room, the session, then the
participant or recording), so concurrent events cannot deadlock. Parents are ensured only
before a row is inserted; an event about a participant or recording the mirror has does not
touch its session at all (one statement fewer on the common path), and never writes a parent
while it holds the child's lock.

A row's ``data`` holds the payload of the last event applied to it. Applying that same event
again (after a receiver failed, say) therefore finds its own payload there and is announced as
not stale: the receivers that failed get their second chance at the same transition.

If a receiver raises, the event's changes and every receiver's database writes roll back (and
their ``transaction.on_commit`` callbacks never run), the event is stored as failed with its
traceback, ``webhook_failed`` is sent and the error propagates (the view answers 500, so the
sender retries; the retry applies and announces it again). Receivers should put side effects
such as e-mail in ``transaction.on_commit``.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from . import rows, signals
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

__all__ = [
    "Change",
    "announce",
    "apply_event",
    "mark_failed",
    "process_event",
    "process_events",
    "process_received",
    "record_failure",
]

logger = logging.getLogger("django_vonage_meetings.events")

M = TypeVar("M", bound=models.Model)

#: Statuses after which an event is never applied again.
DONE = (WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED)


@dataclass
class Change:
    """What applying an event did, for its announcement."""

    signal: Signal
    sender: type[models.Model]
    stale: bool
    #: Instances the event wrote (as committed).
    instances: dict[str, models.Model]
    #: Instances the signal also carries, loaded after the commit (only when someone listens):
    #: kwarg name -> (model, remote id or None).
    related: dict[str, tuple[type[models.Model], str | None]] = field(default_factory=dict)


def _upsert(
    model: type[M],
    vonage_id: str,
    defaults: dict[str, Any],
    *,
    likely_new: bool,
    parents: Callable[[], dict[str, Any]] | None = None,
) -> tuple[M, bool]:
    """The row for a remote id, created from ``defaults`` if missing, locked until commit.

    Returns the instance and whether it was created (then it is exactly ``defaults``).
    ``likely_new`` says which statement to try first: an insert for the events that usually
    bring a row (a session starting, someone joining), a locked read for those that usually
    find one (an end, a leave, an upload); a wrong guess costs one statement. ``parents`` runs
    only before an insert: it ensures the rows the new one refers to and returns more defaults,
    so an event about a row the mirror has pays nothing for its parents.
    """
    obj: M | None = None
    for _attempt in range(3):
        if not likely_new:
            found = rows.select(model, "vonage_id", vonage_id, lock=True)
            if found is not None:
                return found, False
        if obj is None:
            extra = parents() if parents is not None else {}
            obj = model(vonage_id=vonage_id, **defaults, **extra)
        if rows.insert(obj, unique="vonage_id"):
            return obj, True
        likely_new = False
    # Inserted by another transaction and deleted again, three times over: give up loudly.
    raise RuntimeError(f"{model.__name__} {vonage_id!r} keeps disappearing")


def _save_changes(obj: models.Model, changes: dict[str, Any]) -> None:
    """Write only the fields whose value differs."""
    changed = [name for name, value in changes.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, changes[name])
    if changed:
        rows.update(obj, [*changed, "local_updated_at"])


def _ensure_room(room_id: str | None) -> None:
    # One statement whether or not the room is mirrored (ON CONFLICT DO NOTHING).
    if room_id:
        rows.insert(Room(vonage_id=room_id, display_name="", data={}), unique="vonage_id")


def _ensure_session(session_id: str, room_id: str | None) -> tuple[bool, str | None]:
    """Create a stub session (and room) unless mirrored.

    Returns whether the session was created and its room id (the payload's, else the one the
    mirror knows). A mirrored session that knows its room costs one read and nothing more.
    """
    known = rows.select(Session, "vonage_id", session_id)
    if known is None:
        _ensure_room(room_id)
        if rows.insert(Session(vonage_id=session_id, room_id=room_id, data={}), unique="vonage_id"):
            return True, room_id
        # Another delivery stored it a moment ago.
        known = rows.select(Session, "vonage_id", session_id)
    mirrored = known.room_id if known is not None else None
    if room_id and not mirrored:
        _ensure_room(room_id)
        rows.fill_null(Session, "vonage_id", session_id, "room_id", room_id)
    return False, room_id or mirrored


def _known_room(session_id: str) -> str | None:
    """The room of a mirrored session, for a recording that lacks its room.

    A plain read: the caller holds the recording's lock, and locking the session now would
    take locks out of order.
    """
    session = rows.select(Session, "vonage_id", session_id)
    return session.room_id if session is not None else None


# -- one handler per event type --------------------------------------------------------------


def _room_expired(event: WebhookEvent, f: dict[str, Any]) -> Change:
    room, created = _upsert(
        Room,
        f["room_id"],
        {
            "display_name": "",
            "type": f.get("room_type") or RoomType.INSTANT,
            "created_at": f.get("created_at"),
            "expires_at": f.get("expires_at"),
            "is_available": False,
            "data": {},
        },
        likely_new=False,
    )
    if not created:
        changes: dict[str, Any] = {"is_available": False}
        if f.get("expires_at"):
            changes["expires_at"] = f["expires_at"]
        if room.created_at is None and f.get("created_at"):
            changes["created_at"] = f["created_at"]
        _save_changes(room, changes)
    return Change(signals.room_expired, Room, stale=False, instances={"room": room})


def _session(event: WebhookEvent, f: dict[str, Any], *, ended: bool) -> Change:
    room_id = f.get("room_id")
    _ensure_room(room_id)
    ended_at = (f.get("ended_at") or event.received_at) if ended else None
    session, created = _upsert(
        Session,
        f["session_id"],
        {
            "room_id": room_id,
            "started_at": f.get("started_at"),
            "ended_at": ended_at,
            "data": event.payload,
        },
        likely_new=not ended,
    )
    # An ended session never restarts; another "ended" changes nothing either.
    stale = not created and session.ended_at is not None and session.data != event.payload
    if not created and not stale:
        changes = {
            "started_at": session.started_at or f.get("started_at"),
            "room_id": session.room_id or room_id,
            "data": event.payload,
        }
        if ended:
            changes["ended_at"] = ended_at
        _save_changes(session, changes)
    return Change(
        signals.session_ended if ended else signals.session_started,
        Session,
        stale=stale,
        instances={"session": session},
        related={"room": (Room, session.room_id)},
    )


def _participant(event: WebhookEvent, f: dict[str, Any], *, joined: bool) -> Change:
    def session() -> dict[str, Any]:
        _ensure_session(f["session_id"], f.get("room_id"))
        return {}

    # Callbacks carry no times: joined/left are when they arrived, set once, never undone.
    moment = event.received_at
    person, created = _upsert(
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
        likely_new=joined,
        parents=session,
    )
    applied_before = created or person.data == event.payload
    stale = not applied_before and (
        person.left_at is not None or (joined and person.joined_at is not None)
    )
    if not created and not stale:
        changes: dict[str, Any] = {
            "name": person.name or f.get("name") or "",
            "type": person.type or f.get("type") or "",
            "is_host": person.is_host or bool(f.get("is_host")),
            "data": event.payload,
        }
        if joined:
            changes["joined_at"] = person.joined_at or moment
        else:
            changes["left_at"] = person.left_at or moment
        _save_changes(person, changes)
    elif joined and person.joined_at is None and person.left_at is not None:
        # "joined" arrived after "left": they did join, no later than they left.
        _save_changes(person, {"joined_at": min(moment, person.left_at)})
    return Change(
        signals.participant_joined if joined else signals.participant_left,
        Participant,
        stale=stale,
        instances={"participant": person},
        related={"session": (Session, person.session_id)},
    )


def _recording(event: WebhookEvent, f: dict[str, Any], status: str) -> Change:
    session_id: str = f["session_id"]

    def session() -> dict[str, Any]:
        # recording:started/ended carry no room_id; the session may know it.
        _created, room_id = _ensure_session(session_id, f.get("room_id"))
        return {"room_id": room_id}

    values: dict[str, Any] = {"status": status}
    for name in ("started_at", "ended_at", "duration"):
        if f.get(name) is not None:
            values[name] = f[name]
    if f.get("url"):
        values["url"] = f["url"]
    # Only recording:uploaded names the room. It may be news to the mirror, so its parents
    # are ensured first, as for a new row (one lock order); the other events name none, and
    # touch the session only to create the recording.
    upfront = session() if f.get("room_id") else {}
    recording, created = _upsert(
        Recording,
        f["recording_id"],
        {"session_id": session_id, "data": event.payload, **values, **upfront},
        likely_new=status == RecordingStatus.STARTED,
        parents=None if upfront else session,
    )
    # Strictly later only: a recording a sync already saw as uploaded still gets its
    # "uploaded" announced once, as a transition, when the callback arrives.
    stale = (
        not created
        and recording.data != event.payload
        and recording.status_rank > RECORDING_STATUS_RANK[status]
    )
    if not created and not stale:
        changes = {**values, "data": event.payload}
        if recording.room_id is None:
            changes["room_id"] = upfront.get("room_id") or _known_room(session_id)
        _save_changes(recording, changes)
    return Change(
        {
            RecordingStatus.STARTED: signals.recording_started,
            RecordingStatus.STOPPED: signals.recording_ended,
            RecordingStatus.UPLOADED: signals.recording_uploaded,
        }[RecordingStatus(status)],
        Recording,
        stale=stale,
        instances={"recording": recording},
        related={"session": (Session, recording.session_id)},
    )


Handler = Callable[[WebhookEvent, dict[str, Any]], Change]

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


# -- applying and announcing -----------------------------------------------------------------


def apply_event(event: WebhookEvent, fields: dict[str, Any] | None = None) -> Change | None:
    """Apply an event to the models inside the caller's transaction; None for unknown types.

    The caller holds the event row (just inserted, or locked) and records the outcome on it.
    ``fields`` are the validated payload when the caller already parsed it.
    """
    handler = HANDLERS.get(event.event_type)
    if handler is None:
        return None
    if fields is None:
        fields = parse_payload(event.payload) or {}
    return handler(event, fields)


def mark_processed(event: WebhookEvent, change: Change | None) -> list[str]:
    """Record a successful attempt on the instance; returns the fields to write."""
    event.status = WebhookEventStatus.PROCESSED if change else WebhookEventStatus.IGNORED
    event.attempts += 1
    event.processed_at = timezone.now()
    event.error = ""
    event.traceback = ""
    return ["status", "attempts", "processed_at", "error", "traceback"]


def announce(event: WebhookEvent, change: Change | None, *, received: bool) -> None:
    """Send the event's signals, inside the transaction that applied it.

    ``received`` sends ``webhook_received`` first (a callback stored for the first time). The
    event's own signal and ``webhook_processed`` follow when ``change`` says it was applied.
    Nothing is loaded when nobody listens.
    """
    if not _listening(change, received=received):
        return
    if received:
        signals.webhook_received.send(sender=WebhookEvent, event=event)
    if change is None:
        return
    instances: dict[str, models.Model | None] = dict(change.instances)
    for name, (model, vonage_id) in change.related.items():
        instances[name] = rows.select(model, "vonage_id", vonage_id) if vonage_id else None
    change.signal.send(
        sender=change.sender,
        event=event,
        payload=event.payload,
        stale=change.stale,
        **instances,
    )
    signals.webhook_processed.send(sender=WebhookEvent, event=event)


def _listening(change: Change | None, *, received: bool) -> bool:
    if received and signals.webhook_received.has_listeners(WebhookEvent):
        return True
    if change is None:
        return False
    return change.signal.has_listeners(change.sender) or signals.webhook_processed.has_listeners(
        WebhookEvent
    )


def process_event(pk: int) -> WebhookEvent:
    """Apply the stored event ``pk`` once and announce it; re-raise (after recording) on failure."""
    try:
        with transaction.atomic():
            event = rows.select(WebhookEvent, "id", pk, lock=True)
            if event is None:
                raise WebhookEvent.DoesNotExist(f"No webhook event {pk}")
            if event.status in DONE:
                return event
            change = apply_event(event)
            rows.update(event, mark_processed(event, change))
            # An unknown type's only signal is webhook_received: resend it, as what failed
            # before can only have been a receiver of it.
            announce(event, change, received=change is None)
    except WebhookEvent.DoesNotExist:
        raise
    except Exception as exc:
        failed = record_failure(pk, exc, attempt=True)
        signals.webhook_failed.send(sender=WebhookEvent, event=failed, exception=exc)
        raise
    return event


def record_failure(pk: int, exc: BaseException, *, attempt: bool) -> WebhookEvent:
    """Store a failure on event ``pk`` in a transaction of its own.

    ``attempt`` counts a processing attempt that rolled back; a receiver failing after the
    event was applied (and counted) does not count again.
    """
    with transaction.atomic():
        event = rows.select(WebhookEvent, "id", pk, lock=True)
        if event is None:
            raise WebhookEvent.DoesNotExist(f"No webhook event {pk}")
        rows.update(event, mark_failed(event, exc, attempt=attempt))
    logger.error(
        "processing webhook event %s (%s) failed: %s", event.pk, event.event_type, event.error
    )
    return event


def mark_failed(event: WebhookEvent, exc: BaseException, *, attempt: bool = True) -> list[str]:
    """Record a failure on the instance (error and traceback); returns the fields to write."""
    event.status = WebhookEventStatus.FAILED
    if attempt:
        event.attempts += 1
    event.error = f"{type(exc).__name__}: {exc}"[:2000]
    event.traceback = "".join(traceback.format_exception(exc))[-20000:]
    return ["status", "attempts", "error", "traceback"]


@dataclass
class BatchResult:
    processed: int = 0
    failed: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)


def process_received(limit: int) -> tuple[BatchResult, bool]:
    """Apply up to ``limit`` events stored for a task, in the order they arrived.

    Returns the result and whether received events remain (the limit was reached). Each event
    is applied in its own transaction by :func:`process_event`, which locks it, so a second
    drain running at the same time waits on that event and then finds it processed; a failure
    is recorded on its event and the drain goes on with the next one. Events stored while the
    drain runs are taken too: it reads the next batch after the last id it saw.
    """
    result = BatchResult()
    received = WebhookEvent.objects.filter(status=WebhookEventStatus.RECEIVED).order_by("pk")
    last = 0
    while result.processed + result.failed < limit:
        size = min(100, limit - result.processed - result.failed)
        batch = list(received.filter(pk__gt=last).values_list("pk", flat=True)[:size])
        if not batch:
            return result, False
        _process_each(batch, result)
        last = batch[-1]
    return result, received.filter(pk__gt=last).exists()


def _process_each(pks: Iterable[int], result: BatchResult) -> None:
    for pk in pks:
        try:
            process_event(pk)
        except Exception as exc:  # recorded on the event by process_event
            result.failed += 1
            result.failures.append((pk, f"{type(exc).__name__}: {exc}"))
        else:
            result.processed += 1


def process_events(queryset: models.QuerySet[WebhookEvent]) -> BatchResult:
    """Process many stored events in order of arrival; failures are recorded and counted."""
    result = BatchResult()
    _process_each(queryset.order_by("received_at", "id").values_list("pk", flat=True), result)
    return result
