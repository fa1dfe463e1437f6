"""Run long work now, or hand it to a background worker when one is configured.

The admin's "Sync now" runs the sync in the request when the configured Tasks backend runs tasks
immediately (or no Tasks framework is installed), and enqueues it when a real worker backend
(the database worker of django-tasks-db, RQ...) is configured, saying so either way.
"""

from __future__ import annotations

import functools
import importlib
import math
import threading
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .conf import meetings_settings

__all__ = [
    "BatchWindow",
    "background_backend",
    "batch_window",
    "reset_batch_window",
    "run_or_enqueue_sync",
    "tasks_framework",
]


@functools.cache
def tasks_framework() -> Any:
    """``django.tasks`` (Django 6) or the ``django_tasks`` backport, whichever is installed.

    Cached: on Django 5.2 the failed import of ``django.tasks`` searches the file system, which
    cost a queued callback about 0.1 ms each time. An ImproperlyConfigured is not cached.
    """
    for name in ("django.tasks", "django_tasks"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImproperlyConfigured(
        "Background processing needs Django's Tasks framework: Django 6, or on Django 5.2 the "
        "backport (pip install 'django-vonage-meetings[tasks]' and add 'django_tasks' to "
        "INSTALLED_APPS)."
    )


def background_backend() -> Any | None:
    """The configured Tasks backend if it runs tasks in the background, else None."""
    try:
        framework = tasks_framework()
    except ImproperlyConfigured:
        return None
    try:
        backend = framework.task_backends[meetings_settings.TASK_BACKEND]
    except Exception:
        return None
    kind = type(backend).__name__
    if kind in ("ImmediateBackend", "DummyBackend"):
        return None
    return backend


def run_or_enqueue_sync(resources: list[str]) -> str:
    """Sync now or enqueue the sync; return a sentence for the user."""
    names = ", ".join(name.replace("_", " ") for name in resources)
    if background_backend() is not None:
        from .tasks import configured, sync_mirror

        result = configured(sync_mirror).enqueue(resources)
        return _("Sync of %(names)s queued as a background task (%(id)s).") % {
            "names": names,
            "id": getattr(result, "id", "?"),
        }
    from .services import sync

    results = sync(resources)
    summary = "; ".join(f"{name.replace('_', ' ')}: {counts}" for name, counts in results.items())
    return _("Synced %(summary)s.") % {"summary": summary}


class BatchWindow:
    """When this process last scheduled the deferred task that applies stored callbacks
    (``WEBHOOK_BATCH_WINDOW``): wall-clock seconds, the clock the worker compares
    ``run_after`` with."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._opened = -math.inf

    def covers(self, now: float, window: float) -> bool:
        """Whether the task scheduled last still runs at least half a window after ``now``
        (and not unduly later: a clock set back since then opens a new window)."""
        return self._opened <= now < self._opened + window / 2

    def opened_at(self, now: float) -> None:
        with self._lock:
            self._opened = max(self._opened, now)

    def reset(self) -> None:
        with self._lock:
            self._opened = -math.inf


batch_window = BatchWindow()


def reset_batch_window(*, setting: str, **kwargs: Any) -> None:
    """``setting_changed`` receiver: a test that switches backends or settings (and whose
    database no longer holds the task an earlier test scheduled) starts a fresh window."""
    if setting in ("VONAGE_MEETINGS", "TASKS"):
        batch_window.reset()
