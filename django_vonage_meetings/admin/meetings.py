"""Admin for themes, dial-in numbers and the application (rooms are in ``rooms``)."""

from __future__ import annotations

import functools
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..exceptions import BadRequestError, MeetingsError
from ..models import Application, DialInNumber, Room, Theme
from .base import MirrorAdmin, ReadOnlyMirrorAdmin, api_error_message, run_api, several_applications
from .display import image
from .forms import ThemeForm
from .logo_forms import LogoForm


@admin.register(Theme)
class ThemeAdmin(MirrorAdmin):
    form = ThemeForm
    list_display = ("__str__", "brand_text", "colour", "short_company_url", "is_default", "logos")
    search_fields = ("theme_name", "brand_text", "short_company_url", "vonage_id")
    readonly_fields = ("vonage_id", "logos", "local_synced_at", "raw_payload")
    sync_resources = ("themes",)
    actions = ("make_default", "refresh_from_vonage")
    change_form_template = "admin/django_vonage_meetings/theme_change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Theme]:
        default = Application.objects.filter(default_theme_id=OuterRef("vonage_id"))
        queryset = super().get_queryset(request).annotate(annotated_default=Exists(default))
        return cast("QuerySet[Theme]", queryset)

    def get_fields(self, request: HttpRequest, obj: Theme | None = None) -> Any:
        editable = ["theme_name", "main_color", "brand_text", "short_company_url"]
        if obj is None:
            return ["application", *editable] if several_applications() else editable
        return [*editable, *self.readonly_fields]

    @admin.display(description=_("Colour"))
    def colour(self, obj: Theme) -> str:
        return format_html(
            '<span style="display:inline-block;width:1.2em;height:1.2em;border-radius:3px;'
            'background:{};vertical-align:middle"></span> {}',
            obj.main_color,
            obj.main_color,
        )

    @admin.display(description=_("Default"), boolean=True)
    def is_default(self, obj: Theme) -> bool:
        return bool(getattr(obj, "annotated_default", False))

    @admin.display(description=_("Logos"))
    def logos(self, obj: Theme) -> str:
        images = [
            (obj.brand_image_colored_url, "#fff"),
            (obj.brand_image_white_url, "#333"),
            (obj.branded_favicon_url, "#fff"),
        ]
        shown = [image(url, background) for url, background in images if url]
        return format_html("".join(["{}"] * len(shown)), *shown) if shown else "-"

    def save_model(self, request: HttpRequest, obj: Theme, form: Any, change: bool) -> None:
        pass  # written through the API by the form

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/logos/",
                self.admin_site.admin_view(self.logos_view),
                name="{}_{}_logos".format(*info),
            ),
            *super().get_urls(),
        ]

    def _theme_or_404(self, request: HttpRequest, object_id: str) -> Theme:
        # The admin's own lookup: a malformed id ("abc" for an integer key) finds nothing
        # instead of raising ValueError.
        theme = self.get_object(request, unquote(object_id))
        if not isinstance(theme, Theme):
            raise Http404(_("No such theme."))
        return theme

    def logos_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        theme = self._theme_or_404(request, object_id)
        if not self.has_change_permission(request, theme):
            raise PermissionDenied
        if request.method == "POST":
            form = LogoForm(request.POST, request.FILES, theme=theme)
            if form.is_valid():
                self.message_user(request, _("Logos uploaded."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:vonage_meetings_theme_change", args=[theme.pk])
                )
            if form.uploaded:
                self.message_user(
                    request,
                    _("Uploaded: %(logos)s.") % {"logos": ", ".join(form.uploaded)},
                    messages.SUCCESS,
                )
            theme = form.theme  # the API's answer after any upload that went through
        else:
            form = LogoForm(theme=theme)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Logos of %(theme)s") % {"theme": theme},
            "theme": theme,
            "form": form,
            "previews": self.logos(theme),
        }
        return TemplateResponse(request, "admin/django_vonage_meetings/theme_logos.html", context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """Delete on Vonage; when rooms use the theme, offer to force it."""
        theme = self._theme_or_404(request, object_id)
        if not self.has_delete_permission(request, theme):
            raise PermissionDenied
        refusal = None
        if request.method == "POST":
            force = request.POST.get("force") == "1"
            try:
                services.delete_theme(theme, force=force)
            except BadRequestError as exc:
                refusal = "; ".join(str(e) for e in exc.errors) or exc.message or str(exc)
            except MeetingsError as exc:
                self.message_user(request, api_error_message(exc), messages.ERROR)
                refusal = str(exc)
            else:
                self.message_user(
                    request,
                    _("Theme “%(theme)s” deleted on Vonage.") % {"theme": theme},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:vonage_meetings_theme_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Delete theme %(theme)s?") % {"theme": theme},
            "theme": theme,
            "rooms_using": Room.objects.filter(theme_id=theme.vonage_id).count(),
            "is_default": Application.objects.filter(
                default_theme_id=cast(Any, theme.vonage_id)  # the FK holds the remote id
            ).exists(),
            "refusal": refusal,
        }
        return TemplateResponse(
            request, "admin/django_vonage_meetings/theme_delete_confirmation.html", context
        )

    @admin.action(description=_("Make the application's default theme"), permissions=["change"])
    def make_default(self, request: HttpRequest, queryset: QuerySet[Theme]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one theme."), messages.WARNING)
            return
        theme = queryset.get()
        run_api(
            self,
            request,
            functools.partial(services.set_default_theme, theme),
            success=str(_("“%(theme)s” is now the default theme.") % {"theme": theme}),
        )

    @admin.action(description=_("Refresh from Vonage"), permissions=["change"])
    def refresh_from_vonage(self, request: HttpRequest, queryset: QuerySet[Theme]) -> None:
        done = sum(
            run_api(self, request, functools.partial(services.refresh_theme, theme))
            for theme in queryset
        )
        if done:
            self.message_user(
                request,
                ngettext("Refreshed %d theme.", "Refreshed %d themes.", done) % done,
                messages.SUCCESS,
            )


@admin.register(DialInNumber)
class DialInNumberAdmin(ReadOnlyMirrorAdmin):
    list_display = ("display_name", "number", "locale")
    search_fields = ("display_name", "vonage_id", "locale")
    sync_resources = ("dial_in_numbers",)

    @admin.display(description=_("Number"), ordering="vonage_id")
    def number(self, obj: DialInNumber) -> str:
        return f"+{obj.vonage_id}"


@admin.register(Application)
class ApplicationAdmin(ReadOnlyMirrorAdmin):
    list_display = ("vonage_id", "account_id", "default_theme")
    list_select_related = ("default_theme",)
