"""The one registry of callback event types: payload serializer, apply function, sender, signal.

To support a new event, or a new field of one: its serializer in ``payloads``, its apply
function in ``apply``, its signal in ``signals``, and one line here. Old names of events
(``recording:ready``) are resolved through :data:`~django_vonage_meetings.enums.EVENT_ALIASES`,
so an alias never needs an entry of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import models
from rest_framework import serializers

from .. import signals
from ..enums import EventType, canonical_event
from ..models import Participant, Recording, Room, Session, WebhookEvent
from . import apply, payloads

__all__ = ["REGISTRY", "EventHandler", "handler_for", "parse_payload"]

ApplyFunction = Callable[[WebhookEvent, dict[str, Any]], apply.Applied]


@dataclass(frozen=True)
class EventHandler:
    """Everything this app does with one event type."""

    event_type: str
    payload: type[serializers.Serializer[Any]]
    apply: ApplyFunction
    #: The model class the event's signal is sent with.
    sender: type[models.Model]

    @property
    def signal(self) -> signals.EventSignal:
        found = signals.signal_for(self.event_type)
        assert found is not None, f"no signal for {self.event_type}"
        return found

    def parse(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The validated fields; raises ``serializers.ValidationError`` with per-field details."""
        return dict(_validator(self.payload).run_validation(payload))


def _registry(*handlers: EventHandler) -> dict[str, EventHandler]:
    table = {handler.event_type: handler for handler in handlers}
    missing = set(EventType.values) - set(table) - {EventType.RECORDING_READY.value}
    assert not missing, f"event types without a handler: {sorted(missing)}"
    return table


REGISTRY: dict[str, EventHandler] = _registry(
    EventHandler(EventType.ROOM_EXPIRED, payloads.RoomExpiredPayload, apply.room_expired, Room),
    EventHandler(
        EventType.SESSION_STARTED, payloads.SessionStartedPayload, apply.session_started, Session
    ),
    EventHandler(
        EventType.SESSION_ENDED, payloads.SessionEndedPayload, apply.session_ended, Session
    ),
    EventHandler(
        EventType.PARTICIPANT_JOINED,
        payloads.ParticipantPayload,
        apply.participant_joined,
        Participant,
    ),
    EventHandler(
        EventType.PARTICIPANT_LEFT, payloads.ParticipantPayload, apply.participant_left, Participant
    ),
    EventHandler(
        EventType.RECORDING_STARTED,
        payloads.RecordingStartedPayload,
        apply.recording_started,
        Recording,
    ),
    EventHandler(
        EventType.RECORDING_ENDED, payloads.RecordingEndedPayload, apply.recording_ended, Recording
    ),
    EventHandler(
        EventType.RECORDING_UPLOADED,
        payloads.RecordingUploadedPayload,
        apply.recording_uploaded,
        Recording,
    ),
)


def handler_for(event_type: str) -> EventHandler | None:
    """The handler of an event name (old names included); None for an unknown event."""
    return REGISTRY.get(canonical_event(event_type))


@cache
def _validator(serializer_class: type[serializers.Serializer[Any]]) -> serializers.Serializer[Any]:
    """One unbound instance per serializer class, its fields bound once.

    DRF deep-copies every declared field whenever a serializer is instantiated, which was most
    of what validating a callback cost. ``run_validation`` keeps no per-call state on the
    serializer, so one instance serves every request and thread.
    """
    serializer = serializer_class()
    _ = serializer.fields
    return serializer


def parse_payload(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Validated fields of a known event; None for an unknown event type.

    Raises ``serializers.ValidationError`` (with per-field details, as ``is_valid`` would
    collect them) for a malformed one.
    """
    handler = handler_for(str(payload.get("event")))
    return None if handler is None else handler.parse(payload)
