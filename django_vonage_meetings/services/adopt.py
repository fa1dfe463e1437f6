"""Give rows nobody could place to the application they belong to.

Rows get the placeholder owner ``unassigned`` when no application id was known as they were
made: migration 0004 on a database whose settings named none and whose data told none, or rows
made while the settings had no ``APPLICATION_ID``. They stay visible in the admin, but no
service acts on them as any application's until they are adopted. Only rows of an id that no
configured application has are moved: a configured application's rows are its own, and moving
them would hand one customer's rooms to another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from .. import credentials
from ..exceptions import MeetingsValidationError
from ..models import (
    UNASSIGNED,
    Application,
    DialInNumber,
    Participant,
    Recording,
    Room,
    Session,
    Theme,
    WebhookEvent,
)
from .applications import Named, application_row

__all__ = ["Adoption", "adopt_rows"]

#: Whose rows move, by the names they are reported with.
OWNED = (
    ("themes", Theme),
    ("rooms", Room),
    ("sessions", Session),
    ("participants", Participant),
    ("recordings", Recording),
    ("dial-in numbers", DialInNumber),
    ("webhook events", WebhookEvent),
)


@dataclass
class Adoption:
    """What :func:`adopt_rows` moved (or would move, with ``dry_run``)."""

    source: str
    target: Application
    moved: dict[str, int] = field(default_factory=dict)
    #: Dial-in numbers the target already lists (its own sync's rows win; these were dropped).
    duplicates_dropped: int = 0

    @property
    def total(self) -> int:
        return sum(self.moved.values())

    def __str__(self) -> str:
        counts = ", ".join(f"{name}: {count}" for name, count in self.moved.items())
        text = f"{counts} ({self.total} rows) from {self.source!r} to {self.target.name!r}"
        if self.duplicates_dropped:
            text += (
                f"; dial-in numbers {self.target.name!r} already listed, dropped: "
                f"{self.duplicates_dropped}"
            )
        return text


def adopt_rows(
    application: Named = None, *, source: str = UNASSIGNED, dry_run: bool = False
) -> Adoption:
    """Move every row owned by ``source`` (a Vonage application id no configured application
    has; the placeholder by default) to ``application`` (a settings name or row; the default
    one), in one transaction.

    A bulk update: ``pre_save``/``post_save`` are not sent, so audit trails do not see it.
    """
    configured = credentials.for_application_id(source)
    if configured is not None:
        raise MeetingsValidationError(
            f"{source!r} is the application id of {configured.name!r}; its rows are its own "
            "and are not moved to another application.",
            field="source",
        )
    with transaction.atomic():
        target = application_row(application)
        adoption = Adoption(source, target)
        # Numbers the target lists already: its own sync's rows win, the placeholder's go.
        duplicates = DialInNumber.objects.filter(
            application_id=source,
            vonage_id__in=DialInNumber.objects.filter(application_id=target.vonage_id).values(
                "vonage_id"
            ),
        )
        adoption.duplicates_dropped = duplicates.count()
        if not dry_run:
            duplicates.delete()
        for label, model in OWNED:
            rows = model._default_manager.filter(application_id=source)
            if dry_run:
                dropped = adoption.duplicates_dropped if model is DialInNumber else 0
                adoption.moved[label] = rows.count() - dropped
            else:
                adoption.moved[label] = rows.update(application_id=target.vonage_id)
        if dry_run:
            transaction.set_rollback(True)  # application_row() may have made the target's row
        elif source == UNASSIGNED:
            Application.objects.filter(vonage_id=UNASSIGNED, name="").delete()
    return adoption
