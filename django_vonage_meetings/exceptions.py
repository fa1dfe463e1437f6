"""The error hierarchy.

Every failure a user can meet is a typed exception whose message says what went wrong and, where
it can, what to do. API errors keep the fields the service sent in either of its two shapes (the
gateway's ``title``/``detail``/``type``/``instance`` and the service's ``status``/``name``/
``message``/``errors``) so callers can branch on them without parsing strings. No secret ever
reaches a message: callers pass field names and redacted values only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "DeadlineExceededError",
    "LogoUploadError",
    "MeetingsAPIError",
    "MeetingsConfigurationError",
    "MeetingsConnectionError",
    "MeetingsError",
    "MeetingsLimitError",
    "MeetingsValidationError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "TooManyPagesError",
    "WebhookAuthenticationError",
    "WebhookScopeError",
]


class MeetingsError(Exception):
    """Base class of every error raised by django-vonage-meetings."""


class MeetingsConfigurationError(MeetingsError, ImproperlyConfigured):
    """A ``VONAGE_MEETINGS`` setting is missing or wrong; the message names the exact key.

    ``key`` is the setting's name, ``path`` the whole way to it
    (``("APPLICATIONS", "clinic-north", "PRIVATE_KEY")``), ``check_id`` the system check that
    reports it (``vonage_meetings.E004``), ``hint`` what to do about it.
    """

    def __init__(
        self,
        key: str | tuple[str, ...] | None,
        problem: str,
        check_id: str = "vonage_meetings.E010",
        hint: str | None = None,
    ) -> None:
        self.path: tuple[str, ...] = (key,) if isinstance(key, str) else tuple(key or ())
        self.key = self.path[-1] if self.path else None
        self.problem = problem
        self.check_id = check_id
        self.hint = hint
        where = "VONAGE_MEETINGS" + "".join(f"[{part!r}]" for part in self.path)
        super().__init__(f"{where} {problem}")


class MeetingsValidationError(MeetingsError, ValueError):
    """Input was refused before any request was sent (the rules the service documents).

    ``errors`` maps a field path (``"display_name"``, ``"recording_options.auto_record"``) to a
    list of messages, the shape Django forms and DRF use, so the admin can show them per field.
    """

    def __init__(self, errors: dict[str, list[str]] | str, field: str | None = None) -> None:
        if isinstance(errors, str):
            errors = {field or "__all__": [errors]}
        self.errors: dict[str, list[str]] = errors
        parts = [
            f"{name}: {msg}" if name != "__all__" else msg
            for name, messages in errors.items()
            for msg in messages
        ]
        super().__init__("; ".join(parts))


class MeetingsConnectionError(MeetingsError):
    """The service could not be reached (connection refused, DNS, timeout) after retries."""


class MeetingsLimitError(MeetingsError):
    """A call went past one of the client's own limits; ``setting`` names the setting that sets
    it (``VONAGE_MEETINGS[setting]``, or the client's keyword argument of the same meaning)."""

    def __init__(self, message: str, *, setting: str) -> None:
        self.setting = setting
        super().__init__(f"{message} (VONAGE_MEETINGS[{setting!r}])")


class DeadlineExceededError(MeetingsLimitError, MeetingsConnectionError):
    """The call (connect, answer, every retry and pause between them) took longer than its
    overall deadline; a create may or may not have happened."""


class TooManyPagesError(MeetingsLimitError):
    """A listing kept offering another page past the cap on pages per listing."""


class ResponseTooLargeError(MeetingsLimitError):
    """An answer was larger than the cap on response size; it was not read any further."""


class MeetingsAPIError(MeetingsError):
    """The service answered with an error status.

    ``status_code`` is the HTTP status. ``name``/``message``/``errors`` come from the service's
    own error shape, ``title``/``detail``/``type``/``instance`` from the gateway's; whichever
    shape was not sent leaves its fields ``None``. ``body`` keeps the raw text (trimmed) for
    responses that were not JSON.
    """

    default_message = "The Meetings API refused the request"

    def __init__(
        self,
        status_code: int,
        *,
        method: str = "",
        url: str = "",
        name: str | None = None,
        message: str | None = None,
        errors: list[Any] | None = None,
        title: str | None = None,
        detail: str | None = None,
        type: str | None = None,
        instance: str | None = None,
        body: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.method = method
        self.url = url
        self.name = name
        self.message = message
        self.errors = list(errors) if errors else []
        self.title = title
        self.detail = detail
        self.type = type
        self.instance = instance
        self.body = body
        self.retry_after = retry_after
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        if self.message or self.name:
            text = ": ".join(p for p in (self.name, self.message) if p)
            if self.errors:
                text += " [" + "; ".join(_error_text(e) for e in self.errors) + "]"
        elif self.title or self.detail:
            text = ": ".join(p for p in (self.title, self.detail) if p)
        elif self.body:
            text = self.body
        else:
            text = self.default_message
        return f"{self.status_code} {text}{where}"


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return ", ".join(f"{k}={v}" for k, v in error.items())
    return str(error)


class BadRequestError(MeetingsAPIError):
    """400 or 422: the service refused the input."""


class AuthenticationError(MeetingsAPIError):
    """401: the application JWT was refused (wrong application id or key, clock skew)."""


class PermissionDeniedError(MeetingsAPIError):
    """403: a limit was reached, or the operation is not allowed in the object's state."""


class NotFoundError(MeetingsAPIError):
    """404: no such room, theme, recording or session for this application."""


class ConflictError(MeetingsAPIError):
    """409: a theme name or short company URL is already taken."""


class RateLimitError(MeetingsAPIError):
    """429 after the client's retries ran out; ``retry_after`` holds the server's hint."""


class ServerError(MeetingsAPIError):
    """5xx: the service failed; a create may or may not have happened, so it is never replayed."""


class LogoUploadError(MeetingsAPIError):
    """The presigned S3 upload of a logo failed; ``name`` is S3's error code (``AccessDenied``)."""


class WebhookAuthenticationError(MeetingsError):
    """A callback failed authentication. ``reason`` is a short stable code for logs and tests."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class WebhookScopeError(WebhookAuthenticationError):
    """A callback authenticated by a room's URL token is about another room, or about one the
    mirror cannot place yet (403; ``reason`` is ``out_of_scope`` or ``scope_unresolved``)."""


_BY_STATUS: dict[int, type[MeetingsAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}


def api_error_class(status_code: int) -> type[MeetingsAPIError]:
    """The exception class for an HTTP error status."""
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, MeetingsAPIError)
