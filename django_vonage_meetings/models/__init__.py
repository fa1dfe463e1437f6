"""Models: mirrors of the API's objects, what callbacks report, and the callbacks themselves."""

from __future__ import annotations

from .activity import RECORDING_STATUS_RANK, Participant, Recording, Session
from .base import UNASSIGNED, MirrorModel, OwnedMirrorModel, default_application_id
from .meetings import Application, DialInNumber, Room, RoomQuerySet, Theme
from .webhooks import (
    DONE_STATUSES,
    WebhookEvent,
    WebhookEventQuerySet,
    WebhookEventStatus,
    WebhookNonce,
)

__all__ = [
    "DONE_STATUSES",
    "RECORDING_STATUS_RANK",
    "UNASSIGNED",
    "Application",
    "DialInNumber",
    "MirrorModel",
    "OwnedMirrorModel",
    "Participant",
    "Recording",
    "Room",
    "RoomQuerySet",
    "Session",
    "Theme",
    "WebhookEvent",
    "WebhookEventQuerySet",
    "WebhookEventStatus",
    "WebhookNonce",
    "default_application_id",
]
