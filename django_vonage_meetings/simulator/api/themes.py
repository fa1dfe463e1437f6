"""``/themes``, the application's default theme, and the logo upload flow's API half."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from rest_framework.request import Request
from rest_framework.response import Response

from ..conf import sim_setting
from ..errors import ServiceError, bad_request, not_found
from ..ids import lookup_uuid
from ..logos import finalize_logos, upload_forms
from ..models import Room, StoredObject, Theme
from ..validation import (
    ApplicationUpdate,
    FinalizeLogos,
    ThemeCreate,
    ThemeUpdate,
    parse_force,
    update_details,
    validated,
)
from ..wire import ApplicationSerializer, ThemeSerializer
from .base import SimulatorAPIView, body_of


def _conflict(field: str) -> ServiceError:
    return ServiceError(409, "ConflictError", f"{field} already exists in application")


class ThemeMixin(SimulatorAPIView):
    def _theme(self, theme_id: str) -> Theme:
        theme = (
            Theme.objects.filter(application=self.application, theme_id=lookup_uuid(theme_id))
            .select_related("application")
            .first()
        )
        if theme is None:
            raise not_found(f"could not find theme {theme_id}")
        return theme

    def _check_unique(self, data: dict[str, Any], exclude: Theme | None = None) -> None:
        themes = Theme.objects.filter(application=self.application)
        others = Theme.objects.all()
        if exclude is not None:
            themes = themes.exclude(pk=exclude.pk)
            others = others.exclude(pk=exclude.pk)
        if data.get("theme_name") and themes.filter(theme_name=data["theme_name"]).exists():
            raise _conflict("theme_name")
        url = data.get("short_company_url")
        if url and others.filter(short_company_url=url).exists():
            raise _conflict("short_company_url")

    def _render(self, theme: Theme) -> dict[str, Any]:
        context = {"origin": self.origin, "bucket": sim_setting("BUCKET")}
        return dict(ThemeSerializer(theme, context=context).data)

    def _save(self, theme: Theme) -> None:
        # The checks above answer the common case; the constraints catch concurrent requests.
        try:
            with transaction.atomic():
                theme.save()
        except IntegrityError:
            raise _conflict("theme_name") from None


class ThemesView(ThemeMixin):
    def get(self, request: Request) -> Response:
        themes = Theme.objects.filter(application=self.application).select_related("application")
        return Response([self._render(t) for t in themes.order_by("created_at", "id")])

    def post(self, request: Request) -> Response:
        data = validated(ThemeCreate, body_of(request))
        limit = sim_setting("MAX_THEMES")
        if (
            limit is not None
            and Theme.objects.filter(application=self.application).count() >= limit
        ):
            raise ServiceError(403, "ForbiddenError", "exceeded maximum theme limit")
        if not data.get("theme_name"):
            data["theme_name"] = str(uuid.uuid4())
        self._check_unique(data)
        theme = Theme(application=self.application, **data)
        self._save(theme)
        return Response(self._render(theme), status=201)


class ThemeView(ThemeMixin):
    def get(self, request: Request, theme_id: str) -> Response:
        return Response(self._render(self._theme(theme_id)))

    def patch(self, request: Request, theme_id: str) -> Response:
        theme = self._theme(theme_id)
        data = validated(ThemeUpdate, update_details(body_of(request)))
        self._check_unique(data, exclude=theme)
        for name, value in data.items():
            if name == "theme_name" and not value:
                continue
            setattr(theme, name, value)
        self._save(theme)
        return Response(self._render(theme))

    def delete(self, request: Request, theme_id: str) -> Response:
        theme = self._theme(theme_id)
        force = parse_force(request.query_params.get("force"))
        with transaction.atomic():
            in_use = Room.objects.filter(theme=theme).count()
            is_default = self.application.default_theme_id == theme.pk
            if not force and (in_use or is_default):
                reasons = []
                if in_use:
                    noun = "room" if in_use == 1 else "rooms"
                    reasons.append(f"Theme {theme.theme_id} is used by {in_use} {noun}")
                if is_default:
                    reasons.append(
                        f"Theme {theme.theme_id} is used as application "
                        f"{self.application.application_id} default theme"
                    )
                raise bad_request("could not delete theme", reasons)
            # Rooms lose the theme (SET_NULL) and so does the application default; its
            # finalized logos go with it.
            logos = [theme.brand_image_white, theme.brand_image_colored, theme.branded_favicon]
            StoredObject.objects.filter(key__in=[k for k in logos if k]).delete()
            theme.delete()
        return Response(status=204)


class LogoUploadUrlsView(ThemeMixin):
    def get(self, request: Request) -> Response:
        return Response(upload_forms(self.application, self.origin))


class FinalizeLogosView(ThemeMixin):
    def put(self, request: Request, theme_id: str) -> HttpResponse:
        theme = self._theme(theme_id)
        data = validated(FinalizeLogos, body_of(request))
        finalize_logos(theme, data["keys"])
        # The service answered a bare "OK" (the Python SDK's fixture), not JSON.
        return HttpResponse("OK", content_type="text/plain")


class ApplicationView(ThemeMixin):
    def patch(self, request: Request) -> Response:
        data = validated(ApplicationUpdate, update_details(body_of(request)))
        theme_id = data["default_theme_id"]
        theme = None
        if theme_id is not None:
            theme = Theme.objects.filter(application=self.application, theme_id=theme_id).first()
            if theme is None:
                raise bad_request(
                    f"Failed to update application because theme id {theme_id} not found"
                )
        self.application.default_theme = theme
        self.application.save(update_fields=["default_theme"])
        return Response(ApplicationSerializer(self.application).data)
