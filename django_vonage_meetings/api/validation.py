"""Checks the service documented, run before a request is sent.

Users get the error at once, per field, instead of after a round trip (or, for rules the service
enforced loosely, not at all). DRF serializers do the parsing; :func:`validate` turns their
nested errors into :class:`~django_vonage_meetings.exceptions.MeetingsValidationError`, whose
``errors`` maps dotted field paths to messages so the admin can show them beside each field.
The limits come from :mod:`~django_vonage_meetings.rules`, shared with the simulator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from rest_framework import serializers

from .. import rules
from ..enums import JoinApprovalLevel, LogoType, MicrophoneState, RoomLanguage, RoomType
from ..exceptions import MeetingsValidationError

__all__ = [
    "read_logo",
    "validate_room_create",
    "validate_room_update",
    "validate_theme_create",
    "validate_theme_update",
]


def _iso(value: dt.datetime) -> str:
    """The service's timestamp form: UTC, milliseconds, ``Z``."""
    value = value.astimezone(dt.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class _Strict(serializers.Serializer[Any]):
    """Refuses keys it does not know, so a typo is an error rather than silently dropped."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: ["This field is not part of the Meetings API."] for key in unknown}
                )
        return super().to_internal_value(data)


class _RecordingOptions(_Strict):
    auto_record = serializers.BooleanField(required=False)
    record_only_owner = serializers.BooleanField(required=False)


class _InitialJoinOptions(_Strict):
    microphone_state = serializers.ChoiceField(choices=MicrophoneState.choices, required=False)


class _CallbackUrls(_Strict):
    rooms_callback_url = serializers.RegexField(rules.CALLBACK_URL_RE, required=False)
    sessions_callback_url = serializers.RegexField(rules.CALLBACK_URL_RE, required=False)
    recordings_callback_url = serializers.RegexField(rules.CALLBACK_URL_RE, required=False)


class _AvailableFeatures(_Strict):
    is_recording_available = serializers.BooleanField(required=False)
    is_chat_available = serializers.BooleanField(required=False)
    is_whiteboard_available = serializers.BooleanField(required=False)
    is_locale_switcher_available = serializers.BooleanField(required=False)
    is_captions_available = serializers.BooleanField(required=False)


class _LanguageField(serializers.ChoiceField):
    """Language codes in any case (the docs' example used ``ES``); sent lower-case."""

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(data.lower() if isinstance(data, str) else data)


class _UiSettings(_Strict):
    language = _LanguageField(choices=RoomLanguage.choices, required=False)


class _RoomFields(_Strict):
    """The fields a room update may carry (the service let nothing else change)."""

    expires_at = serializers.DateTimeField(required=False, default_timezone=dt.timezone.utc)
    expire_after_use = serializers.BooleanField(required=False)
    theme_id = serializers.CharField(required=False, allow_null=True, max_length=64)
    join_approval_level = serializers.ChoiceField(choices=JoinApprovalLevel.choices, required=False)
    initial_join_options = _InitialJoinOptions(required=False)
    callback_urls = _CallbackUrls(required=False)
    available_features = _AvailableFeatures(required=False)
    ui_settings = _UiSettings(required=False)

    def validate_expires_at(self, value: dt.datetime) -> dt.datetime:
        earliest = timezone.now() + dt.timedelta(seconds=rules.EXPIRES_AT_MIN_LEAD_SECONDS)
        if value <= earliest:
            raise serializers.ValidationError(
                "Must be more than 10 minutes in the future (the service refuses sooner expiries)."
            )
        return value


class RoomCreateSerializer(_RoomFields):
    display_name = serializers.CharField(max_length=rules.DISPLAY_NAME_MAX, allow_blank=False)
    metadata = serializers.CharField(
        max_length=rules.METADATA_MAX, required=False, allow_null=True, allow_blank=True
    )
    type = serializers.ChoiceField(choices=RoomType.choices, required=False)
    recording_options = _RecordingOptions(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        room_type = attrs.get("type", RoomType.INSTANT)
        if room_type == RoomType.LONG_TERM and "expires_at" not in attrs:
            raise serializers.ValidationError(
                {"expires_at": ["A long_term room needs an expiry (expires_at)."]}
            )
        if room_type == RoomType.INSTANT:
            if "expires_at" in attrs:
                raise serializers.ValidationError(
                    {
                        "expires_at": [
                            "Instant rooms expire 10 minutes after creation; "
                            "do not send expires_at."
                        ]
                    }
                )
            if attrs.get("expire_after_use"):
                raise serializers.ValidationError(
                    {"expire_after_use": ["Only long_term rooms can expire after use."]}
                )
        return attrs


class RoomUpdateSerializer(_RoomFields):
    _FIXED = ("display_name", "metadata", "type", "recording_options")

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            fixed = [key for key in self._FIXED if key in data]
            if fixed:
                raise serializers.ValidationError(
                    {key: ["The service does not let this change after creation."] for key in fixed}
                )
            if not data:
                raise serializers.ValidationError(
                    {"update_details": ["Give at least one field to change."]}
                )
        return super().to_internal_value(data)


class ThemeUpdateSerializer(_Strict):
    theme_name = serializers.CharField(
        max_length=rules.THEME_NAME_MAX, required=False, allow_null=True
    )
    main_color = serializers.RegexField(
        rules.MAIN_COLOR_RE,
        max_length=rules.MAIN_COLOR_MAX,
        required=False,
        error_messages={"invalid": "Must be a hex colour such as #12f64e or #fff."},
    )
    brand_text = serializers.CharField(max_length=rules.BRAND_TEXT_MAX, required=False)
    short_company_url = serializers.RegexField(
        rules.SHORT_COMPANY_URL_RE,
        max_length=rules.SHORT_COMPANY_URL_MAX,
        required=False,
        allow_null=True,
        error_messages={
            "invalid": "Use letters, digits, '-', '_' or '~', with at least one non-digit."
        },
    )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping) and not data:
            raise serializers.ValidationError(
                {"update_details": ["Give at least one field to change."]}
            )
        return super().to_internal_value(data)


class ThemeCreateSerializer(ThemeUpdateSerializer):
    main_color = serializers.RegexField(
        rules.MAIN_COLOR_RE,
        max_length=rules.MAIN_COLOR_MAX,
        error_messages={"invalid": "Must be a hex colour such as #12f64e or #fff."},
    )
    brand_text = serializers.CharField(max_length=rules.BRAND_TEXT_MAX)


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            name = "__all__" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name != "__all__" else (prefix or name)
            for sub_key, messages in _flatten(value, path).items():
                flat.setdefault(sub_key, []).extend(messages)
    elif isinstance(errors, list):
        for item in errors:
            if isinstance(item, Mapping | list):
                for sub_key, messages in _flatten(item, prefix).items():
                    flat.setdefault(sub_key, []).extend(messages)
            else:
                flat.setdefault(prefix or "__all__", []).append(str(item))
    else:
        flat.setdefault(prefix or "__all__", []).append(str(errors))
    return flat


def _to_wire(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, Mapping):
        return {key: _to_wire(item) for key, item in value.items()}
    return value


def validate(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """Run a serializer; return the wire-ready dict of the given fields or raise per field."""
    if not isinstance(data, Mapping):
        raise MeetingsValidationError(f"Expected a dict of fields, got {type(data).__name__}.")
    serializer = serializer_class(data=dict(data))
    if not serializer.is_valid():
        raise MeetingsValidationError(_flatten(serializer.errors))
    result: dict[str, Any] = _to_wire(serializer.validated_data)
    return result


def _normalise_room_input(data: Mapping[str, Any]) -> dict[str, Any]:
    """Accept the camelCase name the service once used, send the snake_case one."""
    out = dict(data)
    if "joinApprovalLevel" in out and "join_approval_level" not in out:
        out["join_approval_level"] = out.pop("joinApprovalLevel")
    return out


def validate_room_create(data: Mapping[str, Any]) -> dict[str, Any]:
    return validate(RoomCreateSerializer, _normalise_room_input(data))


def validate_room_update(data: Mapping[str, Any]) -> dict[str, Any]:
    return validate(RoomUpdateSerializer, _normalise_room_input(data))


def validate_theme_create(data: Mapping[str, Any]) -> dict[str, Any]:
    return validate(ThemeCreateSerializer, data)


def validate_theme_update(data: Mapping[str, Any]) -> dict[str, Any]:
    return validate(ThemeUpdateSerializer, data)


def read_logo(file: str | Path | IO[bytes], logo_type: str) -> tuple[bytes, str]:
    """Read a logo and check what can be checked locally: it exists, is a PNG, is at most 1 MB.

    Returns the bytes and a file name for the upload. Dimensions and transparency are the
    service's to judge (it answers with precise error codes), so they are not second-guessed.
    """
    if logo_type not in LogoType.values:
        allowed = ", ".join(LogoType.values)
        raise MeetingsValidationError(
            {"logo_type": [f"Must be one of {allowed}, got {logo_type!r}."]}
        )
    if isinstance(file, str | Path):
        path = Path(file)
        if not path.is_file():
            raise MeetingsValidationError({"file": [f"No file at '{path}'."]})
        if path.stat().st_size > rules.LOGO_MAX_BYTES:
            raise MeetingsValidationError(
                {"file": [f"'{path.name}' is larger than 1 MB ({path.stat().st_size} bytes)."]}
            )
        content = path.read_bytes()
        name = path.name
    else:
        raw: Any = file.read(rules.LOGO_MAX_BYTES + 1)
        name = Path(str(getattr(file, "name", "") or f"{logo_type}.png")).name
        if not isinstance(raw, bytes | bytearray):
            raise MeetingsValidationError(
                {"file": [f"'{name}' was opened in text mode; open it with 'rb'."]}
            )
        content = bytes(raw)
        if len(content) > rules.LOGO_MAX_BYTES:
            raise MeetingsValidationError({"file": [f"'{name}' is larger than 1 MB."]})
    if not content.startswith(rules.PNG_SIGNATURE):
        raise MeetingsValidationError(
            {"file": [f"'{name}' is not a PNG image (logos must be PNG files)."]}
        )
    return content, name
