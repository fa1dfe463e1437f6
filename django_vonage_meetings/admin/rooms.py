"""Admin for rooms: created, changed and re-issued their callback URLs through the API."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..enums import RoomType
from ..models import Room
from .base import MirrorAdmin, run_api, several_applications
from .display import callback_url, link
from .forms import CALLBACKS, RoomChangeForm, RoomCreateForm

ROOM_FIXED = (
    "vonage_id",
    "display_name",
    "type",
    "is_available",
    "meeting_code",
    "created_at",
    "metadata",
    "recording_options_display",
    "host_link",
    "guest_link",
    "callbacks",
    "local_synced_at",
    "raw_payload",
)
#: What the "Callback URLs" field calls each URL.
# The fieldsets the add and the change form of a long-term room share.
JOINING = (_("Joining"), {"fields": ("join_approval_level", "microphone_state", "language")})
FEATURES = (
    _("Features"),
    {
        "fields": (
            "is_recording_available",
            "is_chat_available",
            "is_whiteboard_available",
            "is_locale_switcher_available",
            "is_captions_available",
        )
    },
)

CALLBACK_LABELS = {
    "rooms_callback_url": _("rooms"),
    "sessions_callback_url": _("sessions"),
    "recordings_callback_url": _("recordings"),
}


def report_text(report: services.ReissueReport) -> str:
    """``str(report)``, in the user's language."""
    text = gettext(
        "%(reissued)d re-issued, %(current)d already current, %(cannot_update)d cannot be "
        "updated (instant or expired), %(not_ours)d without this site's callback URLs"
    ) % {
        "reissued": len(report.reissued),
        "current": len(report.current),
        "cannot_update": len(report.cannot_update),
        "not_ours": len(report.not_ours),
    }
    if report.failed:
        text = gettext("%(report)s, %(failed)d refused by the API") % {
            "report": text,
            "failed": len(report.failed),
        }
    return text


@admin.register(Room)
class RoomAdmin(MirrorAdmin):
    list_display = (
        "display_name",
        "type",
        "is_available",
        "expires_at",
        "theme",
        "host_link",
        "guest_link",
        "created_at",
    )
    list_filter = ("type", "is_available", "join_approval_level", "theme", "expires_at")
    search_fields = ("display_name", "meeting_code", "vonage_id")
    list_select_related = ("theme",)
    date_hierarchy = "created_at"
    sync_resources = ("themes", "rooms")
    actions = ("refresh_from_vonage", "reissue_callback_urls")

    @admin.display(description=_("Host link"))
    def host_link(self, obj: Room) -> str:
        return link(obj.host_url, str(_("Open as host")))

    @admin.display(description=_("Guest link"))
    def guest_link(self, obj: Room) -> str:
        return link(obj.guest_url, str(_("Open as guest")))

    @admin.display(description=_("Callback URLs"))
    def callbacks(self, obj: Room) -> str:
        urls = obj.callback_urls
        lines = [
            format_html("{}: {}", CALLBACK_LABELS[name], callback_url(urls.get(name)))
            for name in CALLBACKS
            if urls.get(name)
        ]
        if not lines:
            return str(_("none (the application's callback URLs apply)"))
        return format_html("<br>".join(["{}"] * len(lines)), *lines)

    # Shown instead of the form fields to users who may only view the room.
    @admin.display(description=_("Rooms callback URL"))
    def rooms_callback_url(self, obj: Room) -> str:
        return callback_url(obj.callback_urls.get("rooms_callback_url"))

    @admin.display(description=_("Sessions callback URL"))
    def sessions_callback_url(self, obj: Room) -> str:
        return callback_url(obj.callback_urls.get("sessions_callback_url"))

    @admin.display(description=_("Recordings callback URL"))
    def recordings_callback_url(self, obj: Room) -> str:
        return callback_url(obj.callback_urls.get("recordings_callback_url"))

    @admin.display(description=_("Recording options"))
    def recording_options_display(self, obj: Room) -> str:
        options = obj.recording_options
        parts = [
            str(_("records automatically")) if options.get("auto_record") else "",
            str(_("records the host only")) if options.get("record_only_owner") else "",
        ]
        return ", ".join(p for p in parts if p) or "-"

    def get_form(
        self, request: HttpRequest, obj: Room | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Room]]:
        form = RoomCreateForm if obj is None else RoomChangeForm
        kwargs["form"] = form
        kwargs["fields"] = list(form.base_fields)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Room | None = None) -> Any:
        if obj is None:
            first: tuple[str, ...] = (
                "display_name",
                "type",
                "expires_at",
                "expire_after_use",
                "theme",
            )
            if several_applications():
                first = ("application", *first)
            return (
                (None, {"fields": first}),
                JOINING,
                FEATURES,
                (_("Recording"), {"fields": ("auto_record", "record_only_owner")}),
                (_("Other"), {"fields": ("metadata",), "classes": ("collapse",)}),
            )
        fixed = (_("Room"), {"fields": ROOM_FIXED[:-1]})
        raw = (_("Raw payload"), {"fields": ("raw_payload",), "classes": ("collapse",)})
        if obj.type != RoomType.LONG_TERM:
            note = (
                _("Instant rooms cannot be changed on Vonage"),
                {"fields": ("expires_at", "theme", "join_approval_level")},
            )
            return (fixed, note, raw)
        return (
            fixed,
            (_("Changeable"), {"fields": ("expires_at", "expire_after_use", "theme")}),
            JOINING,
            FEATURES,
            (
                _("Callbacks"),
                {
                    "fields": (
                        "rooms_callback_url",
                        "sessions_callback_url",
                        "recordings_callback_url",
                    ),
                    "classes": ("collapse",),
                },
            ),
            raw,
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Room | None = None) -> Any:
        if obj is None:
            return ()
        if obj.type != RoomType.LONG_TERM:
            return (*ROOM_FIXED, "expires_at", "theme", "join_approval_level")
        return ROOM_FIXED

    def has_change_permission(self, request: HttpRequest, obj: Room | None = None) -> bool:
        # The API changes long-term rooms only, so an instant room's page is view-only (no
        # form to post, no Save button); the model-level permission still governs actions.
        if obj is not None and obj.type != RoomType.LONG_TERM:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Room, form: Any, change: bool) -> None:
        # The form's clean() wrote the row through the API; saving it again would add nothing.
        pass

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the Meetings API cannot delete rooms

    @admin.action(description=_("Refresh from Vonage"), permissions=["change"])
    def refresh_from_vonage(self, request: HttpRequest, queryset: QuerySet[Room]) -> None:
        done = 0
        for room in queryset:
            if run_api(self, request, functools.partial(services.refresh_room, room)):
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("Refreshed %d room.", "Refreshed %d rooms.", done) % done,
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Re-issue callback URLs (after a secret rotation)"), permissions=["change"]
    )
    def reissue_callback_urls(self, request: HttpRequest, queryset: QuerySet[Room]) -> None:
        """New URLs (room scope, newest secret) for the selected long-term rooms whose URLs
        were made with an older secret or a broader scope."""
        outcome: list[services.ReissueReport] = []
        ran = run_api(
            self,
            request,
            lambda: outcome.append(services.reissue_callback_urls(list(queryset))),
        )
        if not ran:
            return
        report = outcome[0]
        level = messages.WARNING if report.failed or report.cannot_update else messages.SUCCESS
        self.message_user(
            request, _("Callback URLs: %(report)s.") % {"report": report_text(report)}, level
        )
        for room_id, error in report.failed.items():
            self.message_user(request, f"{room_id}: {error}", messages.ERROR)
