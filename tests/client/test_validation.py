"""What the service documented is checked before a request is sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from django_vonage_meetings.exceptions import MeetingsValidationError


def in_minutes(minutes: float) -> str:
    return (timezone.now() + dt.timedelta(minutes=minutes)).isoformat()


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({}, "display_name", "required"),
        ({"display_name": ""}, "display_name", "blank"),
        ({"display_name": "x" * 201}, "display_name", "200"),
        ({"display_name": "x", "metadata": "m" * 501}, "metadata", "500"),
        ({"display_name": "x", "type": "forever"}, "type", "not a valid choice"),
        ({"display_name": "x", "type": "long_term"}, "expires_at", "needs an expiry"),
        (
            {"display_name": "x", "type": "long_term", "expires_at": in_minutes(9)},
            "expires_at",
            "10 minutes",
        ),
        (
            {"display_name": "x", "expires_at": in_minutes(60)},
            "expires_at",
            "do not send expires_at",
        ),
        ({"display_name": "x", "expire_after_use": True}, "expire_after_use", "long_term"),
        (
            {"display_name": "x", "join_approval_level": "maybe"},
            "join_approval_level",
            "not a valid choice",
        ),
        (
            {"display_name": "x", "initial_join_options": {"microphone_state": "loud"}},
            "initial_join_options.microphone_state",
            "not a valid choice",
        ),
        (
            {"display_name": "x", "callback_urls": {"rooms_callback_url": "ftp://x"}},
            "callback_urls.rooms_callback_url",
            "match",
        ),
        (
            {"display_name": "x", "ui_settings": {"language": "klingon"}},
            "ui_settings.language",
            "not a valid",
        ),
        ({"display_name": "x", "colour": "red"}, "colour", "not part of the Meetings API"),
    ],
)
def test_room_create_rules(make_client, scripted_server, data, field, fragment):
    with pytest.raises(MeetingsValidationError) as info:
        make_client().create_room(data)
    assert field in info.value.errors, info.value.errors
    assert fragment in " ".join(info.value.errors[field])
    assert scripted_server.requests == []


def test_long_term_room_more_than_ten_minutes_ahead_is_fine(make_client, scripted_server):
    from tests.fixtures.client import Reply

    scripted_server.script("POST", "/v1/meetings/rooms", Reply(201, {"id": "r"}))
    make_client().create_room(
        {"display_name": "x", "type": "long_term", "expires_at": in_minutes(11)}
    )
    assert scripted_server.requests[0].json()["expires_at"].endswith("Z")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "update_details"),
        ({"display_name": "new"}, "display_name"),
        ({"type": "long_term"}, "type"),
        ({"expires_at": in_minutes(5)}, "expires_at"),
    ],
)
def test_room_update_rules(make_client, scripted_server, data, field):
    with pytest.raises(MeetingsValidationError) as info:
        make_client().update_room("r1", data)
    assert field in info.value.errors
    assert scripted_server.requests == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"brand_text": "Acme"}, "main_color"),
        ({"main_color": "#12f64e"}, "brand_text"),
        ({"main_color": "red", "brand_text": "Acme"}, "main_color"),
        ({"main_color": "#12345", "brand_text": "Acme"}, "main_color"),
        ({"main_color": "#fff", "brand_text": ""}, "brand_text"),
        ({"main_color": "#fff", "brand_text": "b" * 201}, "brand_text"),
        ({"main_color": "#fff", "brand_text": "A", "theme_name": "n" * 201}, "theme_name"),
        (
            {"main_color": "#fff", "brand_text": "A", "short_company_url": "12345"},
            "short_company_url",
        ),
        (
            {"main_color": "#fff", "brand_text": "A", "short_company_url": "has space"},
            "short_company_url",
        ),
        (
            {"main_color": "#fff", "brand_text": "A", "short_company_url": "a" * 129},
            "short_company_url",
        ),
    ],
)
def test_theme_create_rules(make_client, scripted_server, data, field):
    with pytest.raises(MeetingsValidationError) as info:
        make_client().create_theme(data)
    assert field in info.value.errors, info.value.errors
    assert scripted_server.requests == []


def test_theme_update_needs_a_field(make_client, scripted_server):
    with pytest.raises(MeetingsValidationError, match="at least one field"):
        make_client().update_theme("t1", {})
    assert scripted_server.requests == []
