"""What every mirrored model shares: the remote id, the raw payload and local bookkeeping.

Remote fields keep the API's names (``display_name``, ``expires_at``, ``status``); local
bookkeeping is prefixed ``local_`` so nobody mistakes it for something the API said.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class MirrorModel(models.Model):
    """Abstract base of every model that mirrors an object of the Meetings API.

    ``data`` holds the last raw payload (from the API or a callback); typed columns are derived
    from it for what people show, filter and sort on. ``local_payload_hash`` fingerprints the
    comparable part of ``data`` so a sync can skip unchanged rows without loading them.
    """

    vonage_id = models.CharField(_("Vonage id"), max_length=64, unique=True)
    data = models.JSONField(
        _("raw payload"),
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text=_("The last payload the API (or a callback) sent for this object."),
    )
    local_payload_hash = models.CharField(
        _("payload fingerprint"), max_length=64, blank=True, default="", editable=False
    )
    local_created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    local_updated_at = models.DateTimeField(_("last changed locally"), auto_now=True)
    local_synced_at = models.DateTimeField(
        _("last written by a sync"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("A sync writes only rows whose payload changed; unchanged rows keep this."),
    )

    class Meta:
        abstract = True


#: The owner of rows whose application is not known.
UNASSIGNED = "unassigned"


def default_application_id() -> str:
    """The Vonage id of the default application: the owner of a row made without one (in a
    project's own tests, say). Read from the settings when the row is made."""
    from ..credentials import of
    from ..exceptions import MeetingsConfigurationError

    try:
        return of().configured_id or UNASSIGNED
    except MeetingsConfigurationError:
        return UNASSIGNED


class OwnedMirrorModel(MirrorModel):
    """A mirrored object that belongs to one application.

    ``application`` points at ``Application.vonage_id`` (the Vonage application id), without a
    database constraint, like the mirror's other remote references: ``obj.application_id`` is
    that id, known to a sync or a callback without a lookup, and the ``Application`` row is
    made when an application is first used.
    """

    application = models.ForeignKey(
        "vonage_meetings.Application",
        to_field="vonage_id",
        db_constraint=False,
        on_delete=models.CASCADE,
        default=default_application_id,
        related_name="%(class)ss",
        verbose_name=_("application"),
    )

    class Meta:
        abstract = True
