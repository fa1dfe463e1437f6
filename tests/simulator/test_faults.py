"""Fault injection: scripted and random 429/500/503 and delays, answered before processing."""

from __future__ import annotations

import time

import pytest

from django_vonage_meetings.simulator import controls
from django_vonage_meetings.simulator.checks import check_simulator
from django_vonage_meetings.simulator.faults import FaultsError
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


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        ({"ratios": {"429": "often"}}, "ratios.429"),
        ({"ratios": {"429": 1.5}}, "ratios.429"),
        ({"ratios": {"404": 0.5}}, "unknown status 404"),
        ({"ratios": {"500": 0.6, "503": 0.6}}, "more than 1"),
        (
            {"script": [404]},
            r'script.0: "404" is not a fault the simulator makes; use 429, 500, 503',
        ),
        ({"script": "503"}, "script"),
        ({"delay_ms": -5}, "delay_ms"),
        ({"retry_after": "soon"}, "retry_after"),
        ({"sometimes": True}, "sometimes: unknown fault setting"),
    ],
)
def test_nonsense_is_refused_and_nothing_changes(simulator_app, faults, message):
    controls.set_faults(simulator_app.application_id, delay_ms=1)
    with pytest.raises(FaultsError, match=message):
        controls.set_faults(simulator_app.application_id, **faults)
    response = simulator_app.control("faults", **faults)
    assert response.status_code == 400
    assert response.json()["name"] == "InputValidationError"
    assert message in response.json()["message"]
    assert simulator_app.control("faults", method="GET").json() == {"delay_ms": 1.0}
    assert simulator_app.call("GET", "/rooms").status_code == 200


def test_ratios_may_be_keyed_by_int(simulator_app):
    app = controls.set_faults(simulator_app.application_id, ratios={503: 1})
    assert app.faults == {"ratios": {"503": 1.0}}
    assert simulator_app.call("GET", "/rooms").status_code == 503


def test_invalid_settings_faults_are_a_clear_configuration_error(settings):
    settings.VONAGE_MEETINGS_SIMULATOR = {"FAULTS": {"ratios": {"429": 2}}}
    (error,) = [m for m in check_simulator() if m.id == "vonage_meetings_simulator.E001"]
    assert "FAULTS" in error.msg
    assert "ratios.429" in error.msg
    settings.VONAGE_MEETINGS_SIMULATOR = {"FAULTS": {"script": [503]}}
    (error,) = [m for m in check_simulator() if m.id == "vonage_meetings_simulator.E001"]
    assert "per application" in error.msg
    settings.VONAGE_MEETINGS_SIMULATOR = {"FAULTS": {"ratios": {"429": 0.5}}}
    assert [m for m in check_simulator() if m.id == "vonage_meetings_simulator.E001"] == []


@pytest.mark.parametrize(
    ("action", "body", "status"),
    [
        ("join", {"room_id": "garbage"}, 404),
        ("join", {}, 400),
        ("leave", {"participant_id": "garbage"}, 404),
        ("admit", {"participant_id": 5}, 404),
        ("expire_room", {"room_id": "x"}, 404),
        ("stop_recording", {"recording_id": "x"}, 404),
        ("upload_recording", {"recording_id": None}, 404),
        ("end_session", {"session_id": 12}, 400),
        ("start_recording", {"session_id": "2_MX4nope"}, 404),
        ("redeliver", {"delivery_id": "abc"}, 400),
        ("redeliver", {"delivery_id": 10**6}, 404),
        ("deliver", {"repeat": "x"}, 400),
        ("deliver", {"repeat": 0}, 400),
        ("deliver", {"order": "random"}, 400),
        ("no_such_action", {}, 404),
    ],
)
def test_control_endpoint_refuses_bad_input_cleanly(simulator_app, action, body, status):
    response = simulator_app.control(action, **body)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"status", "name", "message"}
