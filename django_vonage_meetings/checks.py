"""System checks: configuration errors before the first request.

The checks run the validators each setting declares in :mod:`~django_vonage_meetings.conf`, so
``manage.py check`` reports exactly what a request would later fail with, under the check id
the setting declares (the ids and what they mean are listed in the settings documentation).
None of them touches the database or the network.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from .background import tasks_framework
from .conf import SETTINGS, ConfigProblem, meetings_settings

__all__ = ["check_settings"]


def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Validate every key of ``VONAGE_MEETINGS``; one message per problem."""
    messages: list[checks.CheckMessage] = []
    try:
        raw = meetings_settings.raw()
    except ConfigProblem as exc:
        return [checks.Error(str(exc), id=exc.check_id)]

    for spec in SETTINGS.values():
        try:
            spec.read(raw)
        except ConfigProblem as exc:
            messages.append(checks.Error(str(exc), hint=exc.hint, id=exc.check_id))

    for unknown in meetings_settings.unknown_keys():
        close = difflib.get_close_matches(unknown, SETTINGS, n=1)
        hint = f"Did you mean {close[0]!r}?" if close else "Known keys: " + ", ".join(SETTINGS)
        messages.append(
            checks.Warning(
                f"VONAGE_MEETINGS[{unknown!r}] is not a setting of django-vonage-meetings.",
                hint=hint,
                id="vonage_meetings.W003",
            )
        )

    if not settings.DEBUG:
        for name, check_id in (
            ("API_HOST", "vonage_meetings.W001"),
            ("WEBHOOK_BASE_URL", "vonage_meetings.W004"),
        ):
            value = raw.get(name, SETTINGS[name].default)
            if isinstance(value, str) and value.startswith("http://"):
                messages.append(
                    checks.Warning(
                        f"VONAGE_MEETINGS[{name!r}] uses plain http while DEBUG is off.",
                        hint="Use https outside development; tokens travel in these requests.",
                        id=check_id,
                    )
                )

    messages.extend(_check_tasks())

    if not meetings_settings.is_set("SIGNATURE_SECRETS"):
        messages.append(
            checks.Warning(
                "VONAGE_MEETINGS['SIGNATURE_SECRETS'] is empty, so every callback will be "
                "refused with 401.",
                hint="Set it to the application's signature secret (a list; newest first).",
                id="vonage_meetings.W002",
            )
        )
    return messages


def _check_tasks() -> list[checks.CheckMessage]:
    """Background processing needs a Tasks framework and the backend it names."""
    try:
        mode = meetings_settings.WEBHOOK_PROCESSING
        alias = meetings_settings.TASK_BACKEND
    except ConfigProblem:
        return []  # reported above
    if mode != "task":
        return []
    try:
        framework = tasks_framework()
    except Exception as exc:
        return [checks.Error(str(exc), id="vonage_meetings.E012")]
    try:
        framework.task_backends[alias]
    except Exception:
        return [
            checks.Error(
                f"VONAGE_MEETINGS['TASK_BACKEND'] is {alias!r}, which TASKS does not define.",
                hint="Add it to TASKS or name one of its aliases.",
                id="vonage_meetings.E013",
            )
        ]
    return []
