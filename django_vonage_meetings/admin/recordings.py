"""Admin for what callbacks report: sessions, participants and recordings."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..exceptions import MeetingsError
from ..models import Participant, Recording, Session
from .base import ReadOnlyMirrorAdmin, api_error_message, run_api
from .display import safe_href


def _download(obj: Recording, site: admin.AdminSite) -> str:
    if not obj.url:
        return "-"
    if safe_href(obj.url) is None:
        return str(_("not a web link"))
    # Through the admin's own view: the stored URL is presigned and may have expired.
    opts = Recording._meta
    link = reverse(
        f"{site.name}:{opts.app_label}_{opts.model_name}_download", args=[quote(str(obj.pk))]
    )
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', link, _("Download")
    )


@admin.register(Recording)
class RecordingAdmin(ReadOnlyMirrorAdmin):
    list_display = ("vonage_id", "status", "session", "room", "started_at", "duration", "download")
    list_filter = ("status", "started_at")
    search_fields = ("vonage_id", "session__vonage_id", "room__display_name")
    list_select_related = ("session", "room")
    sync_resources = ("recordings",)
    actions = ("delete_on_vonage", "refresh_from_vonage")

    @admin.display(description=_("Download"))
    def download(self, obj: Recording) -> str:
        return _download(obj, self.admin_site)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Redirect to a freshly presigned URL; on a refusal, say why on the changelist."""
        recording = self.get_object(request, unquote(object_id))
        if recording is None or not self.has_view_permission(request, recording):
            raise Http404(_("No such recording."))
        try:
            url = services.download_url(recording)
        except (MeetingsError, ImproperlyConfigured) as exc:
            self.message_user(request, api_error_message(exc), messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        if safe_href(url) is None:
            # Never redirect a browser to a javascript: (or data:) URL the API handed out.
            self.message_user(
                request,
                _("Vonage answered a download link that is not a web link; not following it."),
                messages.ERROR,
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        return HttpResponseRedirect(url)

    @admin.action(description=_("Delete on Vonage"), permissions=["delete_on_vonage"])
    def delete_on_vonage(
        self, request: HttpRequest, queryset: QuerySet[Recording]
    ) -> HttpResponse | None:
        """Ask first (as Django's own delete does), then delete each on the API."""
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Delete recordings on Vonage?"),
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "not_uploaded": [r for r in queryset if r.status != "uploaded"],
            }
            return TemplateResponse(
                request, "admin/django_vonage_meetings/recording_delete_confirmation.html", context
            )
        deleted = 0
        for recording in queryset:
            if run_api(self, request, functools.partial(services.delete_recording, recording)):
                deleted += 1
        if deleted:
            self.message_user(
                request,
                ngettext(
                    "Deleted %d recording on Vonage.", "Deleted %d recordings on Vonage.", deleted
                )
                % deleted,
                messages.SUCCESS,
            )
        return None

    def has_delete_on_vonage_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.delete_{opts.model_name}")

    @admin.action(description=_("Refresh from Vonage"), permissions=["change"])
    def refresh_from_vonage(self, request: HttpRequest, queryset: QuerySet[Recording]) -> None:
        done = sum(
            run_api(self, request, functools.partial(services.refresh_recording, recording))
            for recording in queryset
        )
        if done:
            self.message_user(
                request,
                ngettext("Refreshed %d recording.", "Refreshed %d recordings.", done) % done,
                messages.SUCCESS,
            )


class ParticipantInline(admin.TabularInline):
    model = Participant
    fk_name = "session"
    fields = ("name", "type", "is_host", "joined_at", "left_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecordingInline(admin.TabularInline):
    model = Recording
    fk_name = "session"
    fields = ("vonage_id", "status", "started_at", "duration", "download")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=_("Download"))
    def download(self, obj: Recording) -> str:
        return _download(obj, self.admin_site)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(ReadOnlyMirrorAdmin):
    list_display = ("__str__", "room", "started_at", "ended_at", "is_running")
    list_filter = ("started_at", "ended_at")
    search_fields = ("vonage_id", "room__display_name", "room__vonage_id")
    list_select_related = ("room",)
    inlines = (ParticipantInline, RecordingInline)

    @admin.display(description=_("Running"), boolean=True)
    def is_running(self, obj: Session) -> bool:
        return obj.is_running


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyMirrorAdmin):
    list_display = ("name", "type", "is_host", "session", "joined_at", "left_at")
    list_filter = ("is_host", "type")
    search_fields = ("name", "vonage_id", "session__vonage_id")
    list_select_related = ("session",)
