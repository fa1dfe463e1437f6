"""The service's JSON for each object, as read-only DRF serializers over the simulator's rows.

Field sets, key order and formats follow real responses (the Python SDK's captured fixtures:
``created_at`` like ``2023-01-24T03:20:38.629Z``; ``_links`` with ``href``s; ``ui_settings``
before ``available_features``; theme image URLs white before colored). ``callback_urls`` only
appears once a room has one (no capture shows its place; it sits after the approval level).

Links are absolute: the serializers' context carries ``origin``, the scheme and host the client
used (``https://h:8443``), taken from the request, or, outside a request (callbacks), the one the
application last used. Each serializer writes its dict in one ``to_representation`` rather than
through declared fields: a page of 1,000 rooms, each with links and a freshly minted token,
must render in a fraction of a second, and field-by-field serialization costs several times that.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from rest_framework import serializers

from .models import Application, Recording, Room, Theme
from .urlnames import sim_reverse


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(dt.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _derived_key(purpose: str, application: Application) -> bytes:
    """A per-application secret for one purpose, derived from SECRET_KEY (nothing to store)."""
    return _derive(settings.SECRET_KEY, purpose, application.application_id)


@functools.lru_cache(maxsize=1024)
def _derive(secret_key: str, purpose: str, application_id: str) -> bytes:
    return hmac.new(
        secret_key.encode(),
        f"vonage-meetings-simulator:{purpose}:{application_id}".encode(),
        hashlib.sha256,
    ).digest()


def participant_token(application: Application, issued_at: int) -> str:
    """The host URL's ``participant_token``: HS256, ``kid`` header, ``{participantId, iat}``.

    Minted afresh for every response, as the service did, with exactly the service's claims;
    only host links carry one, so the meeting page lets whoever holds a valid one in as host.
    """
    kid = str(uuid.uuid5(uuid.NAMESPACE_URL, application.application_id))
    claims = {"participantId": str(uuid.uuid4()), "iat": issued_at}
    return jwt.encode(
        claims, _derived_key("participant", application), algorithm="HS256", headers={"kid": kid}
    )


def verify_participant_token(application: Application, token: str) -> dict[str, Any] | None:
    try:
        claims: dict[str, Any] = jwt.decode(
            token, _derived_key("participant", application), algorithms=["HS256"]
        )
    except jwt.PyJWTError:
        return None
    return claims


def signing_key(purpose: str, application: Application) -> bytes:
    return _derived_key(purpose, application)


@functools.lru_cache(maxsize=256)
def _meet_paths(short_company_url: str | None, urlconf: str | None, prefix: str) -> tuple[str, str]:
    """Reversed once per theme (and URLconf), not twice per room of every page."""
    if short_company_url:
        host = sim_reverse("meet-host-themed", args=[short_company_url])
        guest = sim_reverse("meet-guest-themed", args=[short_company_url, "123456789"])
    else:
        host = sim_reverse("meet-host")
        guest = sim_reverse("meet-guest", args=["123456789"])
    return host, guest.removesuffix("123456789")


def meeting_links(room: Room, origin: str, issued_at: int) -> dict[str, dict[str, str]]:
    scu = room.theme.short_company_url if room.theme_id and room.theme else None
    host, guest_prefix = _meet_paths(scu, get_urlconf(), get_script_prefix())
    token = participant_token(room.application, issued_at)
    query = urlencode({"room_token": room.meeting_code, "participant_token": token})
    return {
        "host_url": {"href": f"{origin}{host}?{query}"},
        "guest_url": {"href": f"{origin}{guest_prefix}{room.meeting_code}"},
    }


class _WireSerializer(serializers.BaseSerializer[Any]):
    """Read-only: the simulator never parses its own output (input has validation.py)."""

    @property
    def origin(self) -> str:
        return str(self.context["origin"])


class RoomSerializer(_WireSerializer):
    """A room. Context: ``origin``; ``issued_at`` (epoch seconds) is shared by all rooms of one
    response, as in the service's pages, and defaults to now."""

    def to_representation(self, room: Room) -> dict[str, Any]:
        issued = self.context.get("issued_at") or int(time.time())
        return _room(room, self.origin, int(issued))


