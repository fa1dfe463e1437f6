"""System checks: configuration errors before the first request.

The checks run the validators each setting declares in :mod:`~django_vonage_meetings.conf`, so
``manage.py check`` reports exactly what a request would later fail with, under the check id
the setting declares (the ids and what they mean are listed in the settings documentation).
None of them touches the database or the network.

The messages written here are translated when the checks run (``manage.py`` runs in
``LANGUAGE_CODE``); English is the source language. The settings' own validation messages are
those of the configuration errors raised at run time, which stay in English.
"""

from __future__ import annotations

import difflib
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks, mail
from django.utils.translation import gettext as _

from .background import tasks_framework
from .conf import PER_APPLICATION, SETTINGS, ApplicationSettings, ConfigProblem, meetings_settings

__all__ = ["check_settings"]

#: The shortest signature secret that does not warn: an HS256 key should have at least as many
#: bytes as the hash (RFC 7518, 3.2), and the URL tokens are HMACs keyed by it too.
MIN_SECRET_BYTES = 32


def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Validate every key of ``VONAGE_MEETINGS`` and of each application; one message per
    problem."""
    messages: list[checks.CheckMessage] = []
    try:
        raw = meetings_settings.raw()
    except ConfigProblem as exc:
        return [checks.Error(str(exc), id=exc.check_id)]

    simulate = _simulate(raw)
    for spec in SETTINGS.values():
        if not spec.credential:  # those are each application's (checked below)
            messages.extend(_errors(spec.read, raw))
    if simulate:
        messages.extend(_check_simulate(raw))

    for unknown in meetings_settings.unknown_keys():
        messages.append(_unknown(unknown, SETTINGS, ()))
    messages.extend(_check_plain_http(raw, "WEBHOOK_BASE_URL", "vonage_meetings.W004", ()))
    messages.extend(_check_tasks())
    messages.extend(_check_applications(raw, simulate=simulate))
    return messages


def _errors(read: Callable[..., object], *args: Any) -> list[checks.CheckMessage]:
    try:
        read(*args)
    except ConfigProblem as exc:
        return [checks.Error(str(exc), hint=exc.hint, id=exc.check_id)]
    return []


def _where(path: tuple[str, ...], name: str) -> str:
    return "VONAGE_MEETINGS" + "".join(f"[{part!r}]" for part in (*path, name))


def _unknown(name: str, known: Iterable[str], path: tuple[str, ...]) -> checks.CheckMessage:
    choices = list(known)
    close = difflib.get_close_matches(name, choices, n=1)
    if close:
        hint = _("Did you mean %(key)r?") % {"key": close[0]}
    else:
        hint = _("Known keys: %(keys)s") % {"keys": ", ".join(choices)}
    return checks.Warning(
        _("%(setting)s is not a setting of django-vonage-meetings.")
        % {"setting": _where(path, name)},
        hint=hint,
        id="vonage_meetings.W003",
    )


def _check_plain_http(
    raw: Any, name: str, check_id: str, path: tuple[str, ...]
) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    value = raw.get(name, SETTINGS[name].default)
    if not (isinstance(value, str) and value.startswith("http://")):
        return []
    return [
        checks.Warning(
            _("%(setting)s uses plain http while DEBUG is off.") % {"setting": _where(path, name)},
            hint=_("Use https outside development; tokens travel in these requests."),
            id=check_id,
        )
    ]


def _check_applications(raw: Any, *, simulate: bool) -> list[checks.CheckMessage]:
    """Each application's own keys, named with their whole path."""
    messages: list[checks.CheckMessage] = []
    if raw.get("APPLICATIONS") is not None:
        # API_HOST is shared: the top level's is every application's unless it has its own.
        mixed = sorted(
            name for name in PER_APPLICATION if name != "API_HOST" and raw.get(name) is not None
        )
        if mixed:
            messages.append(
                checks.Error(
                    _(
                        "VONAGE_MEETINGS has APPLICATIONS and the single-application keys "
                        "%(keys)s at the top level."
                    )
                    % {"keys": ", ".join(mixed)},
                    hint=_("Move them into the application they belong to in APPLICATIONS."),
                    id="vonage_meetings.E016",
                )
            )
    try:
        SETTINGS["APPLICATIONS"].read(raw)
    except ConfigProblem:
        return messages  # reported with the other wrong values
    try:
        applications = meetings_settings.applications()
        meetings_settings.default_application()
    except ConfigProblem as exc:
        return [*messages, checks.Error(str(exc), hint=exc.hint, id=exc.check_id)]
    if simulate:
        return messages  # the simulator provisions every application
    messages.extend(_check_plain_http(raw, "API_HOST", "vonage_meetings.W001", ()))
    for application in applications.values():
        for key in PER_APPLICATION:
            messages.extend(_errors(application.get, key))
        for unknown in application.unknown_keys():
            messages.append(_unknown(unknown, PER_APPLICATION, application.path))
        if application.path:
            messages.extend(
                _check_plain_http(
                    application.raw, "API_HOST", "vonage_meetings.W001", application.path
                )
            )
        messages.extend(_check_secrets(application))
        messages.extend(_check_key_file(application))
    return messages


