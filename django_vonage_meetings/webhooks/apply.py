"""How each callback event changes the mirror: one apply function per event shape.

They run inside the transaction that stores or processes the event, with the rows they change
locked, and return what they did (:class:`Applied`); the registry in ``handlers`` says which
function applies which event, and ``processing`` records the outcome and announces it.

State only moves forward. A recording goes started -> paused -> stopped -> uploaded and never
back; an ended session never restarts; a participant who left does not rejoin by a late
"joined". An event that arrives after a later state changes nothing and is announced with
``stale=True``. Rows an event refers to but the mirror lacks (a session first seen in a
participant event, a room first seen in a session event) are created from the payload, never
by calling the API. Locks are taken in one order (the event, the room, the session, then the
participant or recording), so concurrent events cannot deadlock. Parents are ensured only
before a row is inserted, and a parent is never written while the child's lock is held.

A row's ``data`` holds the payload of the last event applied to it. Applying that same event
again (after a receiver failed, say) therefore finds its own payload there and is announced as
not stale: the receivers that failed get their second chance at the same transition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from django.db import models, transaction

from ..enums import RecordingStatus, RoomType
from ..exceptions import MeetingsError
from ..models import (
    RECORDING_STATUS_RANK,
    UNASSIGNED,
    Application,
    Participant,
    Recording,
    Room,
    Session,
    WebhookEvent,
)
from . import rows

__all__ = [
    "Applied",
    "OtherApplicationsRow",
    "participant_joined",
    "participant_left",
    "recording_ended",
    "recording_started",
    "recording_uploaded",
    "room_expired",
    "session_ended",
    "session_started",
]

M = TypeVar("M", bound=models.Model)


class OtherApplicationsRow(MeetingsError):
    """A callback of one application names a row another application owns: it changes
    nothing (the webhook view refuses such callbacks up front; this guards a race)."""

    def __init__(self, model: str, vonage_id: str) -> None:
        super().__init__(f"{model} {vonage_id} belongs to another application")


@dataclass
class Applied:
    """What applying an event did, for its announcement."""

    stale: bool
    #: Instances the event wrote (as committed).
    instances: dict[str, models.Model]
    #: Instances the signal also carries, loaded only when someone listens:
    #: kwarg name -> (model, remote id or None).
    related: dict[str, tuple[type[models.Model], str | None]] = field(default_factory=dict)


def _upsert(
    model: type[M],
    vonage_id: str,
    defaults: dict[str, Any],
    *,
    owner: str,
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

    A row is created for the ``owner`` application; a row another application owns is never
    changed (:class:`OtherApplicationsRow`).
    """
    obj: M | None = None
    for _attempt in range(3):
        if not likely_new:
            found = rows.select(model, "vonage_id", vonage_id, lock=True)
            if found is not None:
                if getattr(found, "application_id", owner) != owner:
                    raise OtherApplicationsRow(model.__name__, vonage_id)
                return found, False
        if obj is None:
            extra = parents() if parents is not None else {}
            obj = model(vonage_id=vonage_id, application_id=owner, **defaults, **extra)
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


_ensured: set[str] = set()


def ensure_owner(vonage_id: str) -> None:
    """Make the owner's ``Application`` row if it has none yet, once per process: rows that
    callbacks write name it (``application_id``), and the admin and signals show it.

    One statement the first time (``INSERT ... ON CONFLICT DO NOTHING``), none after; the
    services name it and fill the rest when the application is first used through them. The
    process remembers the row only once it is committed: a transaction that rolls back (a
    failed callback, a test) takes the row with it, and the next callback makes it again.
    """
    if vonage_id in _ensured:
        return
    rows.insert(Application(vonage_id=vonage_id, data={}), unique="vonage_id")
    transaction.on_commit(partial(_ensured.add, vonage_id))


def forget_owners(**kwargs: Any) -> None:
    """``setting_changed`` receiver: another test's database may not hold the rows."""
    _ensured.clear()


def _owner(event: WebhookEvent) -> str:
    """The application a callback's rows belong to: the one that authenticated it."""
    return str(event.application_id or UNASSIGNED)


