"""What background work needs to know, without importing the tasks themselves.

Which Tasks framework is installed (Django 6's ``django.tasks`` or the ``django-tasks``
backport), whether the configured backend runs tasks in the background, and the batch window
of queued callbacks (``WEBHOOK_BATCH_WINDOW``). ``tasks.py`` builds on this module; this module
never imports it, so checks and the admin can ask these questions on a project without a Tasks
framework.
"""

from __future__ import annotations

import functools
import importlib
import math
import threading
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .conf import meetings_settings

__all__ = [
    "BatchWindow",
    "background_backend",
    "batch_window",
    "reset_batch_window",
    "tasks_framework",
]


@functools.cache
def tasks_framework() -> Any:
    """``django.tasks`` (Django 6) or the ``django_tasks`` backport, whichever is installed.

    Cached: on Django 5.2 the failed import of ``django.tasks`` searches the file system on
    every call, on the path of every queued callback. An ImproperlyConfigured is not cached.
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
