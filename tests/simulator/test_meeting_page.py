"""The meeting page: join as host or guest, wait, record, leave, end; themed and expired rooms."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from django_vonage_meetings.simulator import controls
from django_vonage_meetings.simulator.models import Participant, Recording


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def new_room(app, **body):
    return app.call("POST", "/rooms", json={"display_name": "Design review", **body}).json()


def join(client, url, name):
    response = client.post(path_of(url), {"name": name})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def test_host_and_guest_meet_and_record(simulator_app, client):
    room = new_room(simulator_app)
    lobby = client.get(path_of(room["_links"]["guest_url"]["href"]))
    assert lobby.status_code == 200
    assert b"Design review" in lobby.content
    assert b"joining as a guest" in lobby.content

    host_seat = join(client, room["_links"]["host_url"]["href"], "Ada")
    guest_seat = join(client, room["_links"]["guest_url"]["href"], "Grace")
    page = client.get(host_seat)
    assert b"Ada" in page.content
    assert b"Grace" in page.content
    assert b'data-testid="start-recording"' in page.content
    assert b'data-testid="start-recording"' not in client.get(guest_seat).content

    assert client.post(guest_seat, {"action": "start_recording"}).status_code == 409
    assert client.post(host_seat, {"action": "start_recording"}).status_code == 302
    assert b'data-testid="recording"' in client.get(host_seat).content
    assert client.post(host_seat, {"action": "stop_recording"}).status_code == 302
    assert Recording.objects.get().status == "stopped"

    client.post(guest_seat, {"action": "leave"})
    assert b'data-testid="left"' in client.get(guest_seat).content
    client.post(host_seat, {"action": "end_session"})
    host = Participant.objects.get(name="Ada")
    assert host.state == "left"
    assert host.session.ended_at is not None


def test_host_link_needs_a_valid_token(simulator_app, client):
    room = new_room(simulator_app)
    forged = (
        path_of(room["_links"]["host_url"]["href"]).split("&participant_token=")[0]
        + "&participant_token=x.y.z"
    )
    assert client.get(forged).status_code == 403


def test_waiting_room_and_admission(simulator_app, client):
    room = new_room(
        simulator_app,
        type="long_term",
        join_approval_level="explicit_approval",
        expires_at=(timezone.now() + dt.timedelta(days=1)).isoformat(),
    )
    host_seat = join(client, room["_links"]["host_url"]["href"], "Ada")
    guest_seat = join(client, room["_links"]["guest_url"]["href"], "Grace")
    assert b'data-testid="waiting"' in client.get(guest_seat).content
    host_page = client.get(host_seat).content.decode()
    assert "Waiting to join" in host_page
    grace = Participant.objects.get(name="Grace")
    client.post(host_seat, {"action": "admit", "participant_id": str(grace.participant_id)})
    assert b'data-testid="in-meeting"' in client.get(guest_seat).content


def test_expired_room_lets_nobody_in(simulator_app, client):
    room = new_room(simulator_app)
    controls.expire_room(room["id"])
    page = client.get(path_of(room["_links"]["guest_url"]["href"]))
    assert page.status_code == 410
    assert b"no longer available" in page.content
    assert (
        client.post(path_of(room["_links"]["guest_url"]["href"]), {"name": "Late"}).status_code
        == 410
    )
    assert not Participant.objects.exists()


def test_themed_room_shows_its_theme(simulator_app, client):
    theme = simulator_app.call(
        "POST",
        "/themes",
        json={"main_color": "#ff6600", "brand_text": "Acme Video", "short_company_url": "acme"},
    ).json()
    room = new_room(simulator_app, theme_id=theme["theme_id"])
    page = client.get(path_of(room["_links"]["guest_url"]["href"])).content.decode()
    assert "Acme Video" in page
    assert "--brand: #ff6600" in page
    # the short company URL must match the room's theme
    wrong = path_of(room["_links"]["guest_url"]["href"]).replace("/acme/", "/other/")
    assert client.get(wrong).status_code == 404


def test_unknown_meeting_and_forged_seat(simulator_app, client):
    assert client.get("/simulator/meet/999999999").status_code == 404
    assert client.get("/simulator/meet/seat/forged:seat/").status_code == 404


@pytest.mark.parametrize("action", ["start_recording", "end_session", "admit", "nonsense"])
def test_guests_cannot_run_the_meeting(simulator_app, client, action):
    room = new_room(simulator_app)
    join(client, room["_links"]["host_url"]["href"], "Ada")
    guest_seat = join(client, room["_links"]["guest_url"]["href"], "Grace")
    response = client.post(guest_seat, {"action": action})
    assert response.status_code == 409
    assert b"Only a host" in response.content
