"""Request validation as the service did it, with its Joi-style messages.

DRF serializers parse; :func:`validated` turns the first error into the service's
``InputValidationError`` message (``"display_name" is required``, ``"update_details" must have
at least 1 key``). Input is read as leniently as the service read it: ``joinApprovalLevel`` as
an alias, language codes in any case, ``expires_at`` with or without a zone or ``T``, and the
Node SDK's ``update_options`` wrapper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from django_vonage_meetings import rules
from django_vonage_meetings.enums import (
    JoinApprovalLevel,
    MicrophoneState,
    RoomLanguage,
    RoomType,
)

from .errors import ServiceError, input_error


class LenientDateTimeField(serializers.Field[dt.datetime, Any, str, Any]):
    """ISO-8601 with or without ``T`` or a zone (``2023-02-07 20:10:05`` is UTC), ``+0000`` too."""

    default_error_messages = {"invalid": "must be a valid date"}

    def to_internal_value(self, data: Any) -> dt.datetime:
        if not isinstance(data, str):
            self.fail("invalid")
        text = data.strip()
        if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and ":" not in text[-5:]:
            text = f"{text[:-2]}:{text[-2:]}"
        try:
            parsed = parse_datetime(text.replace("z", "Z"))
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail("invalid")
        assert parsed is not None
        if timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=dt.timezone.utc)
        return parsed

    def to_representation(self, value: dt.datetime) -> str:
        return value.isoformat()


class StringField(serializers.CharField):
    """Joi does not turn numbers into strings: ``"display_name": 5`` is refused, not ``"5"``."""

    default_error_messages = {"type": "must be a string"}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("type")
        return super().to_internal_value(data)


class PatternField(serializers.RegexField):
    """A string that must match a pattern; non-strings are refused as Joi did."""

    default_error_messages = {"type": "must be a string"}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("type")
        return super().to_internal_value(data)


class LowerChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(data.lower() if isinstance(data, str) else data)


class Strict(serializers.Serializer[Any]):
    """Unknown keys are refused (``"x" is not allowed``), as Joi's default schema did."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            for key in data:
                if key not in self.fields:
                    raise serializers.ValidationError({key: ["not allowed"]}, code="unknown")
        return super().to_internal_value(data)


class RecordingOptions(Strict):
    auto_record = serializers.BooleanField(required=False)
    record_only_owner = serializers.BooleanField(required=False)


class InitialJoinOptions(Strict):
    microphone_state = serializers.ChoiceField(MicrophoneState.values, required=False)


class CallbackUrls(Strict):
    rooms_callback_url = PatternField(rules.CALLBACK_URL_RE, required=False, allow_null=True)
    sessions_callback_url = PatternField(rules.CALLBACK_URL_RE, required=False, allow_null=True)
    recordings_callback_url = PatternField(rules.CALLBACK_URL_RE, required=False, allow_null=True)


class AvailableFeatures(Strict):
    is_recording_available = serializers.BooleanField(required=False)
    is_chat_available = serializers.BooleanField(required=False)
    is_whiteboard_available = serializers.BooleanField(required=False)
    is_locale_switcher_available = serializers.BooleanField(required=False)
    is_captions_available = serializers.BooleanField(required=False)


class UiSettings(Strict):
    language = LowerChoiceField(RoomLanguage.values, required=False)


class RoomUpdate(Strict):
    expires_at = LenientDateTimeField(required=False)
    expire_after_use = serializers.BooleanField(required=False)
    theme_id = serializers.UUIDField(required=False, allow_null=True)
    join_approval_level = serializers.ChoiceField(JoinApprovalLevel.values, required=False)
    initial_join_options = InitialJoinOptions(required=False)
    callback_urls = CallbackUrls(required=False)
    available_features = AvailableFeatures(required=False)
    ui_settings = UiSettings(required=False)

    def validate_expires_at(self, value: dt.datetime) -> dt.datetime:
        earliest = timezone.now() + dt.timedelta(seconds=rules.EXPIRES_AT_MIN_LEAD_SECONDS)
        if value <= earliest:
            raise serializers.ValidationError("too soon", code="date.greater")
        return value


