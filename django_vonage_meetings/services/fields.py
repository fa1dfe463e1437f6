"""The API's JSON -> the mirror models' columns, one function per model.

``data`` keeps the whole payload; the columns are derived from it. These run for every row of a
sync (thousands per second), so they are plain functions over the API's own answers rather than
a DRF serializer per row (which cost several times the page fetch they overlap with; input from
users is validated with DRF serializers in ``api.validation`` before it ever reaches the API).

``fingerprint`` hashes what a sync compares: the payload minus what changes on every response
(the ``participant_token`` minted afresh into each ``host_url``), so an idle re-sync writes
nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from django.utils.dateparse import parse_datetime

from ..enums import RoomLanguage
from ..exceptions import MeetingsAPIError

__all__ = [
    "dial_in_fields",
    "fingerprint",
    "parse_time",
    "recording_fields",
    "remote_id",
    "room_fields",
    "theme_fields",
]

_LANGUAGES = frozenset(RoomLanguage.values)


def parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed


def _href(payload: Mapping[str, Any], name: str) -> str:
    link = (payload.get("_links") or {}).get(name)
    href = link.get("href") if isinstance(link, Mapping) else link
    return href if isinstance(href, str) else ""


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value)[:limit]


_TOKEN = re.compile(r"([?&])participant_token=[^&#]*&?")


def _without_token(url: str) -> str:
    return _TOKEN.sub(r"\1", url) if "participant_token" in url else url


def fingerprint(payload: Mapping[str, Any]) -> str:
    """A hash of the payload as a sync compares it, volatile link parts removed.

    A room's ``host_url`` carries a participant token minted per response, and an uploaded
    recording's download URL is presigned per response (its query holds the signature and
    expiry). Comparing them would rewrite every such row on every sync; the link's host and path
    still count. The admin's download link asks the API for a fresh URL instead.
    """
    comparable: Any = payload
    links = payload.get("_links")
    if isinstance(links, Mapping):
        if "host_url" in links:
            host = _href(payload, "host_url")
            comparable = {
                **payload,
                "_links": {**links, "host_url": {"href": _without_token(host)}},
            }
        elif "url" in links:
            download = _href(payload, "url")
            comparable = {
                **payload,
                "_links": {**links, "url": {"href": download.partition("?")[0]}},
            }
    # Key order is the API's own and stable between responses; no need to sort.
    text = json.dumps(comparable, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def remote_id(payload: Mapping[str, Any], key: str, kind: str) -> str:
    """The object's id in an answer. An answer without one cannot be mirrored (nor told from
    any other row), so it is the API's error, not a ``KeyError`` for whoever called."""
    value = payload.get(key) if isinstance(payload, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise MeetingsAPIError(200, message=f"the API answered a {kind} without its {key}")
    return str(value)


def room_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    language = str((payload.get("ui_settings") or {}).get("language") or "default").lower()
    return {
        "vonage_id": remote_id(payload, "id", "room"),
        "display_name": _text(payload.get("display_name"), 200),
        "metadata": _text(payload.get("metadata"), 10_000),
        "type": payload.get("type") or "instant",
        "is_available": bool(payload.get("is_available", True)),
        "expires_at": parse_time(payload.get("expires_at")),
        "created_at": parse_time(payload.get("created_at")),
        "meeting_code": _text(payload.get("meeting_code"), 32),
        "theme_id": payload.get("theme_id") or None,
        "join_approval_level": payload.get("join_approval_level")
        or payload.get("joinApprovalLevel")
        or "none",
        "microphone_state": (payload.get("initial_join_options") or {}).get("microphone_state")
        or "default",
        "language": language if language in _LANGUAGES else "default",
        "expire_after_use": bool(payload.get("expire_after_use")),
        "host_url": _href(payload, "host_url"),
        "guest_url": _href(payload, "guest_url"),
        "data": dict(payload),
    }


def theme_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "vonage_id": remote_id(payload, "theme_id", "theme"),
        "theme_name": _text(payload.get("theme_name"), 200),
        "main_color": _text(payload.get("main_color"), 7),
        "brand_text": _text(payload.get("brand_text"), 200),
        "short_company_url": _text(payload.get("short_company_url"), 128),
        "domain": _text(payload.get("domain"), 8),
        "account_id": _text(payload.get("account_id"), 64),
        "application_id": _text(payload.get("application_id"), 64),
        "brand_image_colored_url": _text(payload.get("brand_image_colored_url"), 4096),
        "brand_image_white_url": _text(payload.get("brand_image_white_url"), 4096),
        "branded_favicon_url": _text(payload.get("branded_favicon_url"), 4096),
        "data": dict(payload),
    }


def recording_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    started = parse_time(payload.get("started_at"))
    ended = parse_time(payload.get("ended_at"))
    duration = payload.get("duration")
    if duration is None and started and ended:
        duration = (ended - started).total_seconds()
    url = _href(payload, "url") or _text(payload.get("url"), 8192)
    return {
        "vonage_id": remote_id(payload, "id", "recording"),
        "session_id": payload.get("session_id") or None,
        "status": payload.get("status") or "",
        "started_at": started,
        "ended_at": ended,
        "duration": float(duration) if duration is not None else None,
        "url": url,
        "data": dict(payload),
    }


def dial_in_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "vonage_id": _text(payload.get("number"), 64),
        "locale": _text(payload.get("locale"), 16),
        "display_name": _text(payload.get("display_name"), 200),
        "data": dict(payload),
    }
