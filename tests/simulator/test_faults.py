"""Fault injection: scripted and random 429/500/503 and delays, answered before processing."""

from __future__ import annotations

import time

from django_vonage_meetings.simulator import controls
from django_vonage_meetings.simulator.models import Room


def test_scripted_faults_in_order(simulator_app):
    controls.set_faults(simulator_app.application_id, script=[429, 500, 503, 0], retry_after=2)
    first = simulator_app.call("GET", "/rooms")
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "2"
    assert first.json()["title"] == "Too Many Requests"
    second = simulator_app.call("GET", "/rooms")
    assert second.status_code == 500
    assert second.json() == {
        "status": 500,
        "name": "InternalServerError",
        "message": "Internal Server Error",
    }
    third = simulator_app.call("GET", "/rooms")
    assert third.status_code == 503
    assert third.headers["Retry-After"] == "2"
    assert simulator_app.call("GET", "/rooms").status_code == 200
    assert simulator_app.call("GET", "/rooms").status_code == 200


def test_a_faulted_create_makes_no_room(simulator_app):
    controls.set_faults(simulator_app.application_id, script=[500])
    assert simulator_app.call("POST", "/rooms", json={"display_name": "x"}).status_code == 500
    assert not Room.objects.exists()


def test_ratios(simulator_app):
    controls.set_faults(simulator_app.application_id, ratios={"503": 1.0})
    assert {simulator_app.call("GET", "/rooms").status_code for _ in range(3)} == {503}
    controls.set_faults(simulator_app.application_id)
    assert simulator_app.call("GET", "/rooms").status_code == 200


def test_delay(simulator_app):
    controls.set_faults(simulator_app.application_id, delay_ms=300)
    started = time.monotonic()
    assert simulator_app.call("GET", "/dial-in-numbers").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_faults_from_settings(simulator_app, settings):
    settings.VONAGE_MEETINGS_SIMULATOR = {
        **settings.VONAGE_MEETINGS_SIMULATOR,
        "FAULTS": {"ratios": {"429": 1}},
    }
    assert simulator_app.call("GET", "/rooms").status_code == 429


def test_control_endpoint(simulator_app, other_simulator_app):
    response = simulator_app.control("faults", script=[503])
    assert response.status_code == 200
    assert simulator_app.control("faults", method="GET").json() == {"script": [503]}
    assert simulator_app.call("GET", "/rooms").status_code == 503
    # another application is unaffected
    assert other_simulator_app.call("GET", "/rooms").status_code == 200
    assert simulator_app.control("faults").json() == {}


def test_control_needs_auth(simulator_app):
    import requests

    response = requests.post(f"{simulator_app.api_host}/_control/reset", timeout=10)
    assert response.status_code == 401


def test_reset(simulator_app):
    simulator_app.call("POST", "/rooms", json={"display_name": "x"})
    simulator_app.call("POST", "/themes", json={"main_color": "#fff", "brand_text": "b"})
    assert simulator_app.control("reset").json() == {"deleted": 2}
    assert simulator_app.call("GET", "/rooms").json()["total_items"] == 0
