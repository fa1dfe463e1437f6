"""The ``VONAGE_MEETINGS`` settings dict, read on every access.

Nothing is read at import time: each attribute of :data:`meetings_settings` looks at
``django.conf.settings.VONAGE_MEETINGS`` when it is accessed, so ``override_settings`` works and a
project can import this app before its settings are complete. Every value is checked on the way
out; a wrong one raises :class:`~django_vonage_meetings.exceptions.MeetingsConfigurationError`
naming the exact key and what is wrong, never echoing a secret. The system checks in
``checks.py`` run the same validators, so a misconfiguration shows up at ``manage.py check`` time.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, cast
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings

from .exceptions import MeetingsConfigurationError

__all__ = ["SETTINGS", "MeetingsSettings", "Setting", "load_private_key", "meetings_settings"]

ProcessingMode = Literal["inline", "task"]


class ConfigProblem(MeetingsConfigurationError):
    """A configuration error that also carries the system-check id that reports it."""

    def __init__(self, key: str | None, problem: str, check_id: str) -> None:
        self.check_id = check_id
        super().__init__(key, problem)


@dataclass(frozen=True)
class Setting:
    """One key of ``VONAGE_MEETINGS``: its default, its validator and whether it is secret."""

    name: str
    default: Any
    validate: Callable[[str, Any], Any]
    doc: str
    secret: bool = False


# -- validators: each takes (key, raw value) and returns the normalised value or raises ----------


def _required_text(key: str, value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ConfigProblem(key, "is not set.", "vonage_meetings.E001")
    if not isinstance(value, str):
        raise ConfigProblem(
            key, f"must be a string, not {type(value).__name__}.", "vonage_meetings.E002"
        )
    return value.strip()


def _url(key: str, value: Any, *, check_id: str, optional: bool) -> str | None:
    if value is None or value == "":
        if optional:
            return None
        raise ConfigProblem(key, "is not set.", check_id)
    if not isinstance(value, str):
        raise ConfigProblem(key, f"must be a URL string, not {type(value).__name__}.", check_id)
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigProblem(
            key,
            f"must be an absolute http(s) URL such as 'https://example.com', got {value!r}.",
            check_id,
        )
    if parts.query or parts.fragment:
        raise ConfigProblem(key, f"must not carry a query or fragment, got {value!r}.", check_id)
    return value.strip().rstrip("/")


def _api_host(key: str, value: Any) -> str:
    result = _url(key, value, check_id="vonage_meetings.E007", optional=False)
    assert result is not None
    return result


def _webhook_base_url(key: str, value: Any) -> str | None:
    return _url(key, value, check_id="vonage_meetings.E009", optional=True)


def _secrets(key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ConfigProblem(
            key,
            f"must be a list of secret strings (newest first), not {type(value).__name__}.",
            "vonage_meetings.E008",
        )
    out: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise ConfigProblem(
                key,
                f"item {index} must be a non-empty string, not {type(item).__name__}.",
                "vonage_meetings.E008",
            )
        out.append(item)
    return tuple(out)


def _number(
    *, minimum: float, maximum: float | None = None, integer: bool = False
) -> Callable[[str, Any], Any]:
    def validate(key: str, value: Any) -> Any:
        kind = "an integer" if integer else "a number"
        ok_type = (
            isinstance(value, int) if integer else isinstance(value, int | float)
        ) and not isinstance(value, bool)
        if not ok_type:
            raise ConfigProblem(
                key, f"must be {kind}, not {type(value).__name__}.", "vonage_meetings.E010"
            )
        if value < minimum or (maximum is not None and value > maximum):
            bounds = (
                f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
            )
            raise ConfigProblem(key, f"must be {bounds}, got {value!r}.", "vonage_meetings.E010")
        return value

    return validate


def _choice(*choices: str) -> Callable[[str, Any], Any]:
    def validate(key: str, value: Any) -> Any:
        if value not in choices:
            allowed = ", ".join(repr(c) for c in choices)
            raise ConfigProblem(
                key, f"must be one of {allowed}, got {value!r}.", "vonage_meetings.E010"
            )
        return value

    return validate


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigProblem(key, "must be a non-empty string.", "vonage_meetings.E010")
    return value


def _private_key(key: str, value: Any) -> RSAPrivateKey:
    return load_private_key(key, value)


# -- private key loading (cached by content, so reading settings on every call stays cheap) -----

_KEY_CACHE: dict[str, RSAPrivateKey] = {}
_KEY_CACHE_LOCK = threading.Lock()


def load_private_key(key: str, value: Any) -> RSAPrivateKey:
    """Load an RSA private key from PEM text, PEM bytes or a file path.

    ``key`` names the setting (or argument) in error messages; the key material never appears
    in them. Parsed keys are cached by content hash, so callers may load on every request.
    """
    if isinstance(value, RSAPrivateKey):
        return value
    if value is None or (isinstance(value, str | bytes) and not value.strip()):
        raise ConfigProblem(
            key,
            "is not set; give the PEM text of the Vonage application's private key or the path "
            "of its file.",
            "vonage_meetings.E003",
        )
    if isinstance(value, bytes):
        pem = value
    elif isinstance(value, str) and "-----BEGIN" in value:
        pem = value.encode()
    elif isinstance(value, str | Path):
        path = Path(value).expanduser()
        try:
            pem = path.read_bytes()
        except FileNotFoundError:
            raise ConfigProblem(
                key, f"names a file that does not exist: '{path}'.", "vonage_meetings.E004"
            ) from None
        except OSError as exc:
            raise ConfigProblem(
                key,
                f"names a file that cannot be read: '{path}' ({exc.strerror}).",
                "vonage_meetings.E004",
            ) from None
    else:
        raise ConfigProblem(
            key,
            f"must be PEM text or a file path, not {type(value).__name__}.",
            "vonage_meetings.E005",
        )
    digest = hashlib.sha256(pem).hexdigest()
    with _KEY_CACHE_LOCK:
        cached = _KEY_CACHE.get(digest)
    if cached is not None:
        return cached
    if b"-----BEGIN" in pem and b"PUBLIC KEY-----" in pem and b"PRIVATE KEY" not in pem:
        raise ConfigProblem(
            key,
            "holds a public key; the application's private key is needed.",
            "vonage_meetings.E006",
        )
    try:
        loaded = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise ConfigProblem(
            key,
            "is an encrypted private key; export it without a passphrase.",
            "vonage_meetings.E005",
        ) from None
    except Exception:
        # cryptography raises ValueError (and, for some inputs, UnsupportedAlgorithm); the
        # message never includes the key material.
        raise ConfigProblem(
            key,
            "is not a readable PEM private key (expected '-----BEGIN PRIVATE KEY-----' or "
            "'-----BEGIN RSA PRIVATE KEY-----').",
            "vonage_meetings.E005",
        ) from None
    if not isinstance(loaded, RSAPrivateKey):
        kind = type(loaded).__name__.removeprefix("_").replace("PrivateKey", "")
        raise ConfigProblem(
            key,
            f"is a {kind or 'non-RSA'} key; Vonage application keys are RSA (RS256).",
            "vonage_meetings.E006",
        )
    with _KEY_CACHE_LOCK:
        if len(_KEY_CACHE) > 16:
            _KEY_CACHE.clear()
        _KEY_CACHE[digest] = loaded
    return loaded


SETTINGS: Final[dict[str, Setting]] = {
    s.name: s
    for s in (
        Setting(
            "APPLICATION_ID",
            None,
            _required_text,
            "The Vonage application id (a UUID) that signs API requests.",
        ),
        Setting(
            "PRIVATE_KEY",
            None,
            _private_key,
            "The application's RSA private key: PEM text, or the path of a PEM file.",
            secret=True,
        ),
        Setting(
            "API_HOST",
            "https://api-eu.vonage.com",
            _api_host,
            "Base URL of the API; the client calls {API_HOST}/v1/meetings/... . Point it at "
            "the bundled simulator (http://HOST:PORT/simulator) in development and tests.",
        ),
        Setting(
            "SIGNATURE_SECRETS",
            (),
            _secrets,
            "Secrets that sign callbacks, newest first; any one verifies (rotation).",
            secret=True,
        ),
        Setting(
            "WEBHOOK_BASE_URL",
            None,
            _webhook_base_url,
            "Public base URL of this site (https://app.example.com); used to build the signed "
            "callback URLs that rooms created through the services carry.",
        ),
        Setting(
            "CONNECT_TIMEOUT",
            5.0,
            _number(minimum=0.001),
            "Seconds to wait for a TCP/TLS connection to the API.",
        ),
        Setting(
            "TIMEOUT",
            30.0,
            _number(minimum=0.001),
            "Seconds to wait for the API to answer once connected (read timeout).",
        ),
        Setting(
            "MAX_RETRIES",
            3,
            _number(minimum=0, maximum=10, integer=True),
            "Retries of a failed request (idempotent requests on 429/5xx and connection errors; "
            "any request on 429). A POST that may have reached the service is never replayed.",
        ),
        Setting(
            "RETRY_BACKOFF",
            0.5,
            _number(minimum=0),
            "Backoff factor between retries: factor * 2**(retry - 1) seconds.",
        ),
        Setting(
            "RETRY_AFTER_MAX",
            60.0,
            _number(minimum=0),
            "Longest Retry-After (seconds) the client waits for; a longer one raises at once.",
        ),
        Setting(
            "JWT_TTL",
            300,
            _number(minimum=60, maximum=86400, integer=True),
            "Lifetime (seconds) of the application JWT; it is reused until shortly before expiry.",
        ),
        Setting(
            "WEBHOOK_MAX_AGE",
            300,
            _number(minimum=1, integer=True),
            "Oldest signed callback (seconds since its iat) that is accepted; also how long "
            "seen jti values are remembered.",
        ),
        Setting(
            "WEBHOOK_CLOCK_SKEW",
            30,
            _number(minimum=0, maximum=600, integer=True),
            "Seconds a callback's iat may lie in the future (clock drift between servers).",
        ),
        Setting(
            "WEBHOOK_MAX_BODY_SIZE",
            256 * 1024,
            _number(minimum=1024, integer=True),
            "Largest callback body in bytes; larger ones are refused with 413.",
        ),
        Setting(
            "WEBHOOK_PROCESSING",
            "inline",
            _choice("inline", "task"),
            "'inline' applies a callback inside the webhook request; 'task' stores it, answers "
            "at once and processes it with Django's Tasks framework.",
        ),
        Setting(
            "WEBHOOK_BATCH_WINDOW",
            1.0,
            _number(minimum=0, maximum=60),
            "With 'task' processing on a backend that can defer tasks: seconds a stored callback "
            "may wait so that one task applies every callback that arrived meanwhile, in order. "
            "0 enqueues one task per callback.",
        ),
        Setting(
            "SYNC_PAGE_SIZE",
            100,
            _number(minimum=1, maximum=1000, integer=True),
            "Rooms per page fetched by meetings_sync.",
        ),
        Setting(
            "TASK_BACKEND",
            "default",
            _text,
            "Alias in TASKS of the backend that runs this app's tasks.",
        ),
        Setting(
            "TASK_QUEUE",
            "default",
            _text,
            "Queue name this app's tasks are enqueued on.",
        ),
        Setting(
            "EVENT_RETENTION_DAYS",
            30,
            _number(minimum=1, integer=True),
            "Default age in days beyond which meetings_prune_events deletes stored callbacks.",
        ),
    )
}


class MeetingsSettings:
    """Typed, lazy access to ``settings.VONAGE_MEETINGS``.

    Each property reads the dict afresh; nothing is cached except parsed private keys (by
    content hash), so ``override_settings`` and settings changed at runtime take effect at once.
    """

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
        spec = SETTINGS[name]
        return spec.validate(name, self.raw().get(name, spec.default))

    def is_set(self, name: str) -> bool:
        value = self.raw().get(name)
        return value is not None and value not in ("", [], ())

    @property
    def APPLICATION_ID(self) -> str:
        """The Vonage application id (a UUID) that signs API requests."""
        return cast(str, self.get("APPLICATION_ID"))

    @property
    def PRIVATE_KEY(self) -> RSAPrivateKey:
        """The application's RSA private key, loaded (PEM text or a file path in the dict)."""
        return cast(RSAPrivateKey, self.get("PRIVATE_KEY"))

    @property
    def API_HOST(self) -> str:
        """Base URL of the API, without a trailing slash."""
        return cast(str, self.get("API_HOST"))

    @property
    def SIGNATURE_SECRETS(self) -> tuple[str, ...]:
        """Callback signing secrets, newest first."""
        return cast(tuple[str, ...], self.get("SIGNATURE_SECRETS"))

    @property
    def WEBHOOK_BASE_URL(self) -> str | None:
        """Public base URL of this site, without a trailing slash, or None."""
        return cast("str | None", self.get("WEBHOOK_BASE_URL"))

    @property
    def CONNECT_TIMEOUT(self) -> float:
        return float(self.get("CONNECT_TIMEOUT"))

    @property
    def TIMEOUT(self) -> float:
        return float(self.get("TIMEOUT"))

    @property
    def MAX_RETRIES(self) -> int:
        return int(self.get("MAX_RETRIES"))

    @property
    def RETRY_BACKOFF(self) -> float:
        return float(self.get("RETRY_BACKOFF"))

    @property
    def RETRY_AFTER_MAX(self) -> float:
        return float(self.get("RETRY_AFTER_MAX"))

    @property
    def JWT_TTL(self) -> int:
        return int(self.get("JWT_TTL"))

    @property
    def WEBHOOK_MAX_AGE(self) -> int:
        return int(self.get("WEBHOOK_MAX_AGE"))

    @property
    def WEBHOOK_CLOCK_SKEW(self) -> int:
        return int(self.get("WEBHOOK_CLOCK_SKEW"))

    @property
    def WEBHOOK_MAX_BODY_SIZE(self) -> int:
        return int(self.get("WEBHOOK_MAX_BODY_SIZE"))

    @property
    def WEBHOOK_PROCESSING(self) -> ProcessingMode:
        return cast(ProcessingMode, self.get("WEBHOOK_PROCESSING"))

    @property
    def WEBHOOK_BATCH_WINDOW(self) -> float:
        return float(self.get("WEBHOOK_BATCH_WINDOW"))

    @property
    def SYNC_PAGE_SIZE(self) -> int:
        return int(self.get("SYNC_PAGE_SIZE"))

    @property
    def TASK_BACKEND(self) -> str:
        return cast(str, self.get("TASK_BACKEND"))

    @property
    def TASK_QUEUE(self) -> str:
        return cast(str, self.get("TASK_QUEUE"))

    @property
    def EVENT_RETENTION_DAYS(self) -> int:
        return int(self.get("EVENT_RETENTION_DAYS"))

    def __repr__(self) -> str:
        # Never show secrets: only which keys are set.
        shown = {
            name: ("<set>" if spec.secret else self.raw().get(name, spec.default))
            for name, spec in SETTINGS.items()
            if name in self.raw() or not spec.secret
        }
        return f"<MeetingsSettings {shown!r}>"


meetings_settings: Final = MeetingsSettings()
