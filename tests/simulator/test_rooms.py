"""Rooms as the service kept them: fields, validation, links, expiry, updates."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.utils import timezone

from django_vonage_meetings.simulator import controls

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def later(minutes: float) -> str:
    return (timezone.now() + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def create(app, **body):
    return app.call("POST", "/rooms", json={"display_name": "Room", **body})


def parse(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)


def test_instant_room_has_every_field(simulator_app):
    response = create(simulator_app)
    assert response.status_code == 201
    room = response.json()
    # The fields and their order in the service's captured responses.
    assert list(room) == [
        "id",
        "display_name",
        "metadata",
        "type",
        "expires_at",
        "recording_options",
        "meeting_code",
        "_links",
        "created_at",
        "is_available",
        "expire_after_use",
        "theme_id",
        "initial_join_options",
        "join_approval_level",
        "ui_settings",
        "available_features",
    ]
    assert room["type"] == "instant"
    assert room["metadata"] is None
    assert room["theme_id"] is None
    assert room["is_available"] is True
    assert re.fullmatch(r"[1-9]\d{8}", room["meeting_code"])
    assert ISO_MS.match(room["created_at"])
    assert ISO_MS.match(room["expires_at"])
    assert parse(room["expires_at"]) - parse(room["created_at"]) == dt.timedelta(minutes=10)
    assert room["recording_options"] == {"auto_record": False, "record_only_owner": False}
    assert room["initial_join_options"] == {"microphone_state": "default"}
    assert room["join_approval_level"] == "none"
    assert room["ui_settings"] == {"language": "default"}
    assert room["available_features"] == {
        "is_recording_available": True,
        "is_chat_available": True,
        "is_whiteboard_available": True,
        "is_locale_switcher_available": False,
        "is_captions_available": False,
    }


def test_links_point_at_the_meeting_page(simulator_app):
    room = create(simulator_app).json()
    host = urlsplit(room["_links"]["host_url"]["href"])
    guest = room["_links"]["guest_url"]["href"]
    assert f"{host.scheme}://{host.netloc}" == simulator_app.origin
    assert host.path == "/simulator/meet/"
    query = parse_qs(host.query)
    assert query["room_token"] == [room["meeting_code"]]
    token = query["participant_token"][0]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    assert "kid" in header
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) == {"participantId", "iat"}
    assert guest == f"{simulator_app.origin}/simulator/meet/{room['meeting_code']}"


def test_participant_token_is_fresh_per_response(simulator_app):
    room = create(simulator_app).json()
    again = simulator_app.call("GET", f"/rooms/{room['id']}").json()
    assert again["_links"]["host_url"]["href"] != room["_links"]["host_url"]["href"]
    assert again["_links"]["guest_url"] == room["_links"]["guest_url"]


def test_long_term_room(simulator_app):
    expires = later(60)
    room = create(
        simulator_app,
        type="long_term",
        expires_at=expires,
        expire_after_use=True,
        metadata="m" * 500,
        joinApprovalLevel="after_owner_only",
        ui_settings={"language": "PT-BR"},
        recording_options={"auto_record": True, "record_only_owner": True},
        initial_join_options={"microphone_state": "off"},
        callback_urls={"rooms_callback_url": "https://example.com/rooms"},
        available_features={"is_chat_available": False},
    ).json()
    assert room["type"] == "long_term"
    assert room["expires_at"] == expires
    assert room["expire_after_use"] is True
    assert room["join_approval_level"] == "after_owner_only"
    assert room["ui_settings"] == {"language": "pt-br"}
    assert room["recording_options"] == {"auto_record": True, "record_only_owner": True}
    assert room["initial_join_options"] == {"microphone_state": "off"}
    assert room["callback_urls"]["rooms_callback_url"] == "https://example.com/rooms"
    assert room["available_features"]["is_chat_available"] is False


@pytest.mark.parametrize(
    "value",
    [
        "2031-02-07 20:10:05",
        "2031-01-30T00:47:04+0000",
        "2031-08-24T00:00:00",
        "2031-08-24T02:00:00+02:00",
    ],
)
def test_lenient_expiry_formats(simulator_app, value):
    response = create(simulator_app, type="long_term", expires_at=value)
    assert response.status_code == 201, response.text
    assert response.json()["expires_at"].startswith("2031-")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"display_name": None}, '"display_name" must be a string'),
        ({"display_name": 5}, '"display_name" must be a string'),
        ({"metadata": ["a"]}, '"metadata" must be a string'),
        ({"recording_options": None}, '"recording_options" must be of type object'),
        (
            {"available_features": {"is_chat_available": None}},
            '"available_features.is_chat_available" must be a boolean',
        ),
        ({"type": None}, '"type" must be one of [instant, long_term]'),
        ({"display_name": ""}, '"display_name" is not allowed to be empty'),
        (
            {"display_name": "x" * 201},
            '"display_name" length must be less than or equal to 200 characters long',
        ),
        (
            {"metadata": "x" * 501},
            '"metadata" length must be less than or equal to 500 characters long',
        ),
        ({"type": "forever"}, '"type" must be one of [instant, long_term]'),
        ({"type": "long_term"}, '"expires_at" is required'),
        ({"expires_at": "2031-01-01T00:00:00Z"}, '"expires_at" is not allowed'),
        ({"type": "long_term", "expires_at": "tomorrow"}, '"expires_at" must be a valid date'),
        (
            {"join_approval_level": "maybe"},
            '"join_approval_level" must be one of [none, after_owner_only, explicit_approval]',
        ),
        (
            {"initial_join_options": {"microphone_state": "loud"}},
            '"initial_join_options.microphone_state" must be one of [default, on, off]',
        ),
        (
            {"recording_options": {"auto_record": "sometimes"}},
            '"recording_options.auto_record" must be a boolean',
        ),
        (
            {"callback_urls": {"rooms_callback_url": "ftp://x"}},
            '"callback_urls.rooms_callback_url" with value fails to match',
        ),
        ({"ui_settings": {"language": "xx"}}, '"ui_settings.language" must be one of'),
        ({"colour": "red"}, '"colour" is not allowed'),
        ({"theme_id": "not-a-uuid"}, '"theme_id" must be a valid GUID'),
    ],
)
def test_validation_messages(simulator_app, body, message):
    response = create(simulator_app, **body)
    assert response.status_code == 400
    error = response.json()
    assert error["status"] == 400
    assert error["name"] == "InputValidationError"
    assert error["message"].startswith(message)


def test_display_name_is_required(simulator_app):
    response = simulator_app.call("POST", "/rooms", json={"type": "instant"})
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "name": "InputValidationError",
        "message": '"display_name" is required',
    }
    # An empty body reads as an empty object, as the service's Express app read it.
    response = simulator_app.call(
        "POST", "/rooms", data="", headers={"Content-Type": "application/json"}
    )
    assert response.json()["message"] == '"display_name" is required'


def test_expiry_must_be_more_than_ten_minutes_ahead(simulator_app):
    assert create(simulator_app, type="long_term", expires_at=later(9)).status_code == 400
    assert create(simulator_app, type="long_term", expires_at=later(11)).status_code == 201


def test_missing_body_and_bad_json(simulator_app):
    response = simulator_app.call(
        "POST", "/rooms", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["name"] == "InputValidationError"
    response = simulator_app.call("POST", "/rooms", json=[1, 2])
    assert response.status_code == 400


def test_unknown_room(simulator_app):
    for room_id in ("5d0dca4a-7d2c-4b0f-9a3b-1f5a2e8c9d10", "garbage"):
        response = simulator_app.call("GET", f"/rooms/{room_id}")
        assert response.status_code == 404
        assert response.json() == {
            "status": 404,
            "name": "NotFoundError",
            "message": "Room not found",
        }


def test_instant_rooms_cannot_be_updated(simulator_app):
    room = create(simulator_app).json()
    response = simulator_app.call(
        "PATCH", f"/rooms/{room['id']}", json={"update_details": {"join_approval_level": "none"}}
    )
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "name": "BadRequestError",
        "message": f"The room with id: {room['id']} could not be updated because of its type: temporary",
    }


def test_update_long_term_room(simulator_app):
    room = create(simulator_app, type="long_term", expires_at=later(60)).json()
    theme = simulator_app.call(
        "POST",
        "/themes",
        json={"main_color": "#123456", "brand_text": "B", "short_company_url": "acme-co"},
    ).json()
    new_expiry = later(120)
    response = simulator_app.call(
        "PATCH",
        f"/rooms/{room['id']}",
        json={
            "update_details": {
                "theme_id": theme["theme_id"],
                "expires_at": new_expiry,
                "available_features": {"is_whiteboard_available": False},
            }
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["theme_id"] == theme["theme_id"]
    assert updated["expires_at"] == new_expiry
    assert updated["available_features"]["is_whiteboard_available"] is False
    assert updated["display_name"] == room["display_name"]
    # Themed rooms carry the short company URL in their links.
    assert "/simulator/meet/acme-co/?room_token=" in updated["_links"]["host_url"]["href"]
    assert updated["_links"]["guest_url"]["href"].endswith(
        f"/simulator/meet/acme-co/{room['meeting_code']}"
    )


def test_node_update_options_alias(simulator_app):
    room = create(simulator_app, type="long_term", expires_at=later(60)).json()
    response = simulator_app.call(
        "PATCH",
        f"/rooms/{room['id']}",
        json={"update_options": {"join_approval_level": "explicit_approval"}},
    )
    assert response.status_code == 200
    assert response.json()["join_approval_level"] == "explicit_approval"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, '"update_details" is required'),
        ({"update_details": {}}, '"update_details" must have at least 1 key'),
        ({"update_details": {"display_name": "x"}}, '"display_name" is not allowed'),
        (
            {"update_details": {"expires_at": "2000-01-01T00:00:00Z"}},
            '"expires_at" must be greater than',
        ),
        (
            {"update_details": {"theme_id": "5d0dca4a-7d2c-4b0f-9a3b-1f5a2e8c9d10"}},
            "Theme 5d0dca4a",
        ),
    ],
)
def test_update_validation(simulator_app, body, message):
    room = create(simulator_app, type="long_term", expires_at=later(60)).json()
    response = simulator_app.call("PATCH", f"/rooms/{room['id']}", json=body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


def test_expired_rooms_are_unavailable(simulator_app):
    room = create(simulator_app).json()
    controls.expire_room(room["id"])
    got = simulator_app.call("GET", f"/rooms/{room['id']}").json()
    assert got["is_available"] is False


def test_instant_room_expires_after_ten_minutes(simulator_app):
    from django_vonage_meetings.simulator.models import Room

    room = create(simulator_app).json()
    Room.objects.filter(room_id=room["id"]).update(
        created_at=timezone.now() - dt.timedelta(minutes=11),
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert simulator_app.call("GET", f"/rooms/{room['id']}").json()["is_available"] is False


def test_room_limit(simulator_app, settings):
    settings.VONAGE_MEETINGS_SIMULATOR = {**settings.VONAGE_MEETINGS_SIMULATOR, "MAX_ROOMS": 1}
    assert create(simulator_app).status_code == 201
    response = create(simulator_app)
    assert response.status_code == 403
    assert response.json()["message"] == "Maximum number of rooms for owner exceeded"


@pytest.mark.parametrize("prefix", ["/v1/meetings", "/meetings", "/beta/meetings"])
def test_every_prefix(simulator_app, prefix):
    assert (
        simulator_app.call("POST", "/rooms", prefix=prefix, json={"display_name": "x"}).status_code
        == 201
    )
    assert simulator_app.call("GET", "/rooms", prefix=prefix).status_code == 200
