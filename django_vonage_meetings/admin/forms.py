"""Admin forms that write through the API.

Each form calls the service in ``clean()``, so the API's refusals (and the client's own checks)
appear as errors beside the fields they concern, the way any Django validation error does. When
the API accepts, the form's ``instance`` is the row the service stored from the API's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .. import credentials, rules, services
from ..enums import JoinApprovalLevel, MicrophoneState, RoomLanguage, RoomType
from ..exceptions import (
    MeetingsAPIError,
    MeetingsError,
    MeetingsValidationError,
)
from ..models import Room, Theme
from .display import callback_url

FEATURES = (
    ("is_recording_available", _("Recording")),
    ("is_chat_available", _("Chat")),
    ("is_whiteboard_available", _("Whiteboard")),
    ("is_locale_switcher_available", _("Language switcher")),
    ("is_captions_available", _("Captions")),
)
CALLBACKS = ("rooms_callback_url", "sessions_callback_url", "recordings_callback_url")


def api_errors_to_form(form: forms.BaseForm, exc: MeetingsError | ImproperlyConfigured) -> None:
    """Attach a client-side or API error to the fields it names (or to the whole form)."""
    if isinstance(exc, ImproperlyConfigured):
        form.add_error(None, _("Vonage Meetings is not configured: %(error)s") % {"error": exc})
        return
    if isinstance(exc, MeetingsValidationError):
        for path, messages in exc.errors.items():
            field = path.split(".")[-1] if path != "__all__" else None
            field = field if field in form.fields else None
            for message in messages:
                form.add_error(field, message if field else f"{path}: {message}")
        return
    if isinstance(exc, MeetingsAPIError):
        detail = exc.message or exc.detail or exc.title or str(exc)
        extra = "; ".join(str(e) for e in exc.errors)
        form.add_error(
            None, _("Vonage refused this: %(detail)s") % {"detail": f"{detail} {extra}".strip()}
        )
        return
    form.add_error(None, _("Vonage could not be reached: %(error)s") % {"error": exc})


class _WrittenByService:
    """The row is written by a service from the API's answer, never from the form's data."""

    def _post_clean(self) -> None:
        pass


def application_choices() -> list[tuple[str, str]]:
    """The configured applications, for forms that create something on one of them."""
    return [(name, name) for name in credentials.names()]


class _ApplicationChoice(forms.Form):
    """Which application a new room or theme is made on, asked only when there are several."""

    application = forms.ChoiceField(choices=(), label=_("Application"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "application" not in self.fields:
            return
        choices = application_choices()
        field = self.fields["application"]
        if len(choices) > 1 and isinstance(field, forms.ChoiceField):
            field.choices = choices
            field.initial = credentials.default_name()
        else:
            del self.fields["application"]

    def chosen_application(self) -> str | None:
        return self.cleaned_data.get("application") or None


class _RoomSettingsMixin(forms.Form):
    """What a room lets you change after creation (and set at creation)."""

    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(), required=False, to_field_name="vonage_id", label=_("Theme")
    )
    join_approval_level = forms.ChoiceField(
        choices=JoinApprovalLevel.choices, initial=JoinApprovalLevel.NONE, label=_("Join approval")
    )
    microphone_state = forms.ChoiceField(
        choices=MicrophoneState.choices,
        initial=MicrophoneState.DEFAULT,
        label=_("Microphone when joining"),
    )
    language = forms.ChoiceField(
        choices=RoomLanguage.choices, initial=RoomLanguage.DEFAULT, label=_("Language")
    )
    is_recording_available = forms.BooleanField(required=False, initial=True, label=_("Recording"))
    is_chat_available = forms.BooleanField(required=False, initial=True, label=_("Chat"))
    is_whiteboard_available = forms.BooleanField(
        required=False, initial=True, label=_("Whiteboard")
    )
    is_locale_switcher_available = forms.BooleanField(
        required=False, initial=False, label=_("Language switcher")
    )
    is_captions_available = forms.BooleanField(required=False, initial=False, label=_("Captions"))

    def settings_payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        theme = data.get("theme")
        return {
            "theme_id": theme.vonage_id if theme else None,
            "join_approval_level": data["join_approval_level"],
            "initial_join_options": {"microphone_state": data["microphone_state"]},
            "ui_settings": {"language": data["language"]},
            "available_features": {name: bool(data.get(name)) for name, _label in FEATURES},
        }


class RoomCreateForm(_WrittenByService, _ApplicationChoice, _RoomSettingsMixin, forms.ModelForm):
    """The admin's add form: creates the room on the API, then mirrors the answer."""

    display_name = forms.CharField(max_length=rules.DISPLAY_NAME_MAX, label=_("Name"))
    type = forms.ChoiceField(choices=RoomType.choices, initial=RoomType.INSTANT, label=_("Type"))
    expires_at = forms.DateTimeField(
        required=False,
        label=_("Expires at"),
        help_text=_("Long-term rooms only: more than 10 minutes from now."),
    )
    expire_after_use = forms.BooleanField(
        required=False, label=_("Expire after use"), help_text=_("Long-term rooms only.")
    )
    metadata = forms.CharField(
        max_length=rules.METADATA_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Metadata"),
    )
    auto_record = forms.BooleanField(required=False, label=_("Record automatically"))
    record_only_owner = forms.BooleanField(required=False, label=_("Record only the host"))

    class Meta:
        model = Room
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        payload: dict[str, Any] = {
            "display_name": cleaned["display_name"],
            "type": cleaned["type"],
            "recording_options": {
                "auto_record": bool(cleaned.get("auto_record")),
                "record_only_owner": bool(cleaned.get("record_only_owner")),
            },
            **self.settings_payload(),
        }
        if cleaned.get("metadata"):
            payload["metadata"] = cleaned["metadata"]
        if payload["theme_id"] is None:
            del payload["theme_id"]
        application = self.chosen_application()
        theme = cleaned.get("theme")
        if theme is not None and theme.application_id != _application_id(application):
            self.add_error("theme", _("This theme belongs to another application."))
            return cleaned
        if cleaned["type"] == RoomType.LONG_TERM:
            if cleaned.get("expires_at"):
                payload["expires_at"] = cleaned["expires_at"]
            payload["expire_after_use"] = bool(cleaned.get("expire_after_use"))
        elif cleaned.get("expires_at"):
            self.add_error("expires_at", _("Instant rooms expire 10 minutes after creation."))
            return cleaned
        try:
            self.instance = services.create_room(payload, application=application)
        except (MeetingsError, ImproperlyConfigured) as exc:
            api_errors_to_form(self, exc)
        return cleaned


