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


class WebhookEvent(models.Model):
    """One authenticated callback.

    ``dedupe_key`` is unique in the database: the same callback delivered twice (by a retrying
    sender, or by two web processes at once) maps to one row, so it is processed once.
    """

    event_type = models.CharField(_("event type"), max_length=64, db_index=True)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    dedupe_key = models.CharField(_("dedupe key"), max_length=64, unique=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WebhookEventStatus.choices,
        default=WebhookEventStatus.RECEIVED,
        db_index=True,
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

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="vm_webhookevent_status_rcv")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk} ({self.get_status_display()})"


class WebhookNonce(models.Model):
    """A ``jti`` of an accepted signed callback, kept for the replay window then pruned.

    A table rather than the cache so that every web process sees every nonce.
    """

    jti = models.CharField(_("token id"), max_length=255, unique=True)
    seen_at = models.DateTimeField(_("seen at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("webhook nonce")
        verbose_name_plural = _("webhook nonces")

    def __str__(self) -> str:
        return self.jti
