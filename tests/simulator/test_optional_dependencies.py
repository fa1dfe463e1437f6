"""The simulator's optional dependency: a system check warns when Pillow is missing."""

from __future__ import annotations

import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from django_vonage_meetings.simulator.checks import check_simulator

W002 = "vonage_meetings_simulator.W002"


@override_settings(DEBUG=True)
def test_no_warning_with_pillow_installed():
    assert [m.id for m in check_simulator()] == []


@override_settings(DEBUG=True)
def test_warns_without_pillow(monkeypatch):
    # A None entry in sys.modules is how Python marks a module as not importable.
    monkeypatch.setitem(sys.modules, "PIL", None)
    (warning,) = check_simulator()
    assert warning.id == W002
    assert "Pillow" in warning.msg
    assert "django-vonage-meetings[simulator]" in (warning.hint or "")


@override_settings(DEBUG=True)
def test_manage_py_check_reports_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(SystemCheckError, match=W002):
        call_command("check", "--fail-level", "WARNING", tags=["vonage_meetings_simulator"])


def test_a_logo_check_without_pillow_says_what_to_install(monkeypatch):
    # What W002 warns of: finalizeLogos cannot check the image, and says which extra does.
    from django_vonage_meetings import rules
    from django_vonage_meetings.simulator.logos import image_problem

    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"pip install 'django-vonage-meetings\[simulator\]'"):
        image_problem(rules.PNG_SIGNATURE + b"rest of a png", "white")
