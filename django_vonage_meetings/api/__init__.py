"""Outgoing: the Meetings API over HTTP (``client``), its application JWTs (``auth``), the
checks run before a request is sent (``validation``), the wire shapes (``pages``) and the
transport (``transport``). Nothing here knows the models."""

from __future__ import annotations

from .client import MeetingsClient

__all__ = ["MeetingsClient"]
