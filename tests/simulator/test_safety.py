"""Nothing is served unless DEBUG is on or the simulator is enabled; a check warns."""

from __future__ import annotations

import requests
from django.test import override_settings

from django_vonage_meetings.simulator.checks import check_simulator


def test_disabled_serves_nothing(simulator_app, settings):
    settings.DEBUG = False
    settings.VONAGE_MEETINGS_SIMULATOR = {"ENABLED": False}
    for url in (
        simulator_app.url("/rooms"),
        f"{simulator_app.api_host}/",
        f"{simulator_app.api_host}/meet/123456789",
        f"{simulator_app.api_host}/_control/faults",
    ):
        assert requests.get(url, headers=simulator_app.headers(), timeout=10).status_code == 404


def test_debug_enables_it(simulator_app, settings):
    settings.DEBUG = True
    settings.VONAGE_MEETINGS_SIMULATOR = {"ENABLED": False, "DELIVERY": "manual", "TIMER": False}
    assert simulator_app.call("GET", "/rooms").status_code == 200


def test_check_warns_without_debug(outside_a_test_run):
    with override_settings(DEBUG=False, VONAGE_MEETINGS_SIMULATOR={"ENABLED": True}):
        (warning,) = check_simulator()
        assert warning.id == "vonage_meetings_simulator.W001"
        assert "serving with DEBUG off" in warning.msg
    with override_settings(DEBUG=False, VONAGE_MEETINGS_SIMULATOR={}):
        (warning,) = check_simulator()
        assert "serves nothing" in warning.msg
    with override_settings(DEBUG=True):
        assert check_simulator() == []


def test_check_needs_time_zones():
    with override_settings(DEBUG=True, USE_TZ=False):
        (error,) = check_simulator()
        assert error.id == "vonage_meetings_simulator.E002"
        assert "USE_TZ" in error.msg


def test_a_test_run_is_not_production():
    """manage.py test and pytest-django turn DEBUG off before the checks: no warning then."""
    with override_settings(DEBUG=False, VONAGE_MEETINGS_SIMULATOR={"ENABLED": True}):
        assert check_simulator() == []
