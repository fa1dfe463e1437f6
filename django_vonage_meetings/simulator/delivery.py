"""Callback delivery: signed POSTs, recorded and retried (the worker thread calls this off the
request thread).

Each attempt is signed afresh the Vonage way: ``Authorization: Bearer <JWT>``, HS256 with the
application's signature secret, claims ``iat``, ``jti``, ``iss`` ("Vonage"), ``application_id``
and ``payload_hash`` (SHA-256 hex of the exact body bytes). The service never documented
signing Meetings callbacks; the simulator signs them like Vonage's other APIs so receivers can
verify them (applications without a secret get unsigned callbacks). The room's ``metadata``
travels in an ``X-Vonage-Meetings-Metadata`` header; that name is invented, the service never
documented it.

A failed attempt (network error or a non-2xx answer) is retried with exponential backoff up to
``CALLBACK_MAX_ATTEMPTS``. Deliveries are claimed with a conditional UPDATE, so several server
processes never send the same attempt twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import uuid

import jwt
import requests
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from django_vonage_meetings import __version__
from django_vonage_meetings.webhooks.tokens import mask_tokens

from .conf import sim_setting
from .egress import EgressRefused, check_target
from .models import Application, CallbackDelivery, DeliveryStatus

logger = logging.getLogger("django_vonage_meetings.simulator.delivery")

USER_AGENT = f"vonage-meetings-simulator/{__version__}"
LEASE_SECONDS = 60


def signed_headers(delivery: CallbackDelivery, body: bytes) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if delivery.metadata:
        headers["X-Vonage-Meetings-Metadata"] = delivery.metadata
    secret = delivery.application.signature_secret
    if secret:
        claims = {
            "iat": int(time.time()),
            "jti": str(uuid.uuid4()),
            "iss": "Vonage",
            "application_id": delivery.application.application_id,
            "payload_hash": hashlib.sha256(body).hexdigest(),
        }
        headers["Authorization"] = "Bearer " + jwt.encode(claims, secret, algorithm="HS256")
    return headers


def _claim(delivery: CallbackDelivery, now: dt.datetime) -> bool:
    """Take one attempt of a delivery; False when another thread or process took it."""
    return bool(
        CallbackDelivery.objects.filter(
            pk=delivery.pk, attempts=delivery.attempts, status=delivery.status
        ).update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + dt.timedelta(seconds=LEASE_SECONDS),
        )
    )


def send(delivery: CallbackDelivery, *, claim: bool = True) -> CallbackDelivery:
    """Make one attempt now and record its outcome."""
    now = timezone.now()
    if claim:
        if not _claim(delivery, now):
            delivery.refresh_from_db()
            return delivery
    else:
        CallbackDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    delivery.refresh_from_db()
    body = bytes(delivery.body)
    code: int | None = None
    error = ""
    try:
        check_target(delivery.url)  # again: a name may resolve elsewhere by now
        response = requests.post(
            delivery.url,
            data=body,
            headers=signed_headers(delivery, body),
            timeout=float(sim_setting("CALLBACK_TIMEOUT")),
            allow_redirects=False,  # a redirect could lead anywhere
        )
        code = response.status_code
        response.close()
        # Status only: the reply's body is the receiver's business, and storing it would let
        # whoever reads the deliveries read any URL's answer.
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except EgressRefused as exc:
        error = f"refused: {exc}"[:500]
    except requests.RequestException as exc:
        error = type(exc).__name__
    delivery.response_code = code
    delivery.last_error = error
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
    elif delivery.attempts >= int(sim_setting("CALLBACK_MAX_ATTEMPTS")):
        delivery.status = DeliveryStatus.GAVE_UP
    else:
        delivery.status = DeliveryStatus.FAILED
        backoff = float(sim_setting("CALLBACK_BACKOFF")) * 2 ** (delivery.attempts - 1)
        delivery.next_attempt_at = timezone.now() + dt.timedelta(seconds=backoff)
    delivery.save(
        update_fields=[
            "response_code",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if error:
        # The URL's token is the receiver's password: never in a log line.
        logger.info(
            "callback %s to %s failed: %s", delivery.event, mask_tokens(delivery.url), error
        )
    return delivery


def due(now: dt.datetime | None = None) -> QuerySet[CallbackDelivery]:
    now = now or timezone.now()
    return (
        CallbackDelivery.objects.filter(
            Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.FAILED),
            next_attempt_at__lte=now,
        )
        .select_related("application")
        .order_by("id")
    )


def deliver_due(limit: int = 500, application: Application | None = None) -> list[CallbackDelivery]:
    """Send every callback that is due (of one application, or of all), oldest first (keeps
    each room's events in order)."""
    queued = due() if application is None else due().filter(application=application)
    return [send(delivery) for delivery in list(queued)[:limit]]
