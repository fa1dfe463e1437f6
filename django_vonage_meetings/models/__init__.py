"""Models: mirrors of the API's objects, what callbacks report, and the callbacks themselves."""

from __future__ import annotations

from .activity import RECORDING_STATUS_RANK, Participant, Recording, Session
from .base import MirrorModel
from .meetings import Application, DialInNumber, Room, RoomQuerySet, Theme
from .webhooks import WebhookEvent, WebhookEventStatus, WebhookNonce

__all__ = [
    "RECORDING_STATUS_RANK",
    "Application",
    "DialInNumber",
    "MirrorModel",
    "Participant",
    "Recording",
    "Room",
    "RoomQuerySet",
    "Session",
    "Theme",
    "WebhookEvent",
    "WebhookEventStatus",
    "WebhookNonce",
]
