"""Apply stored callbacks and announce them: the only module that changes a ``WebhookEvent``'s
status.

An event is applied (its handler's apply function) and announced (its signal, then
``webhook_processed``) in one transaction, with the rows it changes locked. Receivers therefore
see the event's changes, and their own writes commit or roll back with them; a process that
dies before the commit leaves nothing half done, and the sender's retry applies and announces
the event afresh. :func:`process_event` takes only the event's primary key, so the same code runs
in the webhook request (``WEBHOOK_PROCESSING = "inline"``, where the inbox applies the event in
the transaction that stores it) and in a task worker (``"task"``).

If applying or a receiver raises, the event's changes and every receiver's writes roll back
(their ``transaction.on_commit`` callbacks never run), the event is stored as failed with its
traceback in a transaction of its own, ``webhook_failed`` is sent, and the error propagates so
the sender retries.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .. import signals
from ..models import Application, WebhookEvent, WebhookEventStatus
from . import rows
from .apply import Applied
from .handlers import EventHandler, handler_for

__all__ = [
    "BatchResult",
    "Change",
    "announce",
    "announce_failure",
    "apply_event",
    "arrival_status",
    "fail",
    "log_failure",
    "mark_failed",
    "mark_processed",
    "mark_requeued",
    "process_event",
    "process_events",
    "process_received",
    "record_failure",
]

logger = logging.getLogger("django_vonage_meetings.events")


@dataclass
class Change:
    """An applied event: its handler (signal, sender) and what applying it did."""

    handler: EventHandler
    applied: Applied


# -- status transitions ----------------------------------------------------------------------


def arrival_status(*, known: bool, inline: bool) -> tuple[WebhookEventStatus, int]:
    """Status and attempt count a new event is stored with.

    An unknown event type is ignored; an inline one is applied in the same transaction that
    stores it (or nothing is stored), so it is stored processed; a queued one waits for a task.
    """
    if not known:
        return WebhookEventStatus.IGNORED, 0
    if inline:
        return WebhookEventStatus.PROCESSED, 1
    return WebhookEventStatus.RECEIVED, 0


def mark_processed(event: WebhookEvent, change: Change | None) -> list[str]:
    """Record a successful attempt on the instance; returns the fields to write."""
    event.status = WebhookEventStatus.PROCESSED if change else WebhookEventStatus.IGNORED
    event.attempts += 1
    event.processed_at = timezone.now()
    event.error = ""
    event.traceback = ""
    return ["status", "attempts", "processed_at", "error", "traceback"]


def mark_requeued(event: WebhookEvent) -> list[str]:
    """A failed event delivered again in task mode waits for the next task (its error stays
    visible until that succeeds)."""
    event.status = WebhookEventStatus.RECEIVED
    return ["status"]


def mark_failed(event: WebhookEvent, exc: BaseException, *, attempt: bool = True) -> list[str]:
    """Record a failure on the instance (error and traceback); returns the fields to write."""
    event.status = WebhookEventStatus.FAILED
    if attempt:
        event.attempts += 1
    event.error = f"{type(exc).__name__}: {exc}"[:2000]
    event.traceback = "".join(traceback.format_exception(exc))[-20000:]
    return ["status", "attempts", "error", "traceback"]


def fail(
    event: WebhookEvent, exc: BaseException, *, attempt: bool, also: Iterable[str] = ()
) -> None:
    """Mark a stored (locked) event failed and write it, with any ``also`` fields; log it.

    An event a racing delivery applied meanwhile keeps its status: only the ``also`` fields
    are written.
    """
    fields = list(also)
    if not event.is_done:
        fields += mark_failed(event, exc, attempt=attempt)
    rows.update(event, fields)
    log_failure(event, exc)


def log_failure(event: WebhookEvent, exc: BaseException) -> None:
    logger.error(
        "processing webhook event %s (%s) failed: %s: %s",
        event.pk,
        event.event_type,
        type(exc).__name__,
        exc,
    )


def record_failure(pk: int, exc: BaseException, *, attempt: bool) -> WebhookEvent:
    """Store a failure on event ``pk`` in a transaction of its own.

    ``attempt`` counts a processing attempt that rolled back; a failure after the event was
    applied and counted (its queueing, say) does not count again.
    """
    with transaction.atomic():
        event = rows.select(WebhookEvent, "id", pk, lock=True)
        if event is None:
            raise WebhookEvent.DoesNotExist(f"No webhook event {pk}")
        fail(event, exc, attempt=attempt)
    return event


# -- applying and announcing -----------------------------------------------------------------


def apply_event(event: WebhookEvent, fields: dict[str, Any] | None = None) -> Change | None:
    """Apply an event to the models inside the caller's transaction; None for unknown types.

    The caller holds the event row (just inserted, or locked) and records the outcome on it.
    ``fields`` are the validated payload when the caller already parsed it.
    """
    handler = handler_for(event.event_type)
    if handler is None:
        return None
    if fields is None:
        fields = handler.parse(event.payload)
    return Change(handler, handler.apply(event, fields))


def announce(event: WebhookEvent, change: Change | None, *, received: bool) -> None:
    """Send the event's signals, inside the transaction that applied it.

    ``received`` sends ``webhook_received`` first (a callback stored for the first time). The
    event's own signal and ``webhook_processed`` follow when ``change`` says it was applied.
    Nothing is loaded when nobody listens.
    """
    if not _listening(change, received=received):
        return
    common = {"event": event, "payload": event.payload, "application": application_of(event)}
    if received:
        signals.webhook_received.send(sender=WebhookEvent, **common)
    if change is None:
        return
    applied = change.applied
    instances: dict[str, models.Model | None] = dict(applied.instances)
    for name, (model, vonage_id) in applied.related.items():
        instances[name] = rows.select(model, "vonage_id", vonage_id) if vonage_id else None
    change.handler.signal.send(
        sender=change.handler.sender, stale=applied.stale, **common, **instances
    )
    signals.webhook_processed.send(sender=WebhookEvent, **common)


def application_of(event: WebhookEvent) -> Application | None:
    """The ``Application`` row of the application a callback came for (signals carry it)."""
    if not event.application_id:
        return None
    return rows.select(Application, "vonage_id", event.application_id)


def _listening(change: Change | None, *, received: bool) -> bool:
    if received and signals.webhook_received.has_listeners(WebhookEvent):
        return True
    if change is None:
        return False
    return change.handler.signal.has_listeners(
        change.handler.sender
    ) or signals.webhook_processed.has_listeners(WebhookEvent)


def announce_failure(event: WebhookEvent, exc: BaseException) -> None:
    """Send ``webhook_failed``; a receiver failing too is logged, never hides the answer the
    sender needs."""
    for receiver, error in signals.webhook_failed.send_robust(
        sender=WebhookEvent,
        event=event,
        payload=event.payload,
        application=application_of(event),
        exception=exc,
    ):
        if isinstance(error, Exception):
            logger.error("webhook_failed receiver %r raised %r", receiver, error)


def process_event(pk: int) -> WebhookEvent:
    """Apply the stored event ``pk`` once and announce it; re-raise (after recording) on failure."""
    try:
        with transaction.atomic():
            event = rows.select(WebhookEvent, "id", pk, lock=True)
            if event is None:
                raise WebhookEvent.DoesNotExist(f"No webhook event {pk}")
            if event.is_done:
                return event
            change = apply_event(event)
            rows.update(event, mark_processed(event, change))
            # An unknown type's only signal is webhook_received: resend it, as what failed
            # before can only have been a receiver of it.
            announce(event, change, received=change is None)
    except WebhookEvent.DoesNotExist:
        raise
    except Exception as exc:
        failed = record_failure(pk, exc, attempt=True)
        signals.webhook_failed.send(
            sender=WebhookEvent,
            event=failed,
            payload=failed.payload,
            application=application_of(failed),
            exception=exc,
        )
        raise
    return event


# -- batches ---------------------------------------------------------------------------------


@dataclass
class BatchResult:
    processed: int = 0
    failed: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)


def process_received(limit: int) -> tuple[BatchResult, bool]:
    """Apply up to ``limit`` events stored for a task, in the order they arrived.

    Returns the result and whether received events remain (the limit was reached). Each event
    is applied in its own transaction by :func:`process_event`, which locks it, so a second
    drain running at the same time waits on that event and then finds it processed; a failure
    is recorded on its event and the drain goes on with the next one. Events stored while the
    drain runs are taken too: it reads the next batch after the last id it saw.
    """
    result = BatchResult()
    received = WebhookEvent.objects.filter(status=WebhookEventStatus.RECEIVED).order_by("pk")
    last = 0
    while result.processed + result.failed < limit:
        size = min(100, limit - result.processed - result.failed)
        batch = list(received.filter(pk__gt=last).values_list("pk", flat=True)[:size])
        if not batch:
            return result, False
        _process_each(batch, result)
        last = batch[-1]
    return result, received.filter(pk__gt=last).exists()


def _process_each(pks: Iterable[int], result: BatchResult) -> None:
    for pk in pks:
        try:
            process_event(pk)
        except Exception as exc:  # recorded on the event by process_event
            result.failed += 1
            result.failures.append((pk, f"{type(exc).__name__}: {exc}"))
        else:
            result.processed += 1


def process_events(queryset: models.QuerySet[WebhookEvent]) -> BatchResult:
    """Process many stored events in order of arrival; failures are recorded and counted."""
    result = BatchResult()
    _process_each(queryset.order_by("received_at", "id").values_list("pk", flat=True), result)
    return result