def _simulate(raw: Any) -> bool:
    try:
        return bool(SETTINGS["SIMULATE"].read(raw))
    except ConfigProblem:
        return False  # reported with the other wrong values


def _check_simulate(raw: Any) -> list[checks.CheckMessage]:
    """SIMULATE needs the simulator app, and is no way to run a production site."""
    messages: list[checks.CheckMessage] = []
    if not apps.is_installed("django_vonage_meetings.simulator"):
        messages.append(
            checks.Error(
                _("VONAGE_MEETINGS['SIMULATE'] is on, but the simulator app is not installed."),
                hint=_("Add 'django_vonage_meetings.simulator' to INSTALLED_APPS."),
                id="vonage_meetings.E014",
            )
        )
    enabled = (getattr(settings, "VONAGE_MEETINGS_SIMULATOR", None) or {}).get("ENABLED")
    # manage.py test and pytest-django turn DEBUG off before the checks run: a test run is
    # not production (and its mail outbox says it is one).
    if not settings.DEBUG and not enabled and not hasattr(mail, "outbox"):
        messages.append(
            checks.Error(
                _(
                    "VONAGE_MEETINGS['SIMULATE'] is on while DEBUG is off: this site would talk "
                    "to a simulator instead of Vonage."
                ),
                hint=_(
                    "Remove SIMULATE and set the real credentials in production; to simulate "
                    "with DEBUG off on purpose (a staging site), set "
                    "VONAGE_MEETINGS_SIMULATOR = {'ENABLED': True}."
                ),
                id="vonage_meetings.E015",
            )
        )
    ignored = sorted(
        name for name, spec in SETTINGS.items() if spec.credential and raw.get(name) is not None
    )
    if ignored:
        messages.append(
            checks.Warning(
                _(
                    "VONAGE_MEETINGS['SIMULATE'] is on, so %(settings)s is not used: the "
                    "simulator provides the application."
                )
                % {"settings": ", ".join(f"VONAGE_MEETINGS[{name!r}]" for name in ignored)},
                hint=_("Remove SIMULATE to use these settings."),
                id="vonage_meetings.W005",
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
                _("VONAGE_MEETINGS['TASK_BACKEND'] is %(alias)r, which TASKS does not define.")
                % {"alias": alias},
                hint=_("Add it to TASKS or name one of its aliases."),
                id="vonage_meetings.E013",
            )
        ]
    return []


def _check_secrets(application: ApplicationSettings) -> list[checks.CheckMessage]:
    """Empty secrets refuse every callback; short ones can be guessed offline from one signed
    callback or URL."""
    try:
        secrets = application.SIGNATURE_SECRETS
    except ConfigProblem:
        return []  # reported above
    where = _where(application.path, "SIGNATURE_SECRETS")
    if not secrets:
        return [
            checks.Warning(
                _("%(setting)s is empty, so every callback will be refused with 401.")
                % {"setting": where},
                hint=_("Set it to the application's signature secret (a list; newest first)."),
                id="vonage_meetings.W002",
            )
        ]
    weak = [i for i, secret in enumerate(secrets) if len(secret.encode()) < MIN_SECRET_BYTES]
    if not weak:
        return []
    items = ", ".join(str(i) for i in weak)
    return [
        checks.Warning(
            _("%(setting)s item(s) %(items)s are shorter than %(bytes)d bytes.")
            % {"setting": where, "items": items, "bytes": MIN_SECRET_BYTES},
            hint=_(
                "Use random secrets of at least %(bytes)d bytes, e.g. "
                "secrets.token_urlsafe(32); rotate by putting the new one first."
            )
            % {"bytes": MIN_SECRET_BYTES},
            id="vonage_meetings.W006",
        )
    ]


def _check_key_file(application: ApplicationSettings) -> list[checks.CheckMessage]:
    """A private key file that other users of the machine can read is as good as published."""
    value = application.raw.get("PRIVATE_KEY")
    if not isinstance(value, str | Path) or "-----BEGIN" in str(value):
        return []
    try:
        mode = stat.S_IMODE(Path(value).expanduser().stat().st_mode)
    except (OSError, ValueError):
        return []  # a missing or unreadable file is E004
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return []
    return [
        checks.Warning(
            _("%(setting)s names a file that its group or other users can read (mode %(mode)04o).")
            % {"setting": _where(application.path, "PRIVATE_KEY"), "mode": mode},
            hint=_("chmod 600 the file (owned by the user the site runs as)."),
            id="vonage_meetings.W007",
        )
    ]
