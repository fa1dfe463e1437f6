"""Store each authenticated callback once and, inline, apply and announce it: one transaction
per delivery.

The transaction inserts the event unless its dedupe key is known, then applies it and sends
its signals (receivers run in this transaction, as the signals reference documents). A
duplicate delivered at the same moment waits on the event row's unique key until this
transaction ends, then finds the event processed. When applying fails, everything of the
delivery rolls back and :func:`record_failed_delivery` stores the failed attempt in a
transaction of its own, so the failure stays visible and the next delivery applies the event
again (dj-stripe #832).

Replays. A first delivery's token id (``jti``) is stored on its event, not in a table of its
own: that is one insert fewer on the path every callback takes. It still refuses every replay,
because the token's ``payload_hash`` binds it to its body, so a replayed request always carries
a body whose event is stored, and lands on the duplicate path. There the token is compared with
the event's and, for the sender's own redeliveries, remembered as a :class:`WebhookNonce`; a
token seen either way is refused and the transaction rolls back with nothing written. Events
are never pruned inside the replay window (``meetings_prune_events``).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import rows, signals
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
            jti=self.jti or "",
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
    """Store the event once with its token and (``inline``) apply and announce it, in one
    transaction.

    Raises :class:`ReplayedToken` for a ``jti`` seen before (the transaction rolls back), and
    whatever applying or a receiver raised (rolled back too: receivers run in the transaction,
    so a crash before it commits loses no announcement; the retry makes it).

    Queued (not ``inline``) with nobody listening to ``webhook_received``, a first delivery is
    a single insert, atomic by itself, so it needs no transaction: two statements per callback
    with the enqueue, against the raw-body baseline's one.
    """
    event = _new_event(delivery, inline=inline)
    if not inline and not signals.webhook_received.has_listeners(WebhookEvent):
        if rows.insert(event, unique="dedupe_key"):
            return Outcome(event, new=True, pending=delivery.fields is not None)
        with transaction.atomic():
            return _redelivered(delivery, inline=inline)
    with transaction.atomic():
        if rows.insert(event, unique="dedupe_key"):
            outcome = Outcome(event, new=True, pending=delivery.fields is not None and not inline)
            if delivery.fields is not None and inline:
                outcome.change = apply_event(event, delivery.fields)
        else:
            outcome = _redelivered(delivery, inline=inline)
        announce(outcome.event, outcome.change, received=outcome.new)
    return outcome


def _new_event(delivery: Delivery, *, inline: bool) -> WebhookEvent:
    if delivery.fields is None:
        return delivery.new_event(WebhookEventStatus.IGNORED)
    if inline:
        # Applied in this same transaction, or not stored at all.
        return delivery.new_event(WebhookEventStatus.PROCESSED, attempts=1)
    return delivery.new_event(WebhookEventStatus.RECEIVED)


def _redelivered(delivery: Delivery, *, inline: bool) -> Outcome:
    """A delivery of an event already stored: refuse a replay, else count it and, if the
    event is still due, apply it (inline) or queue it again."""
    existing = _existing(delivery.dedupe_key)
    _remember(existing, delivery.jti, replay_is_error=True)
    existing.deliveries += 1
    written = ["deliveries"]
    if existing.status in DONE:
        rows.update(existing, written)
        return Outcome(existing, new=False)
    if not inline:
        # Failed before: the sender's retry queues it again, for the task that applies what
        # is received (its error stays visible until that succeeds).
        existing.status = WebhookEventStatus.RECEIVED
        rows.update(existing, [*written, "status"])
        return Outcome(existing, new=False, pending=True)
    # Failed before (or left unprocessed): this delivery applies it again.
    change = apply_event(existing, delivery.fields)
    rows.update(existing, [*written, *mark_processed(existing, change)])
    return Outcome(existing, new=False, change=change)


def record_failed_delivery(delivery: Delivery, exc: BaseException) -> WebhookEvent:
    """Store the event as failed after its delivery rolled back (one transaction)."""
    with transaction.atomic():
        event = delivery.new_event(WebhookEventStatus.FAILED)
        mark_failed(event, exc)
        if not rows.insert(event, unique="dedupe_key"):
            event = _existing(delivery.dedupe_key)
            _remember(event, delivery.jti, replay_is_error=False)
            event.deliveries += 1
            written = ["deliveries"]
            if event.status not in DONE:
                # A delivery that raced this one may have applied it meanwhile: keep that.
                written += mark_failed(event, exc)
            rows.update(event, written)
    logger.error(
        "processing webhook event %s (%s) failed: %s: %s",
        event.pk,
        event.event_type,
        type(exc).__name__,
        exc,
    )
    return event


def _existing(dedupe_key: str) -> WebhookEvent:
    event = rows.select(WebhookEvent, "dedupe_key", dedupe_key, lock=True)
    if event is None:
        # Its insert conflicted, so it existed a moment ago: pruned in between.
        raise WebhookEvent.DoesNotExist(f"webhook event {dedupe_key} vanished")
    return event


def _remember(event: WebhookEvent, jti: str | None, *, replay_is_error: bool) -> None:
    """Refuse a token seen before with this event's body; remember a redelivery's token."""
    if jti is None:
        return
    seen = event.jti == jti or not rows.insert(WebhookNonce(jti=jti), unique="jti")
    if seen and replay_is_error:
        raise ReplayedToken(jti)


def prune_nonces(*, probability: float = 0.02) -> None:
    """Delete nonces past the replay window, now and then (cheap enough to do inline)."""
    if random.random() < probability:  # noqa: S311 - sampling, not security
        window = meetings_settings.WEBHOOK_MAX_AGE + meetings_settings.WEBHOOK_CLOCK_SKEW
        cutoff = timezone.now() - dt.timedelta(seconds=2 * window)
        WebhookNonce.objects.filter(seen_at__lt=cutoff).delete()
