"""What happens in rooms, as callbacks report it: sessions, participants and recordings.

The API has no endpoint to list sessions or participants, so these rows come from callbacks
(``session:*``); recordings come from callbacks and from ``GET /sessions/{id}/recordings``.
Foreign keys point at the remote ids (``to_field="vonage_id"``) without database constraints,
so ``recording.session_id`` is the API's ``session_id`` and events may arrive in any order.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from django_vonage_meetings.enums import RecordingStatus

from .base import OwnedMirrorModel
from .meetings import Room

#: Rank of each recording status along its one-way lifecycle; state never goes backwards.
RECORDING_STATUS_RANK: dict[str, int] = {
    RecordingStatus.STARTED: 1,
    RecordingStatus.PAUSED: 2,
    RecordingStatus.STOPPED: 3,
    RecordingStatus.UPLOADED: 4,
}


class Session(OwnedMirrorModel):
    """One meeting in a room: from the first join until the last person leaves or it is ended."""

    vonage_id = models.CharField(_("session id"), max_length=255, unique=True)
    room = models.ForeignKey(
        Room,
        to_field="vonage_id",
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="sessions",
        verbose_name=_("room"),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, db_index=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        short = self.vonage_id if len(self.vonage_id) <= 24 else f"{self.vonage_id[:21]}..."
        return gettext("Session %(id)s") % {"id": short}

    @property
    def is_running(self) -> bool:
        return self.started_at is not None and self.ended_at is None


class Participant(OwnedMirrorModel):
    """A person in a session. Callbacks carry no times, so join/leave are when they arrived."""

    session = models.ForeignKey(
        Session,
        to_field="vonage_id",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="participants",
        verbose_name=_("session"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True, default="")
    type = models.CharField(_("type"), max_length=32, blank=True, default="")
    is_host = models.BooleanField(_("host"), default=False)
    joined_at = models.DateTimeField(_("joined at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return self.name or str(self.vonage_id)


class Recording(OwnedMirrorModel):
    """A recording of a session; ``url`` downloads it once ``status`` is ``uploaded``."""

    session = models.ForeignKey(
        Session,
        to_field="vonage_id",
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="recordings",
        verbose_name=_("session"),
    )
    room = models.ForeignKey(
        Room,
        to_field="vonage_id",
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="recordings",
        verbose_name=_("room"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RecordingStatus.choices, db_index=True
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, db_index=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    url = models.TextField(_("download URL"), blank=True, default="")

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return gettext("Recording %(id)s (%(status)s)") % {
            "id": self.vonage_id,
            "status": self.get_status_display(),
        }

    @property
    def status_rank(self) -> int:
        return RECORDING_STATUS_RANK.get(self.status, 0)
