"""The admin's "Sync now": run the sync in the request, or hand it to a background worker.

It runs in the request when the configured Tasks backend runs tasks immediately (or no Tasks
framework is installed), and is enqueued when a real worker backend (the database worker of
django-tasks-db, RQ...) is configured, saying so either way.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .. import services
from ..background import background_backend

__all__ = ["run_or_enqueue_sync"]


def run_or_enqueue_sync(resources: list[str]) -> str:
    """Sync now or enqueue the sync; return a sentence for the user."""
    names = ", ".join(name.replace("_", " ") for name in resources)
    if background_backend() is not None:
        from ..tasks import configured, sync_mirror

        result = configured(sync_mirror).enqueue(resources)
        return _("Sync of %(names)s queued as a background task (%(id)s).") % {
            "names": names,
            "id": getattr(result, "id", "?"),
        }
    results = services.sync(resources)
    summary = "; ".join(f"{name.replace('_', ' ')}: {counts}" for name, counts in results.items())
    return _("Synced %(summary)s.") % {"summary": summary}
