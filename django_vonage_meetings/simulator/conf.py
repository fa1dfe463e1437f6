"""``VONAGE_MEETINGS_SIMULATOR`` settings, read on every access like the app's own."""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings

#: WSGI environ key of requests served in process (set by ``embedded.dispatch``; no HTTP header
#: can produce it).
IN_PROCESS = "django_vonage_meetings.in_process"

DEFAULTS: Final[dict[str, Any]] = {
    # Serve at all. Off unless DEBUG is on or this is True.
    "ENABLED": False,
    # Fault injection applied to applications that have none of their own (see faults.py).
    "FAULTS": {},
    # Limits behind the service's 403s; None means unlimited.
    "MAX_ROOMS": None,
    "MAX_THEMES": None,
    # Lifetime (seconds) of the presigned logo upload policies.
    "LOGO_POLICY_TTL": 3600,
    # Seconds between a recording stopping and it being uploaded.
    "RECORDING_UPLOAD_DELAY": 3.0,
    # Callback delivery: "thread" (background, as the service did) or "manual" (only when
    # controls.deliver_pending() or simulator_tick runs; handy in tests).
    "DELIVERY": "thread",
    "CALLBACK_TIMEOUT": 5.0,
    "CALLBACK_MAX_ATTEMPTS": 5,
    "CALLBACK_BACKOFF": 1.0,
    # Send callbacks to loopback, private and link-local addresses too (always when DEBUG is
    # on); off, they are refused as targets and at every delivery (see egress.py).
    "ALLOW_PRIVATE_CALLBACKS": False,
    # The in-process timer that expires rooms and uploads recordings while the server runs.
    "TIMER": True,
    "TICK_INTERVAL": 1.0,
    "BUCKET": "roomservice-whitelabel-logos-prod",
}


def sim_setting(name: str) -> Any:
    configured = getattr(settings, "VONAGE_MEETINGS_SIMULATOR", None) or {}
    return configured.get(name, DEFAULTS[name])


def is_enabled() -> bool:
    """Serve at all: with DEBUG on, or when explicitly enabled."""
    return bool(settings.DEBUG or sim_setting("ENABLED"))


def in_test_environment() -> bool:
    """Whether Django's test environment is set up (``manage.py test``, pytest-django), which
    turns DEBUG off: the in-process simulator then still serves, as a test is no production."""
    from django.core import mail

    return hasattr(mail, "outbox")


def serves(request: Any) -> bool:
    """The gate of every simulator view: enabled, or an in-process call under a test run."""
    if is_enabled():
        return True
    return bool(getattr(request, "META", {}).get(IN_PROCESS)) and in_test_environment()
