"""The admin's logo upload form: checks what can be checked here, then uploads through the API
and shows the API's refusals beside the logo they concern."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from .. import rules, services
from ..enums import LogoType
from ..exceptions import (
    BadRequestError,
    LogoUploadError,
    MeetingsAPIError,
    MeetingsError,
    MeetingsValidationError,
)
from ..models import Theme
from .forms import api_errors_to_form

__all__ = ["LogoForm"]


#: What the API's ``invalidProperty`` codes for a refused logo mean, for the person uploading it.
LOGO_REFUSALS = {
    "exceeds_size": _("Vonage refused it: larger than 1 MB."),
    "type": _("Vonage refused it: not a PNG image it could read."),
    "dimensions": _(
        "Vonage refused its size: logos are 1 to 300 pixels each side, favicons square and "
        "16x16 to 32x32 pixels."
    ),
    "transparent_bg": _("Vonage refused it: the background must be transparent."),
}


def _check_logo(upload: Any, logo_type: str) -> None:
    """The rules of ``rules.py`` that can be checked here, so most mistakes never travel."""
    if upload.size > rules.LOGO_MAX_BYTES:
        raise ValidationError(_("Larger than 1 MB (%(size)s bytes).") % {"size": upload.size})
    head = upload.read(len(rules.PNG_SIGNATURE))
    upload.seek(0)
    if head != rules.PNG_SIGNATURE:
        raise ValidationError(_("Not a PNG image."))
    try:
        from PIL import Image
    except ImportError:
        return  # dimensions are checked by the API then
    try:
        with Image.open(upload) as image:
            width, height = image.size
            has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
                "transparency" in image.info
            )
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("Not a readable PNG image.")) from None
    finally:
        upload.seek(0)
    if logo_type == LogoType.FAVICON:
        if width != height or not rules.FAVICON_MIN_PX <= width <= rules.FAVICON_MAX_PX:
            raise ValidationError(_("A favicon must be square, 16x16 to 32x32 pixels."))
    elif not (
        rules.LOGO_MIN_PX <= width <= rules.LOGO_MAX_PX
        and rules.LOGO_MIN_PX <= height <= rules.LOGO_MAX_PX
    ):
        raise ValidationError(_("A logo must be 1 to 300 pixels wide and high."))
    if not has_alpha:
        raise ValidationError(
            _("The background must be transparent; this image has no transparency.")
        )


def _logo_refusal(exc: MeetingsError) -> list[str]:
    if isinstance(exc, MeetingsValidationError):
        return [message for messages in exc.errors.values() for message in messages]
    if isinstance(exc, MeetingsAPIError):
        codes = [e.get("invalidProperty") for e in exc.errors if isinstance(e, Mapping)]
        known = [str(LOGO_REFUSALS[code]) for code in codes if code in LOGO_REFUSALS]
        if known:
            return known
        detail = exc.message or exc.detail or exc.title or str(exc)
        return [str(_("Vonage refused it: %(detail)s") % {"detail": detail})]
    return [str(exc)]


class LogoForm(forms.Form):
    """Up to three PNG logos, checked here before they are uploaded, one upload each.

    A refusal is shown beside the image it concerns; the other images are still uploaded, and
    ``uploaded`` names those that were, so the page can say what changed.
    """

    white = forms.FileField(
        required=False,
        label=_("White logo"),
        help_text=_("PNG, transparent, for dark backgrounds."),
    )
    colored = forms.FileField(
        required=False,
        label=_("Coloured logo"),
        help_text=_("PNG, transparent, for light backgrounds."),
    )
    favicon = forms.FileField(
        required=False, label=_("Favicon"), help_text=_("PNG, square, 16-32 pixels.")
    )

    def __init__(self, *args: Any, theme: Theme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.theme = theme
        self.uploaded: list[str] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        files = {
            name: cleaned[name] for name in ("white", "colored", "favicon") if cleaned.get(name)
        }
        for name, upload in files.items():
            try:
                _check_logo(upload, name)
            except ValidationError as exc:
                self.add_error(name, exc)
        if not files and not self.errors:
            raise ValidationError(_("Choose at least one image."))
        if self.errors:
            return cleaned
        for name, upload in files.items():
            try:
                self.theme = services.upload_logos(self.theme, {name: upload})
            except (MeetingsValidationError, BadRequestError, LogoUploadError) as exc:
                self.add_error(name, _logo_refusal(exc))
            except (MeetingsError, ImproperlyConfigured) as exc:
                api_errors_to_form(self, exc)  # unreachable or misconfigured: stop here
                break
            else:
                self.uploaded.append(str(self.fields[name].label))
        return cleaned
