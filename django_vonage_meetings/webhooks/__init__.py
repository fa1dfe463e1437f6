"""Incoming: the API's callbacks, from the HTTP request to the signals.

A callback's walk, one module per step: ``views`` (HTTP checks, then authenticate with
``signing`` and the scoped URL tokens of ``tokens``, then read the body with ``body``, parse
with ``handlers`` and hold a room's token to its room with ``scope``) -> ``inbox`` (store once,
refuse replays) -> ``processing`` (apply with the handler's function from ``apply``, record the
status, announce the signals), writing rows through ``rows``.
"""

from __future__ import annotations

from .inbox import dedupe_key
from .signing import signed_webhook_url

__all__ = ["dedupe_key", "signed_webhook_url"]
