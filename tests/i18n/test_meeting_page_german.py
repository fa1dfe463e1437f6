"""The simulator's meeting page in German: lobby, meeting, refusals, through ``LocaleMiddleware``
(the page speaks the visitor's language; the simulator's API stays in English)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import translation

import django_vonage_meetings
from django_vonage_meetings.simulator import controls
from django_vonage_meetings.simulator.lifecycle import SimulatorError
from django_vonage_meetings.simulator.models import Participant

from .visible import english_leftovers

GERMAN = Path(django_vonage_meetings.__file__).parent / "simulator/locale/de/LC_MESSAGES/django.po"


@pytest.fixture
def german(client, with_locale_middleware):
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
    host = join(german, room["_links"]["host_url"]["href"], "Ada")
    guest = join(german, room["_links"]["guest_url"]["href"], "Grace")
    response = german.post(guest, {"action": "start_recording"})
    assert response.status_code == 409
    assert "Das kann nur ein Gastgeber." in response.content.decode()
    assert b"Only a host" not in response.content
    # A refusal of the meeting's rules (lifecycle.py), shown by the page.
    grace = Participant.objects.get(name="Grace")
    response = german.post(host, {"action": "admit", "participant_id": str(grace.participant_id)})
    assert response.status_code == 409
    assert "Diese Person wartet nicht auf Einlass." in response.content.decode()
    assert b"not waiting to join" not in response.content


def test_expired_room_in_german_while_the_refusal_stays_english(simulator_app, german):
    room = new_room(simulator_app)
    controls.expire_room(room["id"])
    page = get(german, path_of(room["_links"]["guest_url"]["href"]), status=410)
    assert "Dieser Raum ist nicht mehr verfügbar. Niemand kann ihm beitreten." in page
    assert english_leftovers(page, GERMAN) == []
    # The same refusal, as the control API answers it, stays English in a German thread.
    with translation.override("de"), pytest.raises(SimulatorError) as refused:
        controls.join(room["id"], "Late")
    assert str(refused.value) == "This room is no longer available."
