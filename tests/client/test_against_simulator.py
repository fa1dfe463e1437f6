"""Every MeetingsClient method end to end against the simulator, over real HTTP."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from django_vonage_meetings.exceptions import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from django_vonage_meetings.simulator import controls


def png(width: int, height: int) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.putpixel((width // 2, height // 2), (200, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_rooms(meetings_client):
    instant = meetings_client.create_room({"display_name": "Instant"})
    assert instant["type"] == "instant"
    long_term = meetings_client.create_room(
        {
            "display_name": "Long",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=2),
            "joinApprovalLevel": "after_owner_only",
        }
    )
    assert long_term["join_approval_level"] == "after_owner_only"
    assert meetings_client.get_room(instant["id"])["id"] == instant["id"]
    updated = meetings_client.update_room(long_term["id"], {"join_approval_level": "none"})
    assert updated["join_approval_level"] == "none"
    with pytest.raises(
        BadRequestError, match="could not be updated because of its type: temporary"
    ):
        meetings_client.update_room(instant["id"], {"join_approval_level": "none"})
    with pytest.raises(NotFoundError, match="Room not found"):
        meetings_client.get_room("7f6b5c3e-0000-4000-8000-000000000000")


def test_paging_through_every_room(meetings_client, simulator_app):
    controls.seed(simulator_app.application_id, 53)
    rooms = list(meetings_client.get_rooms(page_size=10))
    assert len(rooms) == 53
    assert len({r["id"] for r in rooms}) == 53
    page = meetings_client.get_room_page(page_size=5)
    assert page["page_size"] == 5
    assert page["total_items"] == 53


def test_themes_and_theme_rooms(meetings_client):
    theme = meetings_client.create_theme(
        {"main_color": "#ff0000", "brand_text": "Acme", "theme_name": "Acme"}
    )
    assert meetings_client.get_themes() == [theme]
    assert meetings_client.get_theme(theme["theme_id"]) == theme
    assert (
        meetings_client.update_theme(theme["theme_id"], {"brand_text": "Acme Inc"})["brand_text"]
        == "Acme Inc"
    )
    with pytest.raises(ConflictError, match="theme_name already exists in application"):
        meetings_client.create_theme(
            {"main_color": "#fff", "brand_text": "x", "theme_name": "Acme"}
        )
    for n in range(3):
        meetings_client.create_room({"display_name": f"themed {n}", "theme_id": theme["theme_id"]})
    themed = list(meetings_client.get_rooms_for_theme(theme["theme_id"], page_size=2))
    assert [r["display_name"] for r in themed] == ["themed 0", "themed 1", "themed 2"]
    assert meetings_client.get_rooms_for_theme_page(theme["theme_id"])["total_items"] == 3
    app = meetings_client.set_default_theme(theme["theme_id"])
    assert app["default_theme_id"] == theme["theme_id"]
    with pytest.raises(BadRequestError) as refused:
        meetings_client.delete_theme(theme["theme_id"])
    assert refused.value.message == "could not delete theme"
    assert "is used by 3 rooms" in refused.value.errors[0]
    meetings_client.delete_theme(theme["theme_id"], force=True)
    assert meetings_client.get_themes() == []


def test_logo_upload(meetings_client, tmp_path):
    theme = meetings_client.create_theme({"main_color": "#fff", "brand_text": "Logos"})
    path = tmp_path / "white.png"
    path.write_bytes(png(120, 40))
    key = meetings_client.upload_icon(theme["theme_id"], "white", path)
    assert key.startswith("auto-expiring-temp/logos/white/")
    meetings_client.upload_icon(theme["theme_id"], "favicon", io.BytesIO(png(16, 16)))
    refreshed = meetings_client.get_theme(theme["theme_id"])
    assert refreshed["brand_image_white_url"]
    assert refreshed["branded_favicon_url"]
    with pytest.raises(BadRequestError) as bad:
        meetings_client.upload_icon(theme["theme_id"], "favicon", io.BytesIO(png(40, 40)))
    assert bad.value.errors[0]["invalidProperty"] == "dimensions"


def test_recordings_and_numbers(meetings_client):
    room = meetings_client.create_room({"display_name": "Recorded"})
    uploaded = controls.create_recording(room["id"])
    started = controls.create_recording(room["id"], status="started")
    got = meetings_client.get_recording(str(uploaded.recording_id))
    assert got["status"] == "uploaded"
    listed = meetings_client.get_session_recordings(uploaded.session.session_id)
    assert [r["id"] for r in listed] == [str(uploaded.recording_id)]
    with pytest.raises(
        PermissionDeniedError, match="Can only delete recordings in 'uploaded' status"
    ):
        meetings_client.delete_recording(str(started.recording_id))
    meetings_client.delete_recording(str(uploaded.recording_id))
    with pytest.raises(NotFoundError):
        meetings_client.get_recording(str(uploaded.recording_id))
    numbers = meetings_client.get_dial_in_numbers()
    assert {"number", "locale", "display_name"} == set(numbers[0])


def test_retries_against_injected_faults(meetings_client, simulator_app):
    controls.set_faults(simulator_app.application_id, script=[503, 429, 0], retry_after=0)
    assert meetings_client.get_dial_in_numbers()
    controls.set_faults(simulator_app.application_id, script=[500])
    with pytest.raises(ServerError):
        meetings_client.create_room({"display_name": "once"})
    assert meetings_client.get_room_page()["total_items"] == 0  # the 500 was not replayed
    controls.set_faults(simulator_app.application_id, ratios={"429": 1}, retry_after=0)
    with pytest.raises(RateLimitError):
        meetings_client.get_themes()


def test_logo_steps_one_by_one(meetings_client):
    from django_vonage_meetings.exceptions import LogoUploadError

    theme = meetings_client.create_theme({"main_color": "#123456", "brand_text": "Steps"})
    forms = {f["fields"]["logoType"]: f for f in meetings_client.get_logo_upload_urls()}
    assert set(forms) == {"white", "colored", "favicon"}
    meetings_client.upload_logo_to_s3(forms["white"], png(100, 50), filename="w.png")
    meetings_client.upload_logo_to_s3(forms["colored"], png(100, 50))
    keys = [forms["white"]["fields"]["key"], forms["colored"]["fields"]["key"]]
    meetings_client.finalize_logos(theme["theme_id"], keys)
    refreshed = meetings_client.get_theme(theme["theme_id"])
    assert refreshed["brand_image_white_url"]
    assert refreshed["brand_image_colored_url"]

    # The bucket checks the presigned policy as S3 did, and says so in XML.
    tampered = {**forms["favicon"], "fields": {**forms["favicon"]["fields"], "key": "elsewhere"}}
    with pytest.raises(LogoUploadError) as refused:
        meetings_client.upload_logo_to_s3(tampered, png(16, 16))
    assert refused.value.status_code == 403
    assert refused.value.name == "AccessDenied"
    assert "Policy Condition failed" in str(refused.value)

    with pytest.raises(BadRequestError) as unknown:
        meetings_client.finalize_logos(theme["theme_id"], [forms["favicon"]["fields"]["key"]])
    assert unknown.value.errors == [
        {"logoKey": forms["favicon"]["fields"]["key"], "code": "key_not_found"}
    ]


def test_a_wrong_key_gets_the_gateways_401(simulator_app, other_key_pair):
    from django_vonage_meetings.client import MeetingsClient
    from django_vonage_meetings.exceptions import AuthenticationError

    with MeetingsClient(
        simulator_app.application_id, other_key_pair.private_pem, simulator_app.api_host
    ) as client:
        with pytest.raises(AuthenticationError) as info:
            client.get_themes()
    assert info.value.status_code == 401
    assert info.value.title == "Unauthorized"
    assert info.value.detail


def test_simulated_throttling_with_a_long_retry_after_fails_fast(meetings_client, simulator_app):
    import time

    controls.set_faults(simulator_app.application_id, script=[429], retry_after=3600)
    started = time.monotonic()
    with pytest.raises(RateLimitError) as info:
        meetings_client.get_room_page()
    assert time.monotonic() - started < 5
    assert info.value.retry_after == 3600
    assert info.value.title == "Too Many Requests"
    controls.set_faults(simulator_app.application_id, script=[503], retry_after=3600)
    with pytest.raises(ServerError) as unavailable:
        meetings_client.get_themes()
    assert unavailable.value.status_code == 503
    assert unavailable.value.retry_after == 3600
    assert meetings_client.get_themes() == []  # the script is spent; the service answers again
