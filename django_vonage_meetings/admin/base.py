"""What every admin of a mirrored model shares: read-only payloads and a "Sync now" button.

List pages and ``get_queryset`` never call the API; only explicit actions and buttons do, and
each reports through admin messages, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from .. import credentials
from ..exceptions import MeetingsError
from ..services.sync import SYNCABLE
from .display import pretty_json
from .sync import run_or_enqueue_sync


def api_error_message(exc: Exception) -> str:
    """What an admin user reads when the API or the configuration says no."""
    if isinstance(exc, ImproperlyConfigured):
        return str(_("Vonage Meetings is not configured: %(error)s") % {"error": exc})
    return str(_("Vonage said: %(error)s") % {"error": exc})


def run_api(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    success: str | None = None,
) -> bool:
    """Run a service call; report success or the API's refusal as an admin message."""
    try:
        action()
    except (MeetingsError, ImproperlyConfigured) as exc:
        model_admin.message_user(request, api_error_message(exc), messages.ERROR)
        return False
    if success:
        model_admin.message_user(request, success, messages.SUCCESS)
    return True


def several_applications() -> bool:
    """Whether more than one application is configured (then lists show and filter by it)."""
    try:
        return credentials.several()
    except ImproperlyConfigured:
        return False


class ApplicationColumn:
    """With several applications, a list shows each row's application and filters by it."""

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = cast(Any, super()).get_list_display(request)
        if not several_applications():
            return shown
        return (*shown[:1], "application_name", *shown[1:])

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = cast(Any, super()).get_list_filter(request)
        return (*filters, "application") if several_applications() else filters

    @admin.display(description=_("Application"), ordering="application")
    def application_name(self, obj: Any) -> str:
        vonage_id = getattr(obj, "application_id", None)
        if not vonage_id:
            return "-"
        configured = credentials.for_application_id(str(vonage_id))
        return configured.name if configured is not None else str(vonage_id)


class MirrorAdmin(ApplicationColumn, admin.ModelAdmin):
    """Base admin of a mirrored model: raw payload shown read-only, a "Sync now" button."""

    change_list_template = "admin/django_vonage_meetings/mirror_change_list.html"
    show_full_result_count = False
    #: The resources ``services.sync`` pulls for this changelist's "Sync now" button.
    sync_resources: Sequence[str] = ()

    @admin.display(description=_("Raw payload"))
    def raw_payload(self, obj: Any) -> str:
        return pretty_json(getattr(obj, "data", {}))

    def get_actions(self, request: HttpRequest, action_location: Any = None) -> dict[str, Any]:
        # Django 6.1 says where the actions are shown (changelist or change form) and deprecates
        # overrides that cannot hear it; 5.2 and 6.0 pass only the request.
        if action_location is None:
            actions = super().get_actions(request)
        else:
            actions = cast(Any, super()).get_actions(request, action_location=action_location)
        # A local delete would only be undone by the next sync; deletes go through the API.
        actions.pop("delete_selected", None)
        return actions

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Django wraps this view in one transaction. Here the form calls the API, and holding a
        # transaction open across a network call is wrong (with SQLite it even blocks the
        # simulator serving that call from the same database); the services write in their
        # own short transactions instead.
        view = cast(Any, self)._changeform_view  # Django's unwrapped form view (not in the stubs)
        response: HttpResponse = view(request, object_id, form_url, extra_context)
        return response

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "sync/",
                self.admin_site.admin_view(self.sync_view),
                name="{}_{}_sync".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_sync": bool(self.sync_resources_for(request)),
            "sync_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_sync",
                current_app=self.admin_site.name,
            ),
        }
        return super().changelist_view(request, extra_context)

    def sync_resources_for(self, request: HttpRequest) -> list[str]:
        """The resources this user may sync here: a sync writes (and deletes) rows of each
        resource's model, so each needs the change permission on that model."""
        if not self.has_change_permission(request):
            return []
        allowed = []
        for name in self.sync_resources:
            opts = SYNCABLE[name].model._meta
            if request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}"):
                allowed.append(name)
        return allowed

    def sync_view(self, request: HttpRequest) -> HttpResponse:
        """POST only, CSRF-protected, for users who may change what the sync writes."""
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        resources = self.sync_resources_for(request)
        if not resources:
            raise PermissionDenied

        def run() -> None:
            outcome = run_or_enqueue_sync(resources)
            self.message_user(request, outcome, messages.SUCCESS)

        run_api(self, request, run)
        changelist = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
            current_app=self.admin_site.name,
        )
        return HttpResponseRedirect(changelist)


class ReadOnlyMirrorAdmin(MirrorAdmin):
    """For objects only the API creates: viewable, never added or edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An object's page is view-only; the model-level permission still governs actions
        # and "Sync now".
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    #: Local bookkeeping, shown after what the API said.
    bookkeeping = ("local_created_at", "local_updated_at", "local_synced_at")

    def shown_fields(self) -> list[str]:
        hidden = {"id", "data", "local_payload_hash", *self.bookkeeping}
        remote = [f.name for f in self.opts.fields if f.name not in hidden]
        return [*remote, *self.bookkeeping, "raw_payload"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.shown_fields()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.shown_fields()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
