"""The admin's "Sync now": run the sync in the request, or hand it to a background worker.

It runs in the request when the configured Tasks backend runs tasks immediately (or no Tasks
framework is installed), and is enqueued when a real worker backend (the database worker of
django-tasks-db, RQ...) is configured, saying so either way. It syncs every configured
application.

The sentence is in the user's language; ``meetings_sync`` prints the same counts in English.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import credentials, services
from ..background import background_backend

__all__ = ["run_or_enqueue_sync"]

#: How the sentence names each resource (the sync's names are identifiers).
RESOURCE_LABELS = {
    "themes": gettext_lazy("themes"),
    "rooms": gettext_lazy("rooms"),
    "recordings": gettext_lazy("recordings"),
    "dial_in_numbers": gettext_lazy("dial in numbers"),
}


def _label(name: str) -> str:
    return str(RESOURCE_LABELS.get(name, name.replace("_", " ")))


def _counts(counts: services.SyncCounts) -> str:
    """``str(counts)``, in the user's language."""
    text = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
    }
    if counts.deleted:
        text = _("%(counts)s, %(deleted)d deleted") % {"counts": text, "deleted": counts.deleted}
    return text


def run_or_enqueue_sync(resources: list[str]) -> str:
    """Sync now or enqueue the sync; return a sentence for the user."""
    names = ", ".join(_label(name) for name in resources)
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
            f"{_label(name)}: {_counts(counts)}" for name, counts in results.items()
        )
        lines.append(summary if len(applications) == 1 else f"{application}: {summary}")
    return _("Synced %(summary)s.") % {"summary": " | ".join(lines)}
