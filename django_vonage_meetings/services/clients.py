"""Where the services get their ``MeetingsClient``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..api.client import MeetingsClient


@contextmanager
def client_for(client: MeetingsClient | None) -> Iterator[MeetingsClient]:
    """Use the caller's client, or build one from settings for this operation and close it."""
    if client is not None:
        yield client
        return
    own = MeetingsClient.from_settings()
    try:
        yield own
    finally:
        own.close()