def _application_id(application: str | None) -> str | None:
    try:
        return credentials.of(application).configured_id
    except ImproperlyConfigured:
        return None


class RoomChangeForm(_WrittenByService, _RoomSettingsMixin, forms.ModelForm):
    """Edits what the API lets you change; sends only what changed."""

    expires_at = forms.DateTimeField(label=_("Expires at"))
    expire_after_use = forms.BooleanField(required=False, label=_("Expire after use"))
    rooms_callback_url = forms.URLField(
        required=False, assume_scheme="https", label=_("Rooms callback URL")
    )
    sessions_callback_url = forms.URLField(
        required=False, assume_scheme="https", label=_("Sessions callback URL")
    )
    recordings_callback_url = forms.URLField(
        required=False, assume_scheme="https", label=_("Recordings callback URL")
    )

    class Meta:
        model = Room
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        room = self.instance
        if "theme" in self.fields:
            # A theme of another application cannot be this room's.
            field = self.fields["theme"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Theme.objects.filter(application_id=room.application_id)
        data: Mapping[str, Any] = room.data or {}
        features = data.get("available_features") or {}
        self.initial.update(
            {
                "expires_at": room.expires_at,
                "expire_after_use": room.expire_after_use,
                "theme": room.theme_id,
                "join_approval_level": room.join_approval_level,
                "microphone_state": room.microphone_state,
                "language": room.language,
                **{name: features.get(name, self.fields[name].initial) for name, _l in FEATURES},
            }
        )
        # The current URLs are never put into the inputs: their tokens are passwords. An empty
        # field keeps the URL the room has; a new one replaces it.
        current = data.get("callback_urls") or {}
        for name in CALLBACKS:
            if name in self.fields:
                self.fields[name].help_text = _("Now: %(url)s. Leave empty to keep it.") % {
                    "url": escape(callback_url(current.get(name)))
                }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if not self.has_changed():
            return cleaned
        payload = self.settings_payload()
        payload["expires_at"] = cleaned["expires_at"]
        payload["expire_after_use"] = bool(cleaned.get("expire_after_use"))
        urls = {name: cleaned[name] for name in CALLBACKS if cleaned.get(name)}
        if urls:
            payload["callback_urls"] = urls
        changed = set(self.changed_data)
        groups = {
            "theme_id": {"theme"},
            "join_approval_level": {"join_approval_level"},
            "initial_join_options": {"microphone_state"},
            "ui_settings": {"language"},
            "available_features": {name for name, _l in FEATURES},
            "expires_at": {"expires_at"},
            "expire_after_use": {"expire_after_use"},
            "callback_urls": set(CALLBACKS),
        }
        update = {
            key: payload[key]
            for key, fields in groups.items()
            if fields & changed and key in payload
        }
        if not update:
            return cleaned
        try:
            self.instance = services.update_room(self.instance, update)
        except (MeetingsError, ImproperlyConfigured) as exc:
            api_errors_to_form(self, exc)
        return cleaned


class ThemeForm(_WrittenByService, _ApplicationChoice, forms.ModelForm):
    """Create or edit a theme on the API."""

    class Meta:
        model = Theme
        fields = ["theme_name", "main_color", "brand_text", "short_company_url"]
        widgets = {"main_color": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "application" in self.fields:
            del self.fields["application"]  # a theme stays with its application
        # The admin leaves fields out for users who may only view the theme.
        required = {"main_color", "brand_text"}
        if self.instance.pk:
            # Every theme has a name (the API picks one when none is given); it cannot be
            # cleared, only changed.
            required.add("theme_name")
        elif "theme_name" in self.fields:
            self.fields["theme_name"].help_text = _("Vonage picks one when left empty.")
        for name in required & set(self.fields):
            self.fields[name].required = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        fields = {name: cleaned.get(name) for name in self.Meta.fields}
        try:
            if self.instance.pk:
                # A cleared short company URL is sent as null, which removes it.
                changed = {k: v or None for k, v in fields.items() if k in self.changed_data}
                if changed:
                    self.instance = services.update_theme(self.instance, changed)
            else:
                given = {k: v for k, v in fields.items() if v not in (None, "")}
                self.instance = services.create_theme(given, application=self.chosen_application())
        except (MeetingsError, ImproperlyConfigured) as exc:
            api_errors_to_form(self, exc)
        return cleaned
