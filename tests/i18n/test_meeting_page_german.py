"""The simulator's meeting page in German: lobby, meeting, refusals, through ``LocaleMiddleware``
(the page speaks the visitor's language; the simulator's API stays in English)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

import django_vonage_meetings
from django_vonage_meetings.simulator import controls

from .visible import english_leftovers

GERMAN = Path(django_vonage_meetings.__file__).parent / "simulator/locale/de/LC_MESSAGES/django.po"


@pytest.fixture
def german(client, settings):
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "django.middleware.locale.LocaleMiddleware",
    )
    settings.MIDDLEWARE = middleware
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    return client


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def new_room(app, **body):
    response = app.call("POST", "/rooms", json={"display_name": "Planung", **body})
    assert response.status_code == 201, response.text
    return response.json()


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Language"] == "de"
    return response.content.decode()


def join(client, url: str, name: str) -> str:
    response = client.post(path_of(url), {"name": name})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def test_lobby_and_meeting_in_german(simulator_app, german):
    room = new_room(simulator_app)
    lobby = get(german, path_of(room["_links"]["guest_url"]["href"]))
    assert '<html lang="de">' in lobby
    for text in ("Sie treten als Gast bei", "Ihr Name", "Beitreten", "Simulator"):
        assert text in lobby, text
    assert "you are joining as a guest" not in lobby
    assert english_leftovers(lobby, GERMAN) == []

    host = join(german, room["_links"]["host_url"]["href"], "Ada")
    join(german, room["_links"]["guest_url"]["href"], "Grace")
    meeting = get(german, host)
    for text in (
        "Sie sind als <strong>Ada</strong> im Meeting.",
        "Im Meeting",
        "Aufnahme starten",
        "Meeting für alle beenden",
        "Verlassen",
        '<span class="tag host">Gastgeber</span>',
        '<span class="tag">Gast</span>',
    ):
        assert text in meeting, text
    assert "Start recording" not in meeting
    assert english_leftovers(meeting, GERMAN) == []


def test_refusals_on_the_page_in_german(simulator_app, german):
    room = new_room(simulator_app)
    join(german, room["_links"]["host_url"]["href"], "Ada")
    guest = join(german, room["_links"]["guest_url"]["href"], "Grace")
    response = german.post(guest, {"action": "start_recording"})
    assert response.status_code == 409
    assert "Das kann nur ein Gastgeber." in response.content.decode()
    assert b"Only a host" not in response.content


def test_expired_room_in_german_while_the_control_api_stays_english(simulator_app, german):
    room = new_room(simulator_app)
    controls.expire_room(room["id"])
    page = get(german, path_of(room["_links"]["guest_url"]["href"]), status=410)
    assert "Dieser Raum ist nicht mehr verfügbar. Niemand kann ihm beitreten." in page
    assert english_leftovers(page, GERMAN) == []
    # The same refusal from the control API (a developer's tool) is the English one.
    refused = simulator_app.call(
        "POST",
        "/_control/join",
        prefix="",
        json={"room_id": room["id"], "name": "Late"},
        headers={"Accept-Language": "de"},
    )
    assert refused.status_code == 409
    assert refused.json()["message"] == "This room is no longer available."
