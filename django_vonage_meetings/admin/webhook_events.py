"""Admin for webhook_events."""

from __future__ import annotations
