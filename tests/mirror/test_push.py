"""Pushing changes: the API first, then only its answer is stored; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from django_vonage_meetings import services
from django_vonage_meetings.exceptions import (
    BadRequestError,
    MeetingsValidationError,
    PermissionDeniedError,
)
from django_vonage_meetings.models import Application, Recording, Room, Theme
from django_vonage_meetings.simulator import controls


def long_term(**extra):
    return {
        "display_name": "Board",
        "type": "long_term",
        "expires_at": timezone.now() + dt.timedelta(days=1),
        **extra,
    }


def png(size: int) -> bytes:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    image.putpixel((1, 1), (0, 0, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_create_room_stores_the_answer(simulator_settings):
    room = services.create_room({"display_name": "Daily"})
    assert room.pk is not None
    assert room.display_name == "Daily"
    assert room.meeting_code
    assert room.data["id"] == room.vonage_id
    assert "callback_urls" not in room.data  # WEBHOOK_BASE_URL unset: nothing to point at


def test_created_rooms_call_back_to_this_site(simulator_settings, settings):
    settings.VONAGE_MEETINGS = {
        **settings.VONAGE_MEETINGS,
        "WEBHOOK_BASE_URL": "https://app.example.com",
    }
    room = services.create_room({"display_name": "Daily"})
    urls = room.callback_urls
    assert set(urls) == {"rooms_callback_url", "sessions_callback_url", "recordings_callback_url"}
    assert len(set(urls.values())) == 1
    assert urls["rooms_callback_url"].startswith(
        "https://app.example.com/vonage/meetings/webhooks/"
    )
    mine = services.create_room(
        {
            "display_name": "Own",
            "callback_urls": {"rooms_callback_url": "https://elsewhere.example/rooms"},
        }
    )
    assert mine.callback_urls["rooms_callback_url"] == "https://elsewhere.example/rooms"
    assert mine.callback_urls["sessions_callback_url"].startswith("https://app.example.com/")


def test_refusals_store_nothing(simulator_settings):
    with pytest.raises(MeetingsValidationError):
        services.create_room({"display_name": ""})
    with pytest.raises(BadRequestError, match="Theme"):
        services.create_room(
            {"display_name": "x", "theme_id": "5d0dca4a-7d2c-4b0f-9a3b-1f5a2e8c9d10"}
        )
    assert Room.objects.count() == 0


def test_update_room(simulator_settings):
    room = services.create_room(long_term())
    updated = services.update_room(room, {"join_approval_level": "explicit_approval"})
    assert updated.pk == room.pk
    assert updated.join_approval_level == "explicit_approval"


def test_update_refused_changes_nothing(simulator_settings):
    room = services.create_room({"display_name": "instant"})
    before = Room.objects.values().get(pk=room.pk)
    with pytest.raises(BadRequestError, match="temporary"):
        services.update_room(room, {"join_approval_level": "explicit_approval"})
    assert Room.objects.values().get(pk=room.pk) == before


def test_refresh_room(simulator_settings, meetings_client):
    room = services.create_room(long_term())
    meetings_client.update_room(room.vonage_id, {"join_approval_level": "after_owner_only"})
    assert services.refresh_room(room).join_approval_level == "after_owner_only"


def test_themes(simulator_settings):
    theme = services.create_theme(
        {"main_color": "#ff0000", "brand_text": "Red", "theme_name": "Red"}
    )
    assert Theme.objects.get().theme_name == "Red"
    assert services.update_theme(theme, {"brand_text": "Red 2"}).brand_text == "Red 2"
    room = services.create_room({"display_name": "themed", "theme_id": theme.vonage_id})
    with pytest.raises(BadRequestError, match="could not delete theme"):
        services.delete_theme(theme)
    assert Theme.objects.filter(pk=theme.pk).exists()
    services.delete_theme(theme, force=True)
    assert not Theme.objects.exists()
    room.refresh_from_db()
    assert room.theme_id is None


def test_default_theme(simulator_settings):
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Default"})
    application = services.set_default_theme(theme)
    assert application.vonage_id == simulator_settings.application_id
    assert application.default_theme_id == theme.vonage_id
    assert Application.objects.get().default_theme == theme


def test_logos(simulator_settings):
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Logos"})
    updated = services.upload_logos(
        theme, {"white": io.BytesIO(png(100)), "favicon": io.BytesIO(png(32))}
    )
    assert updated.brand_image_white_url
    assert updated.branded_favicon_url
    assert updated.brand_image_colored_url == ""
    with pytest.raises(MeetingsValidationError):
        services.upload_logos(theme, {"sepia": io.BytesIO(png(10))})


def test_recordings(simulator_settings):
    room = services.create_room({"display_name": "rec"})
    started = controls.create_recording(room.vonage_id, status="started")
    local = services.refresh_recording(str(started.recording_id))
    assert local.status == "started"
    with pytest.raises(PermissionDeniedError):
        services.delete_recording(local)
    assert Recording.objects.filter(pk=local.pk).exists()
    uploaded = controls.create_recording(room.vonage_id)
    mirrored = services.refresh_recording(str(uploaded.recording_id))
    services.delete_recording(mirrored)
    assert not Recording.objects.filter(pk=mirrored.pk).exists()


def test_logos_refused_after_others_went_through_are_mirrored(simulator_settings):
    """The white logo is accepted, then the favicon is refused: the mirror shows the first."""
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Partial"})
    with pytest.raises(BadRequestError) as refused:
        services.upload_logos(
            theme, {"white": io.BytesIO(png(100)), "favicon": io.BytesIO(png(64))}
        )
    assert refused.value.errors[0]["invalidProperty"] == "dimensions"
    theme.refresh_from_db()
    assert theme.brand_image_white_url
    assert theme.branded_favicon_url == ""


def test_clearing_a_short_company_url(simulator_settings):
    theme = services.create_theme(
        {"main_color": "#fff", "brand_text": "x", "short_company_url": "acme"}
    )
    assert theme.short_company_url == "acme"
    assert services.update_theme(theme, {"short_company_url": None}).short_company_url == ""


def test_misconfigured_webhook_signing_refuses_before_calling_the_api(
    simulator_settings, settings, meetings_client
):
    settings.VONAGE_MEETINGS = {
        **settings.VONAGE_MEETINGS,
        "WEBHOOK_BASE_URL": "https://app.example.com",
        "SIGNATURE_SECRETS": [],
    }
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="SIGNATURE_SECRETS"):
        services.create_room({"display_name": "Nowhere to call back"})
    assert Room.objects.count() == 0
    assert list(meetings_client.get_rooms()) == []
