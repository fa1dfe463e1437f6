"""Where the services get their ``MeetingsClient``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..api.client import MeetingsClient


@contextmanager
def client_for(client: MeetingsClient | None, application: Any = None) -> Iterator[MeetingsClient]:
    """Use the caller's client, or build one for ``application`` (a settings name, an
    ``Application`` row, or None for the default) for this operation and close it."""
    if client is not None:
        yield client
        return
    own = MeetingsClient.from_settings(application=application)
    try:
        yield own
    finally:
        own.close()
