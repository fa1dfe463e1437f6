"""``MeetingsClient``, at the import path the documentation gives (it lives in ``api.client``)."""

from __future__ import annotations

from .api.client import MeetingsClient

__all__ = ["MeetingsClient"]
