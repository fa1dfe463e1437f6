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
``CALLBACK_MAX_ATTEMPTS``. Every attempt is claimed first with a conditional UPDATE, so the
worker thread, ``controls.deliver_pending()`` and several server processes never send the same
attempt twice. Applications provisioned by the embedded simulator are called back in process
(``embedded.dispatch``), the others over HTTP.
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
from django.dispatch import Signal
from django.utils import timezone

from django_vonage_meetings import __version__
from django_vonage_meetings.webhooks.tokens import mask_tokens

from .conf import sim_setting
from .egress import EgressRefused, check_target
from .models import Application, CallbackDelivery, DeliveryStatus

logger = logging.getLogger("django_vonage_meetings.simulator.delivery")

USER_AGENT = f"vonage-meetings-simulator/{__version__}"
LEASE_SECONDS = 60

#: Sent after every attempt (sender ``CallbackDelivery``; kwargs ``delivery``, ``body`` (the
#: exact bytes), ``status_code`` (None when nothing answered)).
callback_sent = Signal()


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


def claim(delivery: CallbackDelivery, *, due_only: bool = False) -> bool:
    """Take the next attempt of a delivery for this sender; False when another sender (thread,
    process, ``deliver_pending``) has it or it is settled.

    One conditional UPDATE, so whatever mix of senders runs, each attempt is made once. A claim
    lapses after ``LEASE_SECONDS``, so a sender that died mid-attempt does not strand it.
    ``due_only`` leaves a failed delivery alone until its backoff has passed.
    """
    now = timezone.now()
    ready = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
    if due_only:
        ready &= Q(next_attempt_at__lte=now)
    ready |= Q(status=DeliveryStatus.SENDING, claimed_until__lt=now)
    return bool(
        CallbackDelivery.objects.filter(ready, pk=delivery.pk).update(
            status=DeliveryStatus.SENDING,
            attempts=F("attempts") + 1,
            claimed_until=now + dt.timedelta(seconds=LEASE_SECONDS),
        )
    )


def send(delivery: CallbackDelivery, *, claim_it: bool = True) -> CallbackDelivery:
    """Make one attempt now and record its outcome.

    ``claim_it=False`` sends regardless of who else is sending (the duplicate and redelivery
    controls, which send more copies on purpose).
    """
    if claim_it:
        if not claim(delivery):
            delivery.refresh_from_db()
            return delivery
    else:
        CallbackDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    return attempt(delivery)


def attempt(delivery: CallbackDelivery) -> CallbackDelivery:
    """Send a delivery this sender has claimed (or is sending regardless) and record the
    outcome."""
    delivery.refresh_from_db()
    body = bytes(delivery.body)
    headers = signed_headers(delivery, body)
    code: int | None
    if delivery.application.in_process:
        # Never leaves the process: no egress rule applies.
        from .embedded.dispatch import post_in_process

        code, error = post_in_process(delivery.url, body, headers)
    else:
        code, error = _post(delivery.url, body, headers)
    delivery.response_code = code
    delivery.last_error = error
    delivery.claimed_until = None
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
            "claimed_until",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if error:
        # The URL's token is the receiver's password: never in a log line.
        logger.info(
            "callback %s to %s failed: %s", delivery.event, mask_tokens(delivery.url), error
        )
    callback_sent.send(sender=CallbackDelivery, delivery=delivery, body=body, status_code=code)
    return delivery


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST over HTTP: the status code and an error text ("" when it was accepted)."""
    try:
        check_target(url)  # again: a name may resolve elsewhere by now
        response = requests.post(
            url,
            data=body,
            headers=headers,
            timeout=float(sim_setting("CALLBACK_TIMEOUT")),
            allow_redirects=False,  # a redirect could lead anywhere
        )
    except EgressRefused as exc:
        return None, f"refused: {exc}"[:500]
    except requests.RequestException as exc:
        return None, type(exc).__name__
    code = response.status_code
    response.close()
    # Status only: the reply's body is the receiver's business, and storing it would let
    # whoever reads the deliveries read any URL's answer.
    return code, "" if 200 <= code < 300 else f"HTTP {code}"


def due(now: dt.datetime | None = None) -> QuerySet[CallbackDelivery]:
    """Deliveries whose next attempt is due, and those whose sender's claim lapsed."""
    now = now or timezone.now()
    return (
        CallbackDelivery.objects.filter(
            Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, claimed_until__lt=now)
        )
        .select_related("application")
        .order_by("id")
    )


def deliver_due(limit: int = 500, application: Application | None = None) -> list[CallbackDelivery]:
    """Send every callback that is due (of one application, or of all), oldest first (keeps
    each room's events in order); the ones another sender holds are left to it."""
    queued = due() if application is None else due().filter(application=application)
    sent = []
    for delivery in list(queued[:limit]):
        if claim(delivery, due_only=True):
            sent.append(attempt(delivery))
    return sent
