"""System checks (ids ``vonage_meetings.E001`` ...): configuration errors before the first request.

The checks run the same validators as :mod:`~django_vonage_meetings.conf`, so ``manage.py
check`` reports exactly what a request would later fail with. None of them touches the database
or the network.

=====================  ===========================================================================
id                     meaning
=====================  ===========================================================================
vonage_meetings.E001   a required key (APPLICATION_ID) is not set
vonage_meetings.E002   APPLICATION_ID is not a string
vonage_meetings.E003   PRIVATE_KEY is not set
vonage_meetings.E004   PRIVATE_KEY names a file that is missing or unreadable
vonage_meetings.E005   PRIVATE_KEY is not a readable (unencrypted) PEM private key
vonage_meetings.E006   PRIVATE_KEY is a public key or not an RSA key
vonage_meetings.E007   API_HOST is not an absolute http(s) URL
vonage_meetings.E008   SIGNATURE_SECRETS is not a list of non-empty strings
vonage_meetings.E009   WEBHOOK_BASE_URL is not an absolute http(s) URL
vonage_meetings.E010   a timeout, retry, size or mode setting has a wrong type or value
vonage_meetings.E011   VONAGE_MEETINGS is not a dict
vonage_meetings.E012   WEBHOOK_PROCESSING is "task" but no Tasks framework is installed
vonage_meetings.E013   TASK_BACKEND names a backend that TASKS does not define
vonage_meetings.W001   API_HOST is plain http while DEBUG is off
vonage_meetings.W002   SIGNATURE_SECRETS is empty: every callback will be refused
vonage_meetings.W003   VONAGE_MEETINGS has a key this app does not know (a typo?)
vonage_meetings.W004   WEBHOOK_BASE_URL is plain http while DEBUG is off
=====================  ===========================================================================
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

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

    for name in SETTINGS:
        try:
            meetings_settings.get(name)
        except ConfigProblem as exc:
            messages.append(checks.Error(str(exc), hint=_HINTS.get(exc.check_id), id=exc.check_id))

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
    from .tasks_support import tasks_framework

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


_HINTS = {
    "vonage_meetings.E001": "Set it to your Vonage application's id (dashboard -> Applications).",
    "vonage_meetings.E003": "Set it to the PEM text of private.key or to the file's path.",
    "vonage_meetings.E004": "Check the path and that the server's user may read the file.",
    "vonage_meetings.E005": "Use the private.key file downloaded when the application was made.",
    "vonage_meetings.E006": "Vonage signs application JWTs with RS256, which needs an RSA key.",
}
