"""Signals: one per callback event, plus the lifecycle of every stored callback.

Receivers run after the event's changes are committed, in the process that applied it (the
webhook request with ``WEBHOOK_PROCESSING = "inline"``, a task worker with ``"task"``). A
callback can be delivered more than once and out of order; it is applied once, and state never
goes backwards, but write receivers to be idempotent anyway (they may run again when a failed
event is reprocessed).

Every event signal is sent with ``sender`` set to the model class concerned and these kwargs:

``event``
    the stored :class:`~django_vonage_meetings.models.WebhookEvent`;
``payload``
    the callback's JSON as a dict;
``stale``
    ``True`` when the event arrived after a later state (a ``recording:started`` after the
    recording was uploaded) and so changed nothing; act on transitions only when it is False;

plus the instances named below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.dispatch import Signal

from .enums import EventType

__all__ = [
    "EVENT_SIGNALS",
    "meetings_receiver",
    "participant_joined",
    "participant_left",
    "recording_ended",
    "recording_started",
    "recording_uploaded",
    "room_expired",
    "session_ended",
    "session_started",
    "webhook_failed",
    "webhook_processed",
    "webhook_received",
]

#: ``room:expired``. sender ``Room``; kwargs ``event``, ``payload``, ``stale``, ``room``.
room_expired = Signal()
#: ``session:started``. sender ``Session``; kwargs ``event``, ``payload``, ``stale``, ``session``,
#: ``room`` (or None when the room is not mirrored).
session_started = Signal()
#: ``session:ended``. sender ``Session``; kwargs as ``session_started``.
session_ended = Signal()
#: ``session:participant:joined``. sender ``Participant``; kwargs ``event``, ``payload``,
#: ``stale``, ``participant``, ``session``.
participant_joined = Signal()
#: ``session:participant:left``. sender ``Participant``; kwargs as ``participant_joined``.
participant_left = Signal()
#: ``recording:started``. sender ``Recording``; kwargs ``event``, ``payload``, ``stale``,
#: ``recording``, ``session``.
recording_started = Signal()
#: ``recording:ended``. sender ``Recording``; kwargs as ``recording_started``.
recording_ended = Signal()
#: ``recording:uploaded`` (and its old name ``recording:ready``). sender ``Recording``; kwargs as
#: ``recording_started``; ``recording.url`` downloads the file.
recording_uploaded = Signal()

#: A new callback was authenticated and stored (not sent for duplicates). Sent for unknown
#: event types too. sender ``WebhookEvent``; kwargs ``event``.
webhook_received = Signal()
#: A callback was applied and its event signal sent. sender ``WebhookEvent``; kwargs ``event``.
webhook_processed = Signal()
#: Applying a callback raised; it is stored as failed and will be processed again.
#: sender ``WebhookEvent``; kwargs ``event``, ``exception``.
webhook_failed = Signal()

EVENT_SIGNALS: dict[str, Signal] = {
    EventType.ROOM_EXPIRED.value: room_expired,
    EventType.SESSION_STARTED.value: session_started,
    EventType.SESSION_ENDED.value: session_ended,
    EventType.PARTICIPANT_JOINED.value: participant_joined,
    EventType.PARTICIPANT_LEFT.value: participant_left,
    EventType.RECORDING_STARTED.value: recording_started,
    EventType.RECORDING_ENDED.value: recording_ended,
    EventType.RECORDING_UPLOADED.value: recording_uploaded,
    EventType.RECORDING_READY.value: recording_uploaded,
}

F = TypeVar("F", bound=Callable[..., Any])


def meetings_receiver(*event_names: str, **connect_kwargs: Any) -> Callable[[F], F]:
    """Connect a function to the signals of the named callback events.

    ::

        @meetings_receiver("recording:uploaded")
        def email_the_host(sender, recording, stale, **kwargs):
            if not stale:
                ...

    An unknown event name raises ``ValueError`` when the module is imported, so a typo cannot
    silently leave a receiver unconnected. ``connect_kwargs`` (``sender``, ``weak``,
    ``dispatch_uid``) go to ``Signal.connect``.
    """
    if not event_names:
        raise ValueError("meetings_receiver needs at least one event name")
    unknown = [name for name in event_names if name not in EVENT_SIGNALS]
    if unknown:
        known = ", ".join(sorted(EVENT_SIGNALS))
        raise ValueError(f"Unknown Meetings event {', '.join(map(repr, unknown))}; known: {known}")

    def decorator(func: F) -> F:
        seen: set[int] = set()
        for name in event_names:
            signal = EVENT_SIGNALS[name]
            if id(signal) in seen:  # recording:ready and recording:uploaded share one signal
                continue
            seen.add(id(signal))
            signal.connect(func, **connect_kwargs)
        return func

    return decorator
