"""Fault injection per application, so clients can be tested against a misbehaving service.

An application's ``faults`` (or ``VONAGE_MEETINGS_SIMULATOR["FAULTS"]`` for applications with
none) may hold:

``script``
    a list of statuses (``429``, ``500``, ``503``, or ``0`` for "answer normally") consumed one
    per API call, in order: deterministic, for tests;
``ratios``
    ``{"429": 0.1, "500": 0.05, "503": 0.05}``: the share of calls answered with each status;
``delay_ms``
    added latency on every call;
``retry_after``
    the ``Retry-After`` seconds sent with 429 and 503 (default 1).

A faulted call is answered before the request is processed, like a gateway in front of the
service, so a 500 on ``POST /rooms`` creates no room.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.db import transaction

from .conf import sim_setting
from .errors import GatewayError, ServiceError
from .models import Application

FAULT_STATUSES = (429, 500, 503)


def effective_faults(application: Application) -> dict[str, Any]:
    faults = application.faults or sim_setting("FAULTS") or {}
    return dict(faults)


def _next_scripted(application: Application) -> int | None:
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        script = list((locked.faults or {}).get("script") or [])
        if not script:
            return None
        status = int(script.pop(0))
        locked.faults = {**locked.faults, "script": script}
        locked.save(update_fields=["faults"])
    return status


def apply_faults(application: Application) -> None:
    """Sleep, or raise the error response the faults ask for; return to answer normally."""
    faults = effective_faults(application)
    if not faults:
        return
    delay = float(faults.get("delay_ms") or 0)
    if delay > 0:
        time.sleep(delay / 1000)
    status: int | None = None
    if application.faults.get("script"):
        status = _next_scripted(application)
    if status is None:
        ratios = faults.get("ratios") or {}
        roll = random.random()  # noqa: S311 - fault injection, not cryptography
        threshold = 0.0
        for code in FAULT_STATUSES:
            threshold += float(ratios.get(str(code), 0) or 0)
            if roll < threshold:
                status = code
                break
    if not status:
        return
    retry_after = str(faults.get("retry_after", 1))
    if status == 429:
        raise GatewayError(
            429, "Too Many Requests", "Rate Limit Hit", "throttled", {"Retry-After": retry_after}
        )
    if status == 503:
        raise GatewayError(
            503,
            "Service Unavailable",
            "The service is temporarily unavailable",
            "unavailable",
            {"Retry-After": retry_after},
        )
    raise ServiceError(500, "InternalServerError", "Internal Server Error")
