"""Fault injection per application, so clients can be tested against a misbehaving service.

An application's ``faults`` (or ``VONAGE_MEETINGS_SIMULATOR["FAULTS"]`` for applications with
none) may hold:

``script``
    a list of statuses (``429``, ``500``, ``503``, ``"malformed"`` for a 200 whose body is not
    JSON, or ``0`` for "answer normally") consumed one per API call, in order: deterministic,
    for tests;
``ratios``
    ``{"429": 0.1, "500": 0.05, "503": 0.05, "malformed": 0.01}``: the share of calls answered
    with each;
``delay_ms``
    added latency on every call;
``retry_after``
    the ``Retry-After`` seconds sent with 429 and 503 (default 1).

A faulted call is answered before the request is processed, like a gateway in front of the
service, so a 500 on ``POST /rooms`` creates no room.

Fault settings are validated when they are set (:func:`clean_faults`), so a typo is refused
with a clear message instead of turning every later API call into a crash.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from rest_framework import serializers

from .conf import sim_setting
from .errors import GatewayError, MalformedAnswer, ServiceError
from .models import Application

FAULT_STATUSES = (429, 500, 503)
MALFORMED = "malformed"
#: Everything a fault can answer, as keys of ``ratios``.
FAULTS = (*(str(code) for code in FAULT_STATUSES), MALFORMED)
MAX_DELAY_MS = 60_000
MAX_SCRIPT = 10_000


class FaultsError(ValueError):
    """Fault settings that make no sense (unknown key, ratio above 1, status not injectable)."""


class _Faults(serializers.Serializer[Any]):
    script = serializers.ListField(
        child=serializers.ChoiceField(
            [0, *FAULT_STATUSES, MALFORMED],
            error_messages={
                "invalid_choice": '"{input}" is not a fault the simulator makes; use '
                + ", ".join(str(code) for code in FAULT_STATUSES)
                + f', "{MALFORMED}" or 0 (answer normally)'
            },
        ),
        required=False,
        max_length=MAX_SCRIPT,
    )
    ratios = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=1), required=False
    )
    delay_ms = serializers.FloatField(min_value=0, max_value=MAX_DELAY_MS, required=False)
    retry_after = serializers.IntegerField(min_value=0, max_value=86_400, required=False)

    def validate_ratios(self, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(FAULTS))
        if unknown:
            raise serializers.ValidationError(
                f"unknown status {unknown[0]}; use 429, 500, 503 or malformed"
            )
        if sum(value.values()) > 1:
            raise serializers.ValidationError("the shares add up to more than 1")
        return value


def _describe(errors: Any, path: str = "") -> str:
    if isinstance(errors, Mapping):
        key, value = next(iter(errors.items()))
        return _describe(value, f"{path}.{key}" if path else str(key))
    if isinstance(errors, list) and errors:
        return _describe(errors[0], path)
    return f"{path}: {errors}"


def clean_faults(faults: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validated fault settings (empty values dropped), or :class:`FaultsError`."""
    if faults is None:
        return {}
    if not isinstance(faults, Mapping):
        raise FaultsError("faults must be an object")
    unknown = sorted(set(faults) - set(_Faults().fields))
    if unknown:
        raise FaultsError(f"{unknown[0]}: unknown fault setting; use {', '.join(_Faults().fields)}")
    ratios = faults.get("ratios")
    data = dict(faults)
    if isinstance(ratios, Mapping):  # Python callers may key the shares by int status
        data["ratios"] = {str(code): share for code, share in ratios.items()}
    serializer = _Faults(data=data)
    if not serializer.is_valid():
        raise FaultsError(_describe(serializer.errors))
    return {k: v for k, v in serializer.validated_data.items() if v not in (None, {}, [])}


def effective_faults(application: Application) -> dict[str, Any]:
    if application.faults:
        return dict(application.faults)
    configured = sim_setting("FAULTS")
    if not configured:
        return {}
    try:
        return settings_faults(configured)
    except FaultsError as exc:
        raise ImproperlyConfigured(
            f"VONAGE_MEETINGS_SIMULATOR['FAULTS'] is invalid: {exc}"
        ) from None


def settings_faults(configured: Any) -> dict[str, Any]:
    """``VONAGE_MEETINGS_SIMULATOR["FAULTS"]``, validated; a script there could never advance."""
    faults = clean_faults(configured)
    if "script" in faults:
        raise FaultsError(
            "script: a script is consumed per application; set it with controls.set_faults()"
        )
    return faults


def _next_scripted(application: Application) -> int | str | None:
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        script = list((locked.faults or {}).get("script") or [])
        if not script:
            return None
        first = script.pop(0)
        status = MALFORMED if first == MALFORMED else int(first)
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
    status: int | str | None = None
    if application.faults.get("script"):
        status = _next_scripted(application)
    if status is None:
        ratios = faults.get("ratios") or {}
        roll = random.random()  # noqa: S311 - fault injection, not cryptography
        threshold = 0.0
        for key in FAULTS:
            threshold += float(ratios.get(key, 0) or 0)
            if roll < threshold:
                status = MALFORMED if key == MALFORMED else int(key)
                break
    if not status:
        return
    if status == MALFORMED:
        raise MalformedAnswer
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
