"""Store each authenticated callback once, refuse replays, and (inline) have it applied in the
same transaction.

Identity. Callbacks carry no event id. Each one describes one fact (this session started at
that time; this recording was uploaded with that URL), so the canonical JSON of its payload is
its identity (:func:`dedupe_key`), unique in the database: the same callback delivered twice,
or by two web processes at once, is one row. A duplicate delivered at the same moment waits on
that unique key until the first transaction ends, then finds the event stored.

Replays. A first delivery's token id (``jti``) is stored on its event rather than in a table of
its own, one insert fewer on the path every callback takes. That still refuses every replay:
the token's ``payload_hash`` binds it to its body, so a replayed request carries the body of an
event already stored and lands on the duplicate path. There its token is compared with the
event's and, for the sender's own redeliveries, remembered as a :class:`WebhookNonce`; a token
seen either way is refused and the transaction rolls back with nothing written. Events are
never pruned inside the replay window (``meetings_prune_events``).

Failures. When applying fails, everything of the delivery rolls back and
:func:`store_failed_delivery` stores the failed attempt in a transaction of its own, so the
failure stays visible and the next delivery applies the event again (dj-stripe #832).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from .. import signals
from ..conf import meetings_settings
from ..enums import canonical_event
from ..models import UNASSIGNED, WebhookEvent, WebhookNonce
from . import processing, rows
from .apply import ensure_owner

__all__ = [
    "Delivery",
    "Outcome",
    "ReplayedToken",
    "accept",
    "dedupe_key",
    "prune_nonces",
    "store_failed_delivery",
]


class ReplayedToken(Exception):
    """The delivery's token (its ``jti``) was accepted before: a captured request, replayed."""


def dedupe_key(payload: dict[str, Any], application: str | None = None) -> str:
    """Identify a callback by its content: the same callback delivered twice has one key.

    Redeliveries (freshly signed, byte-identical or re-serialised) share it; an old event name
    counts as its current one. With several applications, the application (its Vonage id) is
    part of the identity, so one application's callback is never taken for another's.
    """
    normalised = dict(payload)
    if isinstance(normalised.get("event"), str):
        normalised["event"] = canonical_event(normalised["event"])
    if application is not None:
        normalised = {"application": application, "payload": normalised}
    canonical = json.dumps(normalised, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    #: The Vonage id of the application that authenticated it.
    application_id: str = UNASSIGNED

    def new_event(self, *, inline: bool) -> WebhookEvent:
        status, attempts = processing.arrival_status(known=self.fields is not None, inline=inline)
        now = timezone.now()
        return WebhookEvent(
            application_id=self.application_id,
            event_type=str(self.payload["event"]),
            payload=self.payload,
            dedupe_key=self.dedupe_key,
            jti=self.jti or "",
            status=status,
            attempts=attempts,
            received_at=now,
            processed_at=now if attempts else None,
            auth_method=self.auth_method,
            remote_addr=self.remote_addr,
            headers=self.headers,
        )


@dataclass
class Outcome:
    event: WebhookEvent
    #: Stored by this delivery (``webhook_received`` is due).
    new: bool
    #: What this delivery applied (and announced); None when it applied nothing.
    change: processing.Change | None = None
    #: Stored but not applied: a task has to apply it.
    pending: bool = False


def accept(delivery: Delivery, *, inline: bool) -> Outcome:
    """Store the event once with its token and (``inline``) apply and announce it, in one
    transaction.

    Raises :class:`ReplayedToken` for a ``jti`` seen before (the transaction rolls back), and
    whatever applying or a receiver raised (rolled back too: receivers run in the transaction,
    so a crash before it commits loses no announcement; the retry makes it).

    Queued (not ``inline``) with nobody listening to ``webhook_received``, a first delivery is
    a single insert, atomic by itself, so it needs no transaction.
    """
    ensure_owner(delivery.application_id)
    event = delivery.new_event(inline=inline)
    known = delivery.fields is not None
    if not inline and not signals.webhook_received.has_listeners(WebhookEvent):
        if rows.insert(event, unique="dedupe_key"):
            return Outcome(event, new=True, pending=known)
        with transaction.atomic():
            return _redelivered(delivery, inline=inline)
    with transaction.atomic():
        if rows.insert(event, unique="dedupe_key"):
            outcome = Outcome(event, new=True, pending=known and not inline)
            if known and inline:
                outcome.change = processing.apply_event(event, delivery.fields)
        else:
            outcome = _redelivered(delivery, inline=inline)
        processing.announce(outcome.event, outcome.change, received=outcome.new)
    return outcome


def _redelivered(delivery: Delivery, *, inline: bool) -> Outcome:
    """A delivery of an event already stored: refuse a replay, else count it and, if the
    event is still due, apply it (inline) or queue it again."""
    existing = _existing(delivery.dedupe_key)
    _remember(existing, delivery.jti, replay_is_error=True)
    existing.deliveries += 1
    written = ["deliveries"]
    if existing.is_done:
        rows.update(existing, written)
        return Outcome(existing, new=False)
    if not inline:
        rows.update(existing, [*written, *processing.mark_requeued(existing)])
        return Outcome(existing, new=False, pending=True)
    # Failed before (or left unprocessed): this delivery applies it again.
    change = processing.apply_event(existing, delivery.fields)
    rows.update(existing, [*written, *processing.mark_processed(existing, change)])
    return Outcome(existing, new=False, change=change)


def store_failed_delivery(delivery: Delivery, exc: BaseException) -> WebhookEvent:
    """Store the event as failed after its delivery rolled back (one transaction)."""
    with transaction.atomic():
        event = delivery.new_event(inline=False)
        processing.mark_failed(event, exc)
        if rows.insert(event, unique="dedupe_key"):
            processing.log_failure(event, exc)
            return event
        event = _existing(delivery.dedupe_key)
        _remember(event, delivery.jti, replay_is_error=False)
        event.deliveries += 1
        processing.fail(event, exc, attempt=True, also=["deliveries"])
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
