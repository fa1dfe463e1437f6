"""Admin for stored callbacks: read-only, filterable, with a "reprocess" action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import WebhookEvent, WebhookEventQuerySet
from ..webhooks.processing import process_events
from .base import ApplicationColumn
from .display import pretty_json


@admin.register(WebhookEvent)
class WebhookEventAdmin(ApplicationColumn, admin.ModelAdmin):
    list_display = (
        "id",
        "event_type",
        "status",
        "received_at",
        "processed_at",
        "attempts",
        "deliveries",
    )
    list_filter = ("status", "event_type", "received_at", "auth_method")
    search_fields = ("event_type", "dedupe_key", "error")
    date_hierarchy = "received_at"
    show_full_result_count = False
    actions = ("reprocess",)
    fields = (
        "event_type",
        "status",
        "received_at",
        "processed_at",
        "attempts",
        "deliveries",
        "auth_method",
        "jti",
        "remote_addr",
        "dedupe_key",
        "pretty_payload",
        "pretty_headers",
        "error",
        "traceback",
    )
    readonly_fields = fields

    @admin.display(description=_("Payload"))
    def pretty_payload(self, obj: WebhookEvent) -> str:
        return pretty_json(obj.payload)

    @admin.display(description=_("Headers"))
    def pretty_headers(self, obj: WebhookEvent) -> str:
        return pretty_json(obj.headers)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The page is view-only; the model-level permission allows "reprocess".
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=_("Reprocess selected events"), permissions=["change"])
    def reprocess(self, request: HttpRequest, queryset: WebhookEventQuerySet) -> None:
        """Apply again: failed or unprocessed events are retried; processed ones are left alone."""
        pending = queryset.due()
        skipped = queryset.count() - pending.count()
        result = process_events(pending)
        level = messages.ERROR if result.failed else messages.SUCCESS
        self.message_user(
            request,
            _("%(processed)d processed, %(failed)d failed again, %(skipped)d already done.")
            % {"processed": result.processed, "failed": result.failed, "skipped": skipped},
            level,
        )
