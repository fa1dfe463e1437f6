"""Callbacks as received: stored once, then processed (inline or as a task)."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEventStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")
    IGNORED = "ignored", _("Ignored (unknown event type)")


#: Statuses after which an event is never applied again; the others are still due.
DONE_STATUSES: frozenset[str] = frozenset(
    {WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED}
)


class WebhookEventQuerySet(models.QuerySet["WebhookEvent"]):
    def done(self) -> WebhookEventQuerySet:
        """Applied (or ignored): nothing left to do."""
        return self.filter(status__in=DONE_STATUSES)

    def due(self) -> WebhookEventQuerySet:
        """Received or failed: still to be applied."""
        return self.exclude(status__in=DONE_STATUSES)


class WebhookEvent(models.Model):
    """One authenticated callback.

    ``dedupe_key`` is unique in the database: the same callback delivered twice (by a retrying
    sender, or by two web processes at once) maps to one row, so it is processed once.

    This is the table every callback writes to, so it carries only the indexes something
    reads by: the unique key, the type filter and the (status, time) pairs that retries and
    the admin ask for. Its unique key and indexes are declared in ``Meta`` because
    ``unique=True`` and ``db_index=True`` on a CharField also build a ``LIKE`` index on
    PostgreSQL, which nothing here uses and every insert would maintain.
    """

    event_type = models.CharField(_("event type"), max_length=64)
    #: The application whose secret or URL token authenticated it (its Vonage id).
    application = models.ForeignKey(
        "vonage_meetings.Application",
        to_field="vonage_id",
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_events",
        verbose_name=_("application"),
    )
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    dedupe_key = models.CharField(_("dedupe key"), max_length=64)
    #: The first delivery's token id (see ``webhooks.inbox``); later deliveries' go to
    #: WebhookNonce.
    jti = models.CharField(
        _("token id"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("The jti of the signed token that delivered it first (empty for signed URLs)."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WebhookEventStatus.choices,
        default=WebhookEventStatus.RECEIVED,
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("processing attempts"), default=0)
    deliveries = models.PositiveIntegerField(
        _("deliveries"), default=1, help_text=_("How many times the sender delivered it.")
    )
    error = models.TextField(_("error"), blank=True, default="")
    traceback = models.TextField(_("traceback"), blank=True, default="")
    auth_method = models.CharField(_("authenticated by"), max_length=16, blank=True, default="")
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    headers = models.JSONField(
        _("headers"),
        default=dict,
        blank=True,
        help_text=_("Useful request headers; Authorization is never stored."),
    )

    objects = WebhookEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="vm_webhookevent_dedupe_key")
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="vm_webhookevent_status_rcv"),
            models.Index(fields=["event_type"], name="vm_webhookevent_type"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk} ({self.get_status_display()})"

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES


class WebhookNonce(models.Model):
    """A ``jti`` of an accepted redelivery, kept for the replay window then pruned.

    A first delivery's ``jti`` is stored on its event instead (one row fewer per callback);
    this table holds the tokens of the deliveries that found their event already stored. A
    table rather than the cache so that every web process sees every nonce.
    """

    jti = models.CharField(_("token id"), max_length=255, unique=True)
    seen_at = models.DateTimeField(_("seen at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("webhook nonce")
        verbose_name_plural = _("webhook nonces")

    def __str__(self) -> str:
        return self.jti
