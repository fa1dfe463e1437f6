"""System check of the simulator: it must not run in production by accident."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from .conf import sim_setting


def check_simulator(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    if sim_setting("ENABLED"):
        message = (
            "The Vonage Meetings simulator is installed and serving with DEBUG off "
            "(VONAGE_MEETINGS_SIMULATOR['ENABLED'] is True)."
        )
        hint = "Never enable it in production: it accepts any registered key and fakes the API."
    else:
        message = (
            "The Vonage Meetings simulator is installed while DEBUG is off; it serves nothing."
        )
        hint = "Remove 'django_vonage_meetings.simulator' from INSTALLED_APPS in production."
    return [checks.Warning(message, hint=hint, id="vonage_meetings_simulator.W001")]
