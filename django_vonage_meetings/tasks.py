"""Background work on Django's Tasks framework (``django.tasks``; the ``django-tasks`` backport on
Django 5.2): process a stored callback, sync the mirror, retry failed callbacks.

Only primary keys and plain values travel, so any backend works (the database worker of
``django-tasks-db``, RQ, Celery adapters). Tasks run on ``VONAGE_MEETINGS["TASK_BACKEND"]`` and
``["TASK_QUEUE"]``; importing this module needs a Tasks framework (it is imported only when one
of these features is used).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from .conf import meetings_settings
from .tasks_support import tasks_framework

__all__ = [
    "configured",
    "enqueue_event",
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
    from .events import process_event

    return str(process_event(event_id).status)


@task
def sync_mirror(resources: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Pull rooms, themes, recordings and dial-in numbers (or the named ones) from the API."""
    from .services import sync

    return {name: counts.as_dict() for name, counts in sync(resources).items()}


@task
def retry_failed_events(limit: int = 500) -> dict[str, int]:
    """Process failed callbacks again, oldest first."""
    from .events import process_events
    from .models import WebhookEvent, WebhookEventStatus

    failed = WebhookEvent.objects.filter(status=WebhookEventStatus.FAILED)
    ids = list(failed.order_by("received_at", "id").values_list("pk", flat=True)[:limit])
    result = process_events(WebhookEvent.objects.filter(pk__in=ids))
    return {"processed": result.processed, "failed": result.failed}


def configured(task_object: Any) -> Any:
    """The task on the configured backend and queue."""
    return task_object.using(
        backend=meetings_settings.TASK_BACKEND, queue_name=meetings_settings.TASK_QUEUE
    )


def enqueue_event(event_id: int) -> None:
    """Enqueue processing of a stored callback once the current transaction commits."""
    transaction.on_commit(lambda: configured(process_webhook_event).enqueue(event_id))
