"""A real browser on the simulator's meeting page: callbacks reach a receiving endpoint."""

from __future__ import annotations

import time

import pytest

from django_vonage_meetings.simulator.models import Application
from tests.fixtures.browser import screenshot
from tests.fixtures.client import Reply

pytestmark = pytest.mark.browser


def test_guest_and_host_meet_record_and_leave(
    browser_page, simulator_app, scripted_server, settings
):
    settings.VONAGE_MEETINGS_SIMULATOR = {
        "ENABLED": True,
        "ALLOW_PRIVATE_CALLBACKS": True,  # callbacks go to 127.0.0.1 with DEBUG off
        "DELIVERY": "thread",
        "TIMER": True,
        "TICK_INTERVAL": 0.1,
        "RECORDING_UPLOAD_DELAY": 0.3,
    }
    scripted_server.handle("POST", "/callbacks", lambda r: Reply(204))
    Application.objects.filter(application_id=simulator_app.application_id).update(
        callback_url=f"{scripted_server.url}/callbacks"
    )
    theme = simulator_app.call(
        "POST",
        "/themes",
        json={
            "main_color": "#0b7285",
            "brand_text": "Acme Video",
            "short_company_url": "acme-video",
        },
    ).json()
    room = simulator_app.call(
        "POST", "/rooms", json={"display_name": "Design review", "theme_id": theme["theme_id"]}
    ).json()
    page = browser_page

    page.goto(room["_links"]["host_url"]["href"])
    assert page.get_by_test_id("brand-text").inner_text() == "Acme Video"
    page.get_by_test_id("name").fill("Ada")
    page.get_by_test_id("join").click()
    page.get_by_test_id("in-meeting").wait_for()

    guest = page.context.new_page()
    guest.goto(room["_links"]["guest_url"]["href"])
    guest.get_by_test_id("name").fill("Grace")
    guest.get_by_test_id("join").click()
    guest.get_by_test_id("in-meeting").wait_for()
    assert guest.get_by_test_id("start-recording").count() == 0  # guests cannot record

    page.reload()
    assert "Grace" in page.get_by_test_id("people").inner_text()
    page.get_by_test_id("start-recording").click()
    page.get_by_test_id("recording").wait_for()
    screenshot(page, "simulator-meeting")
    page.get_by_test_id("stop-recording").click()
    guest.get_by_test_id("leave").click()
    guest.get_by_test_id("left").wait_for()
    page.get_by_test_id("leave").click()
    page.get_by_test_id("left").wait_for()

    expected = [
        "session:started",
        "session:participant:joined",
        "session:participant:joined",
        "recording:started",
        "recording:ended",
        "session:participant:left",
        "session:participant:left",
        "session:ended",
        "recording:uploaded",
    ]
    deadline = time.monotonic() + 20
    got: list[str] = []
    while time.monotonic() < deadline:
        got = [r.json()["event"] for r in scripted_server.calls("POST", "/callbacks")]
        if len(got) >= len(expected):
            break
        time.sleep(0.1)
    assert sorted(got) == sorted(expected)
    assert got[:2] == ["session:started", "session:participant:joined"]
    assert all(
        r.headers["Authorization"].startswith("Bearer ")
        for r in scripted_server.calls("POST", "/callbacks")
    )


def test_expired_room_turns_people_away(browser_page, simulator_app):
    room = simulator_app.call("POST", "/rooms", json={"display_name": "Gone"}).json()
    simulator_app.control("expire_room", room_id=room["id"])
    browser_page.goto(room["_links"]["guest_url"]["href"])
    assert "no longer available" in browser_page.get_by_test_id("room-unavailable").inner_text()
    assert browser_page.get_by_test_id("join").count() == 0
