"""The ``VONAGE_MEETINGS`` settings dict, read on every access.

Nothing is read at import time: each attribute of :data:`meetings_settings` looks at
``django.conf.settings.VONAGE_MEETINGS`` when it is accessed, so ``override_settings`` works and a
project can import this app before its settings are complete. Every value is checked on the way
out; a wrong one raises :class:`~django_vonage_meetings.exceptions.MeetingsConfigurationError`
naming the exact key and what is wrong, never echoing a secret. The system checks run the same
validators, so a misconfiguration shows up at ``manage.py check`` time.

Each setting is declared once, as a :class:`Setting` attribute of :class:`MeetingsSettings`
(default, validator, check id, documentation); :data:`SETTINGS` and the checks derive from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final, Generic, Literal, TypeVar, overload
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings

from .exceptions import MeetingsConfigurationError
from .keys import load_private_key

__all__ = [
    "SETTINGS",
    "ConfigProblem",
    "MeetingsSettings",
    "Setting",
    "load_private_key",
    "meetings_settings",
]

ProcessingMode = Literal["inline", "task"]
ProofMode = Literal["either", "jwt", "url_token"]
T = TypeVar("T")

#: The check id of a value with a wrong type or out of range, unless its setting names another.
WRONG_VALUE: Final = "vonage_meetings.E010"


#: A configuration error carrying the system-check id (and hint) that report it.
ConfigProblem = MeetingsConfigurationError


class Invalid(ValueError):
    """A validator's refusal; :class:`Setting` turns it into a :class:`ConfigProblem` for its key
    and check id."""

    def __init__(self, problem: str, check_id: str | None = None) -> None:
        self.problem = problem
        self.check_id = check_id
        super().__init__(problem)


Validator = Callable[[str, Any], T]


class Setting(Generic[T]):
    """One key of ``VONAGE_MEETINGS``, declared as a class attribute of :class:`MeetingsSettings`.

    Reading it on the settings object returns the validated value; ``validate(key, raw)``
    returns it or raises :class:`Invalid` (or a :class:`ConfigProblem` of its own, where one
    setting has several check ids, like the private key).
    """

    name: str

    def __init__(
        self,
        default: Any,
        validate: Validator[T],
        doc: str,
        *,
        check_id: str = WRONG_VALUE,
        hint: str | None = None,
        secret: bool = False,
    ) -> None:
        self.default = default
        self.validate = validate
        self.doc = doc
        self.check_id = check_id
        self.hint = hint
        self.secret = secret

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> Setting[T]: ...

    @overload
    def __get__(self, obj: MeetingsSettings, owner: type) -> T: ...

    def __get__(self, obj: MeetingsSettings | None, owner: type) -> Setting[T] | T:
        if obj is None:
            return self
        return self.read(obj.raw())

    def read(self, raw: Mapping[str, Any]) -> T:
        """The validated value of this key in ``raw`` (its default when absent)."""
        try:
            return self.validate(self.name, raw.get(self.name, self.default))
        except Invalid as exc:
            raise ConfigProblem(
                self.name, exc.problem, exc.check_id or self.check_id, self.hint
            ) from None

    def __repr__(self) -> str:
        return f"<Setting {self.name}>"


# -- validators: each takes (key, raw value) and returns the normalised value or raises ----------


def _required_text(key: str, value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid("is not set.", "vonage_meetings.E001")
    if not isinstance(value, str):
        raise Invalid(f"must be a string, not {type(value).__name__}.", "vonage_meetings.E002")
    return value.strip()


def _url(key: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Invalid(f"must be a URL string, not {type(value).__name__}.")
    # The value itself is never echoed: a URL may carry credentials (user:password@host).
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        got = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
        raise Invalid(
            f"must be an absolute http(s) URL such as 'https://example.com' (it has {got})."
        )
    if parts.query or parts.fragment:
        raise Invalid("must not carry a query or fragment.")
    if parts.username is not None or parts.password is not None:
        raise Invalid("must not carry credentials (user:password@).")
    return value.strip().rstrip("/")


def _required_url(key: str, value: Any) -> str:
    result = _url(key, value)
    if result is None:
        raise Invalid("is not set.")
    return result


def _secrets(key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise Invalid(
            f"must be a list of secret strings (newest first), not {type(value).__name__}."
        )
    out: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise Invalid(f"item {index} must be a non-empty string, not {type(item).__name__}.")
        out.append(item)
    return tuple(out)


def _checked_number(value: Any, minimum: float, maximum: float | None, integer: bool) -> None:
    kind = "an integer" if integer else "a number"
    ok_type = (
        isinstance(value, int) if integer else isinstance(value, int | float)
    ) and not isinstance(value, bool)
    if not ok_type:
        raise Invalid(f"must be {kind}, not {type(value).__name__}.")
    if math.isnan(value) or value < minimum or (maximum is not None and value > maximum):
        bounds = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise Invalid(f"must be {bounds}, got {value!r}.")


def _float(*, minimum: float, maximum: float | None = None) -> Validator[float]:
    def validate(key: str, value: Any) -> float:
        _checked_number(value, minimum, maximum, integer=False)
        return float(value)

    return validate


def _int(*, minimum: int, maximum: int | None = None) -> Validator[int]:
    def validate(key: str, value: Any) -> int:
        _checked_number(value, minimum, maximum, integer=True)
        return int(value)

    return validate


def _processing(key: str, value: Any) -> ProcessingMode:
    if value == "inline":
        return "inline"
    if value == "task":
        return "task"
    raise Invalid(f"must be one of 'inline', 'task', got {value!r}.")


def _proof(key: str, value: Any) -> ProofMode:
    if value == "either":
        return "either"
    if value == "jwt":
        return "jwt"
    if value == "url_token":
        return "url_token"
    raise Invalid("must be one of 'either', 'jwt', 'url_token'.")


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid("must be a non-empty string.")
    return value


def _private_key(key: str, value: Any) -> RSAPrivateKey:
    return load_private_key(key, value)


class MeetingsSettings:
    """Typed, lazy access to ``settings.VONAGE_MEETINGS``: one :class:`Setting` per key.

    Each attribute reads the dict afresh; nothing is cached except parsed private keys (by
    content hash), so ``override_settings`` and settings changed at runtime take effect at once.
    """

    APPLICATION_ID = Setting(
        None,
        _required_text,
        "The Vonage application id (a UUID) that signs API requests.",
        hint="Set it to your Vonage application's id (dashboard -> Applications).",
    )
    PRIVATE_KEY = Setting(
        None,
        _private_key,
        "The application's RSA private key: PEM text, or the path of a PEM file.",
        secret=True,
    )
    API_HOST = Setting(
        "https://api-eu.vonage.com",
        _required_url,
        "Base URL of the API; the client calls {API_HOST}/v1/meetings/... . Point it at "
        "the bundled simulator (http://HOST:PORT/simulator) in development and tests.",
        check_id="vonage_meetings.E007",
    )
    SIGNATURE_SECRETS = Setting(
        (),
        _secrets,
        "Secrets that sign callbacks, newest first; any one verifies (rotation).",
        check_id="vonage_meetings.E008",
        secret=True,
    )
    WEBHOOK_BASE_URL = Setting(
        None,
        _url,
        "Public base URL of this site (https://app.example.com); used to build the signed "
        "callback URLs that rooms created through the services carry.",
        check_id="vonage_meetings.E009",
    )
    CONNECT_TIMEOUT = Setting(
        5.0, _float(minimum=0.001), "Seconds to wait for a TCP/TLS connection to the API."
    )
    TIMEOUT = Setting(
        30.0,
        _float(minimum=0.001),
        "Seconds to wait for the API to answer once connected (read timeout).",
    )
    MAX_RETRIES = Setting(
        3,
        _int(minimum=0, maximum=10),
        "Retries of a failed request (idempotent requests on 429/5xx and connection errors; "
        "any request on 429). A POST that may have reached the service is never replayed.",
    )
    CALL_DEADLINE = Setting(
        120.0,
        _float(minimum=0.001),
        "Longest one API call may take in all (connect, answer, body, every retry and pause); "
        "past it the call ends with DeadlineExceededError.",
    )
    MAX_PAGES = Setting(
        10_000,
        _int(minimum=1),
        "Most pages one listing may follow (_links.next) before TooManyPagesError.",
    )
    MAX_RESPONSE_BYTES = Setting(
        32 * 1024 * 1024,
        _int(minimum=1024),
        "Largest answer (bytes, decoded) the client reads; a larger one ends the call with "
        "ResponseTooLargeError without reading the rest.",
    )
    RETRY_BACKOFF = Setting(
        0.5,
        _float(minimum=0),
        "Backoff factor between retries: factor * 2**(retry - 1) seconds.",
    )
    RETRY_AFTER_MAX = Setting(
        60.0,
        _float(minimum=0),
        "Longest Retry-After (seconds) the client waits for; a longer one raises at once.",
    )
    JWT_TTL = Setting(
        300,
        _int(minimum=60, maximum=86400),
        "Lifetime (seconds) of the application JWT; it is reused until shortly before expiry.",
    )
    WEBHOOK_PROOF = Setting(
        "either",
        _proof,
        "Which proof a callback must carry: 'jwt' (the signed Authorization header), "
        "'url_token' (a signed callback URL) or 'either'. A request with an Authorization "
        "header is always held to its JWT, and a URL token to its scope, whatever this says.",
    )
    WEBHOOK_MAX_AGE = Setting(
        300,
        _int(minimum=1),
        "Oldest signed callback (seconds since its iat) that is accepted; also how long "
        "seen jti values are remembered.",
    )
    WEBHOOK_CLOCK_SKEW = Setting(
        30,
        _int(minimum=0, maximum=600),
        "Seconds a callback's iat may lie in the future (clock drift between servers).",
    )
    WEBHOOK_MAX_BODY_SIZE = Setting(
        256 * 1024,
        _int(minimum=1024),
        "Largest callback body in bytes; larger ones are refused with 413.",
    )
    WEBHOOK_MAX_JSON_DEPTH = Setting(
        32,
        _int(minimum=1, maximum=200),
        "Deepest nesting of arrays and objects in a callback body (the payload object is "
        "level 1); deeper bodies are refused with 400 'too_deep'.",
    )
    WEBHOOK_PROCESSING = Setting(
        "inline",
        _processing,
        "'inline' applies a callback inside the webhook request; 'task' stores it, answers "
        "at once and processes it with Django's Tasks framework.",
    )
    WEBHOOK_BATCH_WINDOW = Setting(
        1.0,
        _float(minimum=0, maximum=60),
        "With 'task' processing on a backend that can defer tasks: seconds a stored callback "
        "may wait so that one task applies every callback that arrived meanwhile, in order. "
        "0 enqueues one task per callback.",
    )
    SYNC_PAGE_SIZE = Setting(
        100, _int(minimum=1, maximum=1000), "Rooms per page fetched by meetings_sync."
    )
    TASK_BACKEND = Setting(
        "default", _text, "Alias in TASKS of the backend that runs this app's tasks."
    )
    TASK_QUEUE = Setting("default", _text, "Queue name this app's tasks are enqueued on.")
    EVENT_RETENTION_DAYS = Setting(
        30,
        _int(minimum=1),
        "Default age in days beyond which meetings_prune_events deletes stored callbacks.",
    )

    def raw(self) -> Mapping[str, Any]:
        """The user's dict, checked to be a mapping."""
        value = getattr(settings, "VONAGE_MEETINGS", None)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise ConfigProblem(
                None, f"must be a dict, not {type(value).__name__}.", "vonage_meetings.E011"
            )
        return value

    def unknown_keys(self) -> list[str]:
        return sorted(k for k in self.raw() if k not in SETTINGS)

    def get(self, name: str) -> Any:
        return SETTINGS[name].read(self.raw())

    def is_set(self, name: str) -> bool:
        value = self.raw().get(name)
        return value is not None and value not in ("", [], ())

    def __repr__(self) -> str:
        # Never show secrets: only which keys are set.
        raw = self.raw()
        shown = {
            name: ("<set>" if spec.secret else raw.get(name, spec.default))
            for name, spec in SETTINGS.items()
            if name in raw or not spec.secret
        }
        return f"<MeetingsSettings {shown!r}>"


#: Every setting by name, in declaration order (derived from :class:`MeetingsSettings`).
SETTINGS: Final[dict[str, Setting[Any]]] = {
    name: value for name, value in vars(MeetingsSettings).items() if isinstance(value, Setting)
}

meetings_settings: Final = MeetingsSettings()
