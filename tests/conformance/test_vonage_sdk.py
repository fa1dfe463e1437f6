"""The official Python SDK (vonage 3.x) runs unmodified against the simulator, over TLS.

It builds every URL as https://{meetings_api_host}{path}, so the simulator is served with a
throwaway certificate that REQUESTS_CA_BUNDLE trusts. ``Meetings`` reads the host when it is
constructed, so after ``client.meetings_api_host(...)`` the tests build ``Meetings(client)`` as the
SDK's own tests do. Every Meetings operation it offers runs.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
import vonage
from django.utils import timezone
from PIL import Image
from vonage import errors as vonage_errors
from vonage.meetings import Meetings

from django_vonage_meetings.simulator import controls

pytestmark = pytest.mark.conformance


@pytest.fixture
def sdk(tls_server, key_pair):
    application_id = str(uuid.uuid4())
    controls.register_application(application_id, key_pair.public_pem)
    client = vonage.Client(application_id=application_id, private_key=key_pair.private_pem)
    client.meetings_api_host(f"{tls_server.host}:{tls_server.port}/simulator/v1/meetings")
    client.meetings = Meetings(client)
    return client


def expires(days: int = 2) -> str:
    return (timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def test_rooms(sdk):
    meetings = sdk.meetings
    instant = meetings.create_room({"display_name": "sdk instant"})
    assert instant["type"] == "instant"
    assert instant["_links"]["host_url"]["href"].startswith("https://127.0.0.1:")
    long_term = meetings.create_room(
        {"display_name": "sdk long", "type": "long_term", "expires_at": expires()}
    )
    assert meetings.get_room(long_term["id"])["display_name"] == "sdk long"
    updated = meetings.update_room(
        long_term["id"], {"update_details": {"join_approval_level": "explicit_approval"}}
    )
    assert updated["join_approval_level"] == "explicit_approval"
    page = meetings.list_rooms(page_size=1)
    assert page["page_size"] == 1
    assert page["total_items"] == 2
    assert "next" in page["_links"]
    nxt = meetings.list_rooms(
        page_size=1, start_id=page["_links"]["next"]["href"].split("start_id=")[1]
    )
    assert nxt["_embedded"][0]["id"] == long_term["id"]
    with pytest.raises(vonage_errors.ClientError):
        meetings.update_room(instant["id"], {"update_details": {"join_approval_level": "none"}})


def test_themes_and_default_theme(sdk):
    meetings = sdk.meetings
    assert meetings.list_themes() == []
    theme = meetings.create_theme(
        {
            "theme_name": "sdk",
            "main_color": "#12f64e",
            "brand_text": "SDK",
            "short_company_url": f"sdk-{uuid.uuid4().hex[:8]}",
        }
    )
    assert meetings.get_theme(theme["theme_id"])["theme_name"] == "sdk"
    assert (
        meetings.update_theme(theme["theme_id"], {"update_details": {"brand_text": "SDK 2"}})[
            "brand_text"
        ]
        == "SDK 2"
    )
    room = meetings.create_room(
        {"display_name": "themed", "type": "long_term", "expires_at": expires()}
    )
    themed = meetings.add_theme_to_room(room["id"], theme["theme_id"])
    assert themed["theme_id"] == theme["theme_id"]
    listed = meetings.list_rooms_with_theme_id(theme["theme_id"])
    assert [r["id"] for r in listed["_embedded"]] == [room["id"]]
    app = meetings.update_application_theme(theme["theme_id"])
    assert app["default_theme_id"] == theme["theme_id"]
    # the SDK always sends force=False / force=True, in Python's capitalisation
    with pytest.raises(vonage_errors.ClientError):
        meetings.delete_theme(theme["theme_id"])
    meetings.delete_theme(theme["theme_id"], force=True)
    assert meetings.list_themes() == []


def test_logo_upload(sdk, tmp_path):
    meetings = sdk.meetings
    theme = meetings.create_theme({"main_color": "#fff", "brand_text": "logos"})
    image = Image.new("RGBA", (64, 32), (0, 0, 0, 0))
    image.putpixel((10, 10), (255, 0, 0, 255))
    path = tmp_path / "logo.png"
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    assert "successful" in meetings.upload_logo_to_theme(theme["theme_id"], str(path), "colored")
    assert meetings.get_theme(theme["theme_id"])["brand_image_colored_url"]


def test_recordings_and_dial_in_numbers(sdk):
    meetings = sdk.meetings
    room = meetings.create_room({"display_name": "recorded"})
    recording = controls.create_recording(room["id"])
    assert meetings.get_recording(str(recording.recording_id))["status"] == "uploaded"
    listed = meetings.get_session_recordings(recording.session.session_id)
    assert listed["_embedded"]["recordings"][0]["id"] == str(recording.recording_id)
    meetings.delete_recording(str(recording.recording_id))
    with pytest.raises(vonage_errors.ClientError):
        meetings.get_recording(str(recording.recording_id))
    numbers = meetings.list_dial_in_numbers()
    assert numbers
    assert {"number", "locale", "display_name"} == set(numbers[0])


def test_wrong_key_is_an_authentication_error(tls_server, other_key_pair, key_pair):
    application_id = str(uuid.uuid4())
    controls.register_application(application_id, key_pair.public_pem)
    client = vonage.Client(application_id=application_id, private_key=other_key_pair.private_pem)
    client.meetings_api_host(f"{tls_server.host}:{tls_server.port}/simulator/v1/meetings")
    with pytest.raises(vonage_errors.AuthenticationError):
        Meetings(client).list_rooms()


def test_paging_windows_and_service_errors(sdk):
    """The SDK's start_id/end_id window, and the service's refusals as the SDK reports them."""
    meetings = sdk.meetings
    rooms = [meetings.create_room({"display_name": f"r{n}"}) for n in range(4)]
    first = meetings.list_rooms(page_size=1)
    start = int(first["_links"]["self"]["href"].split("start_id=")[1])
    window = meetings.list_rooms(page_size=10, start_id=start + 1, end_id=start + 3)
    assert [r["id"] for r in window["_embedded"]] == [r["id"] for r in rooms[1:3]]
    assert window["total_items"] == 4

    missing = str(uuid.uuid4())
    with pytest.raises(vonage_errors.ClientError, match="could not find theme"):
        meetings.get_theme(missing)
    meetings.create_theme({"theme_name": "twice", "main_color": "#fff", "brand_text": "x"})
    with pytest.raises(vonage_errors.ClientError, match="theme_name already exists"):
        meetings.create_theme({"theme_name": "twice", "main_color": "#fff", "brand_text": "x"})
    with pytest.raises(vonage_errors.ClientError, match="must have at least 1 key"):
        meetings.update_theme(meetings.list_themes()[0]["theme_id"], {"update_details": {}})
    started = controls.create_recording(rooms[0]["id"], status="started")
    with pytest.raises(vonage_errors.ClientError, match="uploaded"):
        meetings.delete_recording(str(started.recording_id))
    with pytest.raises(vonage_errors.ClientError, match="Failed to find session recordings"):
        meetings.get_session_recordings("2_MX4nope")
