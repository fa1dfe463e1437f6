"""Signals: one per callback event, plus the lifecycle of every stored callback.

When receivers run: inside the database transaction that applies the event, after the mirror
rows are written and before the transaction commits, in the process that applies it (the
webhook request with ``WEBHOOK_PROCESSING = "inline"``, a task worker with ``"task"``). So a
receiver sees the event's changes, its own writes commit or roll back with them, and if it
raises, everything rolls back and the event is applied and announced again on the next
delivery. Put side effects that must not repeat (e-mail, calls to other services) in
``transaction.on_commit``. A callback can be delivered more than once and out of order; it is
applied once and state never goes backwards, but receivers should be idempotent anyway.

Every signal, lifecycle ones included, is sent with these kwargs, so one receiver can handle
any of them:

``event``
    the stored :class:`~django_vonage_meetings.models.WebhookEvent`;
``payload``
    the callback's JSON as a dict;
``application``
    the :class:`~django_vonage_meetings.models.Application` the callback came for (``name`` is
    its name in the settings), so a receiver can tell several applications apart.

Event signals have ``sender`` set to the model class concerned and add ``stale`` (``True`` when
the event arrived after a later state, such as a ``recording:started`` after the recording was
uploaded, and so changed nothing; act on transitions only when it is False) and the instances
named below. ``webhook_failed`` adds ``exception``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.dispatch import Signal

from .enums import EVENT_ALIASES, EventType, canonical_event

__all__ = [
    "EVENT_SIGNALS",
    "EventSignal",
    "meetings_receiver",
    "participant_joined",
    "participant_left",
    "recording_ended",
    "recording_started",
    "recording_uploaded",
    "room_expired",
    "session_ended",
    "session_started",
    "signal_for",
    "webhook_failed",
    "webhook_processed",
    "webhook_received",
]


class EventSignal(Signal):
    """The signal of one callback event type: the one place that says which signal an event
    sends (the handler registry and :func:`meetings_receiver` both look it up here)."""

    def __init__(self, event_type: EventType) -> None:
        super().__init__()
        self.event_type: str = event_type.value

    def __repr__(self) -> str:
        return f"<EventSignal {self.event_type}>"


#: ``room:expired``. sender ``Room``; kwargs ``event``, ``payload``, ``stale``, ``room``.
room_expired = EventSignal(EventType.ROOM_EXPIRED)
#: ``session:started``. sender ``Session``; kwargs ``event``, ``payload``, ``stale``, ``session``,
#: ``room`` (or None when the room is not mirrored).
session_started = EventSignal(EventType.SESSION_STARTED)
#: ``session:ended``. sender ``Session``; kwargs as ``session_started``.
session_ended = EventSignal(EventType.SESSION_ENDED)
#: ``session:participant:joined``. sender ``Participant``; kwargs ``event``, ``payload``,
#: ``stale``, ``participant``, ``session``.
participant_joined = EventSignal(EventType.PARTICIPANT_JOINED)
#: ``session:participant:left``. sender ``Participant``; kwargs as ``participant_joined``.
participant_left = EventSignal(EventType.PARTICIPANT_LEFT)
#: ``recording:started``. sender ``Recording``; kwargs ``event``, ``payload``, ``stale``,
#: ``recording``, ``session``.
recording_started = EventSignal(EventType.RECORDING_STARTED)
#: ``recording:ended``. sender ``Recording``; kwargs as ``recording_started``.
recording_ended = EventSignal(EventType.RECORDING_ENDED)
#: ``recording:uploaded`` (and its old name ``recording:ready``). sender ``Recording``; kwargs as
#: ``recording_started``; ``recording.url`` downloads the file.
recording_uploaded = EventSignal(EventType.RECORDING_UPLOADED)

#: A new callback was authenticated and stored (not sent for duplicates). Sent for unknown
#: event types too. sender ``WebhookEvent``; kwargs ``event``, ``payload``.
#:
#: :meta hide-value:
webhook_received = Signal()
#: A callback was applied and its event signal sent. sender ``WebhookEvent``; kwargs ``event``,
#: ``payload``.
#:
#: :meta hide-value:
webhook_processed = Signal()
#: Applying a callback raised; it is stored as failed and will be processed again.
#: sender ``WebhookEvent``; kwargs ``event``, ``payload``, ``exception``.
#:
#: :meta hide-value:
webhook_failed = Signal()

_BY_EVENT: dict[str, EventSignal] = {
    signal.event_type: signal
    for signal in (
        room_expired,
        session_started,
        session_ended,
        participant_joined,
        participant_left,
        recording_started,
        recording_ended,
        recording_uploaded,
    )
}

#: Event name -> its signal, old names included (derived from the signals above).
#:
#: :meta hide-value:
EVENT_SIGNALS: dict[str, Signal] = {
    **_BY_EVENT,
    **{alias: _BY_EVENT[name] for alias, name in EVENT_ALIASES.items()},
}


def signal_for(event_type: str) -> EventSignal | None:
    """The signal of an event name (old names included); None for an unknown one."""
    return _BY_EVENT.get(canonical_event(event_type))


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
    unknown = [name for name in event_names if signal_for(name) is None]
    if unknown:
        known = ", ".join(sorted(EVENT_SIGNALS))
        raise ValueError(f"Unknown Meetings event {', '.join(map(repr, unknown))}; known: {known}")

    def decorator(func: F) -> F:
        # recording:ready and recording:uploaded share one signal: connect it once.
        for signal in dict.fromkeys(signal_for(name) for name in event_names):
            assert signal is not None
            signal.connect(func, **connect_kwargs)
        return func

    return decorator
