"""The admin's "Sync now": run the sync in the request, or hand it to a background worker.

It runs in the request when the configured Tasks backend runs tasks immediately (or no Tasks
framework is installed), and is enqueued when a real worker backend (the database worker of
django-tasks-db, RQ...) is configured, saying so either way. It syncs every configured
application.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .. import credentials, services
from ..background import background_backend

__all__ = ["run_or_enqueue_sync"]


def run_or_enqueue_sync(resources: list[str]) -> str:
    """Sync now or enqueue the sync; return a sentence for the user."""
    names = ", ".join(name.replace("_", " ") for name in resources)
    applications = credentials.names()
    if background_backend() is not None:
        from ..tasks import configured, sync_mirror

        queued = [
            configured(sync_mirror).enqueue(resources, application) for application in applications
        ]
        return _("Sync of %(names)s queued as a background task (%(id)s).") % {
            "names": names,
            "id": ", ".join(str(getattr(result, "id", "?")) for result in queued),
        }
    lines = []
    for application in applications:
        results = services.sync(resources, application=application)
        summary = "; ".join(
            f"{name.replace('_', ' ')}: {counts}" for name, counts in results.items()
        )
        lines.append(summary if len(applications) == 1 else f"{application}: {summary}")
    return _("Synced %(summary)s.") % {"summary": " | ".join(lines)}
