"""System checks of the simulator: it must not run in production by accident, and its settings
and optional dependencies must make sense before the first request finds out.

Messages are translated when the checks run; English is the source language."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

from .conf import in_test_environment, sim_setting
from .faults import FaultsError, settings_faults


def check_simulator(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    return [*_check_time_zones(), *_check_faults(), *_check_debug(), *_check_pillow()]


def _check_time_zones() -> list[checks.CheckMessage]:
    if settings.USE_TZ:
        return []
    return [
        checks.Error(
            _(
                "The Vonage Meetings simulator needs USE_TZ = True: the service's times are UTC "
                "instants and it compares them with the current time."
            ),
            hint=_("Set USE_TZ = True (Django's default since 5.0)."),
            id="vonage_meetings_simulator.E002",
        )
    ]


def _check_faults() -> list[checks.CheckMessage]:
    try:
        settings_faults(sim_setting("FAULTS") or None)
    except FaultsError as exc:
        return [
            checks.Error(
                _("VONAGE_MEETINGS_SIMULATOR['FAULTS'] is invalid: %(error)s") % {"error": exc},
                hint=_("For example %(example)s.")
                % {"example": '{"ratios": {"503": 0.1}, "delay_ms": 200, "retry_after": 1}'},
                id="vonage_meetings_simulator.E001",
            )
        ]
    return []


def _check_debug() -> list[checks.CheckMessage]:
    # A test run turns DEBUG off and is no production.
    if settings.DEBUG or in_test_environment():
        return []
    if sim_setting("ENABLED"):
        message = _(
            "The Vonage Meetings simulator is installed and serving with DEBUG off "
            "(VONAGE_MEETINGS_SIMULATOR['ENABLED'] is True)."
        )
        hint = _("Never enable it in production: it accepts any registered key and fakes the API.")
    else:
        message = _(
            "The Vonage Meetings simulator is installed while DEBUG is off; it serves nothing."
        )
        hint = _("Remove 'django_vonage_meetings.simulator' from INSTALLED_APPS in production.")
    return [checks.Warning(message, hint=hint, id="vonage_meetings_simulator.W001")]


def _check_pillow() -> list[checks.CheckMessage]:
    # find_spec, not import: the check must stay cheap and free of Pillow's import.
    if importlib.util.find_spec("PIL") is not None:
        return []
    return [
        checks.Warning(
            _(
                "The Vonage Meetings simulator is installed without Pillow: finalizeLogos cannot "
                "check logo images and answers 500 to every logo upload."
            ),
            hint=_("pip install 'django-vonage-meetings[simulator]' (or pip install pillow)."),
            id="vonage_meetings_simulator.W002",
        )
    ]
