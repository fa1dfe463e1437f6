"""Run long work now, or hand it to a background worker when one is configured.

The admin's "Sync now" runs the sync in the request when the configured Tasks backend runs tasks
immediately (or no Tasks framework is installed), and enqueues it when a real worker backend
(the database worker of django-tasks-db, RQ...) is configured, saying so either way.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .conf import meetings_settings

__all__ = ["background_backend", "run_or_enqueue_sync", "tasks_framework"]


def tasks_framework() -> Any:
    """``django.tasks`` (Django 6) or the ``django_tasks`` backport, whichever is installed."""
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
