"""django-simple-history for the mirror models, as a user would register it, with its save
receivers disconnected until a test asks for them (the ``history`` fixture): the rest of the
suite measures statements with nothing listening."""

from __future__ import annotations

from typing import Any

from django.db.models import signals
from simple_history import register
from simple_history.models import HistoricalRecords

from django_vonage_meetings.models import Participant, Recording, Room, Session

TRACKED: list[HistoricalRecords] = []


class TrackedRecords(HistoricalRecords):
    def finalize(self, sender: Any, **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        if getattr(self, "cls", None) is sender:
            TRACKED.append(self)
            disconnect(self)


def disconnect(records: HistoricalRecords) -> None:
    signals.post_save.disconnect(records.post_save, sender=records.cls)
    signals.post_delete.disconnect(records.post_delete, sender=records.cls)
    signals.pre_delete.disconnect(records.pre_delete, sender=records.cls)


def connect(records: HistoricalRecords) -> None:
    signals.post_save.connect(records.post_save, sender=records.cls, weak=False)
    signals.post_delete.connect(records.post_delete, sender=records.cls, weak=False)
    signals.pre_delete.connect(records.pre_delete, sender=records.cls, weak=False)


for model in (Room, Session, Participant, Recording):
    register(model, app="tests.history", records_class=TrackedRecords)
