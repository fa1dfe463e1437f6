"""Store each authenticated callback once and, inline, apply and announce it: one transaction
per delivery.

The transaction starts with the token's ``jti`` (a replayed request stops there, nothing
written), then inserts the event unless its dedupe key is known, then applies it and sends its
signals (receivers run in this transaction, as the signals reference documents). A duplicate
delivered at the same moment waits on the event row's unique key until this transaction ends,
then finds the event processed. When applying fails, everything of the delivery rolls back and
:func:`record_failed_delivery` stores the failed attempt in a transaction of its own, so the
failure stays visible and the next delivery applies the event again (dj-stripe #832).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import rows
from .conf import meetings_settings
from .events import DONE, Change, announce, apply_event, mark_failed, mark_processed
from .models import WebhookEvent, WebhookEventStatus, WebhookNonce

__all__ = [
    "Delivery",
    "Outcome",
    "ReplayedToken",
    "accept",
    "prune_nonces",
    "record_failed_delivery",
]

logger = logging.getLogger("django_vonage_meetings.events")


class ReplayedToken(Exception):
    """The delivery's token (its ``jti``) was accepted before: a captured request, replayed."""


@dataclass
class Delivery:
    """One authenticated, parsed callback as it arrived."""

    payload: dict[str, Any]
    #: The validated fields; None for an event type this app does not know.
    fields: dict[str, Any] | None
    dedupe_key: str
    #: The signed JWT's ``jti``; None when the signed URL authenticated the callback.
    jti: str | None
    auth_method: str
    remote_addr: str | None
    headers: dict[str, str] = field(default_factory=dict)

    def new_event(self, status: str, **extra: Any) -> WebhookEvent:
        now = timezone.now()
        return WebhookEvent(
            event_type=str(self.payload["event"]),
            payload=self.payload,
            dedupe_key=self.dedupe_key,
            status=status,
            received_at=now,
            processed_at=now if status in DONE else None,
            auth_method=self.auth_method,
            remote_addr=self.remote_addr,
            headers=self.headers,
            **extra,
        )


@dataclass
class Outcome:
    event: WebhookEvent
    #: Stored by this delivery (``webhook_received`` is due).
    new: bool
    #: What this delivery applied (and announced); None when it applied nothing.
    change: Change | None = None
    #: Stored but not applied: a task has to apply it.
    pending: bool = False


def accept(delivery: Delivery, *, inline: bool) -> Outcome:
    """Remember the token, store the event once and (``inline``) apply and announce it, in one
    transaction.

    Raises :class:`ReplayedToken` for a ``jti`` seen before (the transaction rolls back), and
    whatever applying or a receiver raised (rolled back too: receivers run in the transaction,
    so a crash before it commits loses no announcement; the retry makes it).
    """
    with transaction.atomic():
        outcome = _store(delivery, inline=inline)
        announce(outcome.event, outcome.change, received=outcome.new)
    return outcome


def _store(delivery: Delivery, *, inline: bool) -> Outcome:
    known = delivery.fields is not None
    if not known:
        event = delivery.new_event(WebhookEventStatus.IGNORED)
    elif inline:
        event = delivery.new_event(WebhookEventStatus.PROCESSED, attempts=1)
    else:
        event = delivery.new_event(WebhookEventStatus.RECEIVED)
    _remember(delivery.jti, replay_is_error=True)
    if rows.insert(event, unique="dedupe_key"):
        if known and inline:
            change = apply_event(event, delivery.fields)
            return Outcome(event, new=True, change=change)
        return Outcome(event, new=True, pending=known)
    existing = _existing(delivery.dedupe_key)
    existing.deliveries += 1
    written = ["deliveries"]
    if existing.status in DONE:
        rows.update(existing, written)
        return Outcome(existing, new=False)
    if not inline:
        rows.update(existing, written)
        return Outcome(existing, new=False, pending=True)
    # Failed before (or left unprocessed): this delivery applies it again.
    change = apply_event(existing, delivery.fields)
    rows.update(existing, [*written, *mark_processed(existing, change)])
    return Outcome(existing, new=False, change=change)


def record_failed_delivery(delivery: Delivery, exc: BaseException) -> WebhookEvent:
    """Store the event as failed after its delivery rolled back (one transaction)."""
    with transaction.atomic():
        _remember(delivery.jti, replay_is_error=False)
        event = delivery.new_event(WebhookEventStatus.FAILED)
        mark_failed(event, exc)
        if not rows.insert(event, unique="dedupe_key"):
            event = _existing(delivery.dedupe_key)
            event.deliveries += 1
            rows.update(event, ["deliveries", *mark_failed(event, exc)])
    logger.error(
        "processing webhook event %s (%s) failed: %s", event.pk, event.event_type, event.error
    )
    return event


def _existing(dedupe_key: str) -> WebhookEvent:
    event = rows.select(WebhookEvent, "dedupe_key", dedupe_key, lock=True)
    if event is None:
        # Its insert conflicted, so it existed a moment ago: pruned in between.
        raise WebhookEvent.DoesNotExist(f"webhook event {dedupe_key} vanished")
    return event


def _remember(jti: str | None, *, replay_is_error: bool) -> None:
    if jti is None:
        return
    if not rows.insert(WebhookNonce(jti=jti), unique="jti") and replay_is_error:
        raise ReplayedToken(jti)


def prune_nonces(*, probability: float = 0.02) -> None:
    """Delete nonces past the replay window, now and then (cheap enough to do inline)."""
    if random.random() < probability:  # noqa: S311 - sampling, not security
        window = meetings_settings.WEBHOOK_MAX_AGE + meetings_settings.WEBHOOK_CLOCK_SKEW
        cutoff = timezone.now() - dt.timedelta(seconds=2 * window)
        WebhookNonce.objects.filter(seen_at__lt=cutoff).delete()