class RoomCreate(RoomUpdate):
    display_name = StringField(max_length=rules.DISPLAY_NAME_MAX)
    metadata = StringField(
        max_length=rules.METADATA_MAX, required=False, allow_null=True, allow_blank=True
    )
    type = serializers.ChoiceField(RoomType.values, required=False)
    recording_options = RecordingOptions(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("type", RoomType.INSTANT) == RoomType.LONG_TERM:
            if "expires_at" not in attrs:
                raise serializers.ValidationError({"expires_at": ["required"]}, code="required")
        elif "expires_at" in attrs:
            raise serializers.ValidationError({"expires_at": ["not allowed"]}, code="unknown")
        return attrs


class ThemeUpdate(Strict):
    theme_name = StringField(max_length=rules.THEME_NAME_MAX, required=False, allow_null=True)
    main_color = PatternField(rules.MAIN_COLOR_RE, max_length=rules.MAIN_COLOR_MAX, required=False)
    brand_text = StringField(max_length=rules.BRAND_TEXT_MAX, required=False)
    short_company_url = PatternField(
        rules.SHORT_COMPANY_URL_RE,
        max_length=rules.SHORT_COMPANY_URL_MAX,
        required=False,
        allow_null=True,
    )


class ThemeCreate(ThemeUpdate):
    main_color = PatternField(rules.MAIN_COLOR_RE, max_length=rules.MAIN_COLOR_MAX)
    brand_text = StringField(max_length=rules.BRAND_TEXT_MAX)


class FinalizeLogos(Strict):
    keys = serializers.ListField(child=StringField(max_length=255), min_length=1)


class ApplicationUpdate(Strict):
    default_theme_id = serializers.UUIDField(allow_null=True)


def _first_error(
    errors: Any, path: tuple[str | int, ...] = ()
) -> tuple[tuple[str | int, ...], Any]:
    """The path (keys, list indexes) and detail of the first error, as Joi reports only one."""
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            return _first_error(value, path if key == "non_field_errors" else (*path, key))
    if isinstance(errors, list) and errors:
        return _first_error(errors[0], path)
    return path, errors


def _label(path: tuple[str | int, ...]) -> str:
    """Joi's label: ``a.b`` for keys, ``keys[1]`` for list items."""
    label = ""
    for part in path:
        if isinstance(part, int):
            label += f"[{part}]"
        else:
            label += f".{part}" if label else part
    return label


def joi_message(path: str, error: Any, field: serializers.Field[Any, Any, Any, Any] | None) -> str:
    code = getattr(error, "code", "invalid")
    label = f'"{path}"'
    if code == "required":
        return f"{label} is required"
    if code == "unknown":
        return f"{label} is not allowed"
    if code == "blank":
        return f"{label} is not allowed to be empty"
    if code == "type":
        return f"{label} must be a string"
    if code == "null":
        return f"{label} {_null_message(field)}"
    if code == "max_length":
        limit = getattr(field, "max_length", "")
        return f"{label} length must be less than or equal to {limit} characters long"
    if code == "min_length":
        return f"{label} must contain at least 1 items"
    if code == "invalid_choice":
        choices = ", ".join(str(c) for c in getattr(field, "choices", {}))
        return f"{label} must be one of [{choices}]"
    if code == "date.greater":
        return f'{label} must be greater than "now + 10 minutes"'
    if isinstance(field, serializers.BooleanField):
        return f"{label} must be a boolean"
    if isinstance(field, LenientDateTimeField):
        return f"{label} must be a valid date"
    if isinstance(field, serializers.RegexField):
        pattern = next((v.regex.pattern for v in field.validators if hasattr(v, "regex")), "")
        return f"{label} with value fails to match the required pattern: /{pattern}/"
    if isinstance(field, serializers.UUIDField):
        return f"{label} must be a valid GUID"
    if isinstance(field, serializers.Serializer):
        return f"{label} must be of type object"
    if isinstance(field, serializers.ListField):
        return f"{label} must be an array"
    return f"{label} is invalid"


def _null_message(field: Any) -> str:
    """What Joi says when ``null`` is sent where the schema wants a value of some type."""
    if isinstance(field, serializers.Serializer):
        return "must be of type object"
    if isinstance(field, serializers.BooleanField):
        return "must be a boolean"
    if isinstance(field, serializers.ListField):
        return "must be an array"
    if isinstance(field, serializers.UUIDField):
        return "must be a valid GUID"
    if isinstance(field, serializers.ChoiceField):
        choices = ", ".join(str(c) for c in field.choices)
        return f"must be one of [{choices}]"
    return "must be a string"


def _field_at(serializer: serializers.Serializer[Any], path: tuple[str | int, ...]) -> Any:
    field: Any = serializer
    for part in path:
        if isinstance(part, int):
            field = getattr(field, "child", None)
        else:
            fields = getattr(field, "fields", None)
            field = fields.get(part) if fields is not None else None
        if field is None:
            return None
    return field


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """Validate a request body or raise the service's 400 with its first Joi-style message."""
    if not isinstance(data, Mapping):
        raise input_error('"value" must be of type object')
    serializer = serializer_class(data=data)
    if serializer.is_valid():
        return dict(serializer.validated_data)
    path, error = _first_error(serializer.errors)
    raise input_error(joi_message(_label(path) or "value", error, _field_at(serializer, path)))


def update_details(body: Any) -> dict[str, Any]:
    """The body of a PATCH: ``update_details`` (or Node's ``update_options``), non-empty."""
    if not isinstance(body, Mapping):
        raise input_error('"value" must be of type object')
    details = body.get("update_details", body.get("update_options"))
    if details is None:
        raise input_error('"update_details" is required')
    if not isinstance(details, Mapping):
        raise input_error('"update_details" must be of type object')
    if not details:
        raise input_error('"update_details" must have at least 1 key')
    return dict(details)


def room_input(data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise input_error('"value" must be of type object')
    out = dict(data)
    if "joinApprovalLevel" in out and "join_approval_level" not in out:
        out["join_approval_level"] = out.pop("joinApprovalLevel")
    return out


def parse_force(value: str | None) -> bool:
    """``force=true``, ``True`` (the Python SDK), ``1``; anything else is false."""
    return (value or "").strip().lower() in {"true", "1", "yes"}


__all__ = [
    "ApplicationUpdate",
    "FinalizeLogos",
    "RoomCreate",
    "RoomUpdate",
    "ServiceError",
    "ThemeCreate",
    "ThemeUpdate",
    "parse_force",
    "room_input",
    "update_details",
    "validated",
]
