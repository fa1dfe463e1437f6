"""The Django admin as the place to run meetings; one module per model family."""

from __future__ import annotations

from . import meetings, recordings, rooms, webhook_events

__all__ = ["meetings", "recordings", "rooms", "webhook_events"]