def _ensure_room(room_id: str | None, owner: str) -> None:
    # One statement whether or not the room is mirrored (ON CONFLICT DO NOTHING).
    if room_id:
        room = Room(vonage_id=room_id, application_id=owner, display_name="", data={})
        rows.insert(room, unique="vonage_id")


def _ensure_session(session_id: str, room_id: str | None, owner: str) -> tuple[bool, str | None]:
    """Create a stub session (and room) unless mirrored.

    Returns whether the session was created and its room id (the payload's, else the one the
    mirror knows). A mirrored session that knows its room costs one read and nothing more.
    """
    known = rows.select(Session, "vonage_id", session_id)
    if known is None:
        _ensure_room(room_id, owner)
        stub = Session(vonage_id=session_id, application_id=owner, room_id=room_id, data={})
        if rows.insert(stub, unique="vonage_id"):
            return True, room_id
        # Another delivery stored it a moment ago.
        known = rows.select(Session, "vonage_id", session_id)
    if known is not None and known.application_id != owner:
        raise OtherApplicationsRow("Session", session_id)
    mirrored = known.room_id if known is not None else None
    if room_id and not mirrored:
        _ensure_room(room_id, owner)
        rows.fill_null(Session, "vonage_id", session_id, "room_id", room_id)
    return False, room_id or mirrored


def _known_room(session_id: str) -> str | None:
    """The room of a mirrored session, for a recording that lacks its room.

    A plain read: the caller holds the recording's lock, and locking the session now would
    take locks out of order.
    """
    session = rows.select(Session, "vonage_id", session_id)
    return session.room_id if session is not None else None


def room_expired(event: WebhookEvent, f: dict[str, Any]) -> Applied:
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
        owner=_owner(event),
        likely_new=False,
    )
    if not created:
        changes: dict[str, Any] = {"is_available": False}
        if f.get("expires_at"):
            changes["expires_at"] = f["expires_at"]
        if room.created_at is None and f.get("created_at"):
            changes["created_at"] = f["created_at"]
        _save_changes(room, changes)
    return Applied(stale=False, instances={"room": room})


def _session(event: WebhookEvent, f: dict[str, Any], *, ended: bool) -> Applied:
    room_id = f.get("room_id")
    _ensure_room(room_id, _owner(event))
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
        owner=_owner(event),
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
    return Applied(
        stale=stale,
        instances={"session": session},
        related={"room": (Room, session.room_id)},
    )


def _participant(event: WebhookEvent, f: dict[str, Any], *, joined: bool) -> Applied:
    def session() -> dict[str, Any]:
        _ensure_session(f["session_id"], f.get("room_id"), _owner(event))
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
        owner=_owner(event),
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
    return Applied(
        stale=stale,
        instances={"participant": person},
        related={"session": (Session, person.session_id)},
    )


def _recording(event: WebhookEvent, f: dict[str, Any], status: str) -> Applied:
    session_id: str = f["session_id"]

    def session() -> dict[str, Any]:
        # recording:started/ended carry no room_id; the session may know it.
        _created, room_id = _ensure_session(session_id, f.get("room_id"), _owner(event))
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
        owner=_owner(event),
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
    return Applied(
        stale=stale,
        instances={"recording": recording},
        related={"session": (Session, recording.session_id)},
    )


def session_started(event: WebhookEvent, f: dict[str, Any]) -> Applied:
    return _session(event, f, ended=False)


def session_ended(event: WebhookEvent, f: dict[str, Any]) -> Applied:
    return _session(event, f, ended=True)


def participant_joined(event: WebhookEvent, f: dict[str, Any]) -> Applied:
    return _participant(event, f, joined=True)


def participant_left(event: WebhookEvent, f: dict[str, Any]) -> Applied:
    return _participant(event, f, joined=False)


def recording_started(event: WebhookEvent, f: dict[str, Any]) -> Applied:
    return _recording(event, f, RecordingStatus.STARTED)


def recording_ended(event: WebhookEvent, f: dict[str, Any]) -> Applied:
    return _recording(event, f, RecordingStatus.STOPPED)


def recording_uploaded(event: WebhookEvent, f: dict[str, Any]) -> Applied:
    return _recording(event, f, RecordingStatus.UPLOADED)