def _room(room: Room, origin: str, issued: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(room.room_id),
        "display_name": room.display_name,
        "metadata": room.metadata,
        "type": room.type,
        "expires_at": iso(room.expires_at),
        "recording_options": {
            "auto_record": room.auto_record,
            "record_only_owner": room.record_only_owner,
        },
        "meeting_code": room.meeting_code,
        "_links": meeting_links(room, origin, issued),
        "created_at": iso(room.created_at),
        "is_available": room.is_available,
        "expire_after_use": room.expire_after_use,
        "theme_id": str(room.theme.theme_id) if room.theme_id and room.theme else None,
        "initial_join_options": {"microphone_state": room.microphone_state},
        "join_approval_level": room.join_approval_level,
        "callback_urls": {
            "rooms_callback_url": room.rooms_callback_url,
            "sessions_callback_url": room.sessions_callback_url,
            "recordings_callback_url": room.recordings_callback_url,
        },
        "ui_settings": {"language": room.language},
        "available_features": {
            "is_recording_available": room.is_recording_available,
            "is_chat_available": room.is_chat_available,
            "is_whiteboard_available": room.is_whiteboard_available,
            "is_locale_switcher_available": room.is_locale_switcher_available,
            "is_captions_available": room.is_captions_available,
        },
    }
    if not any(body["callback_urls"].values()):
        del body["callback_urls"]
    return body


def s3_object_url(origin: str, bucket: str, key: str | None) -> str | None:
    if not key:
        return None
    return origin + sim_reverse("s3-object", args=[bucket, key])


class ThemeSerializer(_WireSerializer):
    """A theme. Context: ``origin`` and ``bucket`` (where its finalized logos are served)."""

    def to_representation(self, theme: Theme) -> dict[str, Any]:
        return _theme(theme, self.origin, str(self.context["bucket"]))


def _theme(theme: Theme, origin: str, bucket: str) -> dict[str, Any]:
    return {
        "theme_id": str(theme.theme_id),
        "theme_name": theme.theme_name,
        "domain": theme.domain,
        "account_id": theme.application.account_id,
        "application_id": theme.application.application_id,
        "main_color": theme.main_color,
        "short_company_url": theme.short_company_url,
        "brand_text": theme.brand_text,
        "brand_image_colored": theme.brand_image_colored,
        "brand_image_white": theme.brand_image_white,
        "branded_favicon": theme.branded_favicon,
        "brand_image_white_url": s3_object_url(origin, bucket, theme.brand_image_white),
        "brand_image_colored_url": s3_object_url(origin, bucket, theme.brand_image_colored),
        "branded_favicon_url": s3_object_url(origin, bucket, theme.branded_favicon),
    }


def recording_download_url(recording: Recording, origin: str) -> str:
    """A presigned-looking URL: the signature is checked, the file is a small placeholder."""
    application = recording.session.room.application
    expires = int(time.time()) + 3600
    signature = hmac.new(
        signing_key("recording", application),
        f"{recording.recording_id}:{expires}".encode(),
        hashlib.sha256,
    ).hexdigest()
    path = sim_reverse("recording-file", args=[str(recording.recording_id)])
    filename = f"{recording.session.room.display_name}_{iso(recording.started_at)}.mp4"
    query = urlencode(
        {
            "X-Amz-Expires": expires,
            "X-Amz-Signature": signature,
            "response-content-disposition": f'attachment; filename="{filename}"',
            "response-content-type": "video/mp4",
        }
    )
    return f"{origin}{path}?{query}"


class RecordingSerializer(_WireSerializer):
    """A recording; its download link only once it is uploaded. Context: ``origin``."""

    def to_representation(self, recording: Recording) -> dict[str, Any]:
        return _recording(recording, self.origin)


def _recording(recording: Recording, origin: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(recording.recording_id),
        "session_id": recording.session.session_id,
        "started_at": iso(recording.started_at),
        "ended_at": iso(recording.ended_at),
        "status": recording.status,
    }
    if recording.status == "uploaded":
        body["_links"] = {"url": {"href": recording_download_url(recording, origin)}}
    return body


class ApplicationSerializer(_WireSerializer):
    """``PATCH /applications``' answer (the API has no GET for it)."""

    def to_representation(self, application: Application) -> dict[str, Any]:
        return _application(application)


def _application(application: Application) -> dict[str, Any]:
    return {
        "application_id": application.application_id,
        "account_id": application.account_id,
        "default_theme_id": str(application.default_theme.theme_id)
        if application.default_theme
        else None,
    }
