"""Background work on Django's Tasks framework (``django.tasks``; the ``django-tasks`` backport on
Django 5.2): process stored callbacks, sync the mirror, retry failed callbacks.

Only primary keys and plain values travel, so any backend works (the database worker of
``django-tasks-db``, RQ, Celery adapters). Tasks run on ``VONAGE_MEETINGS["TASK_BACKEND"]`` and
``["TASK_QUEUE"]``; importing this module needs a Tasks framework (it is imported only when one
of these features is used).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .background import batch_window, tasks_framework
from .conf import meetings_settings

__all__ = [
    "configured",
    "enqueue_event",
    "process_received_events",
    "process_webhook_event",
    "retry_failed_events",
    "sync_mirror",
    "tasks_framework",
]


#: ``task`` of whichever framework is installed (untyped there; the tasks below document theirs).
task: Callable[[Callable[..., Any]], Any] = tasks_framework().task


@task
def process_webhook_event(event_id: int) -> str:
    """Apply one stored callback (a failure is recorded on the event and re-raised)."""
    from .webhooks.processing import process_event

    return str(process_event(event_id).status)


@task
def process_received_events(limit: int = 1000) -> dict[str, int]:
    """Apply the callbacks stored for a task, in the order they arrived (see
    ``WEBHOOK_BATCH_WINDOW``); after ``limit`` of them, hand the rest to a fresh task."""
    from .webhooks.processing import process_received

    result, more = process_received(limit)
    if more:
        configured(process_received_events).enqueue(limit)
    return {"processed": result.processed, "failed": result.failed}


@task
def sync_mirror(
    resources: list[str] | None = None, application: str | None = None
) -> dict[str, dict[str, int]]:
    """Pull rooms, themes, recordings and dial-in numbers (or the named ones) of one application
    (its settings name; the default one when omitted) from the API. Enqueue one per
    application to sync them all."""
    from .services import sync

    results = sync(resources, application=application)
    return {name: counts.as_dict() for name, counts in results.items()}


@task
def retry_failed_events(limit: int = 500) -> dict[str, int]:
    """Process failed callbacks again, oldest first."""
    from .models import WebhookEvent, WebhookEventStatus
    from .webhooks.processing import process_events

    failed = WebhookEvent.objects.filter(status=WebhookEventStatus.FAILED)
    ids = list(failed.order_by("received_at", "id").values_list("pk", flat=True)[:limit])
    result = process_events(WebhookEvent.objects.filter(pk__in=ids))
    return {"processed": result.processed, "failed": result.failed}


def configured(task_object: Any, **options: Any) -> Any:
    """The task on the configured backend and queue (with further ``using`` options)."""
    return task_object.using(
        backend=meetings_settings.TASK_BACKEND, queue_name=meetings_settings.TASK_QUEUE, **options
    )


def enqueue_event(event_id: int) -> None:
    """Make sure a task applies the stored callback ``event_id`` once the current transaction
    commits: its own task, or the batch task this process has already scheduled."""
    transaction.on_commit(lambda: _schedule(event_id))


def _schedule(event_id: int) -> None:
    # Enqueueing costs as much as storing the callback did, so a busy process enqueues one
    # deferred batch task per half window instead of a task per callback. The task runs a
    # full window after it was scheduled, so
    # every callback this process stored (committed) in the first half is in the database by
    # then, with half a window to spare for clock drift between web and worker hosts.
    window = meetings_settings.WEBHOOK_BATCH_WINDOW
    moment = timezone.now()  # aware or naive, as USE_TZ wants run_after
    now = moment.timestamp()
    if window > 0 and batch_window.covers(now, window):
        # Only ever true once a deferred task was scheduled: the common case, kept cheapest.
        return
    backend = tasks_framework().task_backends[meetings_settings.TASK_BACKEND]
    if window <= 0 or not backend.supports_defer:
        configured(process_webhook_event).enqueue(event_id)
        return
    configured(process_received_events, run_after=moment + dt.timedelta(seconds=window)).enqueue()
    # Only once it is queued: after a failed enqueue the next callback tries again.
    batch_window.opened_at(now)
