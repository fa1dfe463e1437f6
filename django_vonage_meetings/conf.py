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

from collections.abc import Mapping
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings

from . import conf_values as values
from .conf_values import ConfigProblem, Setting
from .keys import load_private_key

__all__ = [
    "SETTINGS",
    "ApplicationSettings",
    "ConfigProblem",
    "MeetingsSettings",
    "Setting",
    "load_private_key",
    "meetings_settings",
]


class MeetingsSettings:
    """Typed, lazy access to ``settings.VONAGE_MEETINGS``: one :class:`Setting` per key.

    Each attribute reads the dict afresh; nothing is cached except parsed private keys (by
    content hash), so ``override_settings`` and settings changed at runtime take effect at once.
    """

    SIMULATE = Setting(
        False,
        values.boolean,
        "Talk to the bundled simulator in process instead of a Vonage service: no server, no "
        "credentials (an application is provisioned on first use), callbacks delivered to this "
        "site's webhook view before the call that caused them returns. Needs "
        "django_vonage_meetings.simulator in INSTALLED_APPS; refused with DEBUG off unless the "
        "simulator is enabled.",
    )
    APPLICATIONS = Setting(
        None,
        values.applications,
        "Several Vonage applications: {name: {APPLICATION_ID, PRIVATE_KEY, SIGNATURE_SECRETS, "
        "API_HOST}}. Without it, the keys below at the top level mean one application named "
        "'default'.",
        check_id="vonage_meetings.E016",
    )
    DEFAULT_APPLICATION = Setting(
        "default",
        values.non_empty_text,
        "The application that services, commands and the admin use when none is named.",
        check_id="vonage_meetings.E017",
    )
    APPLICATION_ID = Setting(
        None,
        values.required_text,
        "The Vonage application id (a UUID) that signs API requests.",
        hint="Set it to your Vonage application's id (dashboard -> Applications).",
        credential=True,
    )
    PRIVATE_KEY = Setting(
        None,
        values.private_key,
        "The application's RSA private key: PEM text, or the path of a PEM file.",
        secret=True,
        credential=True,
    )
    API_HOST = Setting(
        "https://api-eu.vonage.com",
        values.required_url,
        "Base URL of the API; the client calls {API_HOST}/v1/meetings/... . Point it at "
        "a simulator served over HTTP (http://HOST:PORT/simulator) to test against one.",
        check_id="vonage_meetings.E007",
        credential=True,
    )
    SIGNATURE_SECRETS = Setting(
        (),
        values.secret_list,
        "Secrets that sign callbacks, newest first; any one verifies (rotation).",
        check_id="vonage_meetings.E008",
        secret=True,
        credential=True,
    )
    WEBHOOK_BASE_URL = Setting(
        None,
        values.optional_url,
        "Public base URL of this site (https://app.example.com); used to build the signed "
        "callback URLs that rooms created through the services carry.",
        check_id="vonage_meetings.E009",
    )
    CONNECT_TIMEOUT = Setting(
        5.0, values.a_float(minimum=0.001), "Seconds to wait for a TCP/TLS connection to the API."
    )
    TIMEOUT = Setting(
        30.0,
        values.a_float(minimum=0.001),
        "Seconds to wait for the API to answer once connected (read timeout).",
    )
    MAX_RETRIES = Setting(
        3,
        values.an_int(minimum=0, maximum=10),
        "Retries of a failed request (idempotent requests on 429/5xx and connection errors; "
        "any request on 429). A POST that may have reached the service is never replayed.",
    )
    CALL_DEADLINE = Setting(
        120.0,
        values.a_float(minimum=0.001),
        "Longest one API call may take in all (connect, answer, body, every retry and pause); "
        "past it the call ends with DeadlineExceededError.",
    )
    MAX_PAGES = Setting(
        10_000,
        values.an_int(minimum=1),
        "Most pages one listing may follow (_links.next) before TooManyPagesError.",
    )
    MAX_RESPONSE_BYTES = Setting(
        32 * 1024 * 1024,
        values.an_int(minimum=1024),
        "Largest answer (bytes, decoded) the client reads; a larger one ends the call with "
        "ResponseTooLargeError without reading the rest.",
    )
    RETRY_BACKOFF = Setting(
        0.5,
        values.a_float(minimum=0),
        "Backoff factor between retries: factor * 2**(retry - 1) seconds.",
    )
    RETRY_AFTER_MAX = Setting(
        60.0,
        values.a_float(minimum=0),
        "Longest Retry-After (seconds) the client waits for; a longer one raises at once.",
    )
    JWT_TTL = Setting(
        300,
        values.an_int(minimum=60, maximum=86400),
        "Lifetime (seconds) of the application JWT; it is reused until shortly before expiry.",
    )
    WEBHOOK_PROOF = Setting(
        "either",
        values.proof_mode,
        "Which proof a callback must carry: 'jwt' (the signed Authorization header), "
        "'url_token' (a signed callback URL) or 'either'. A request with an Authorization "
        "header is always held to its JWT, and a URL token to its scope, whatever this says.",
    )
    WEBHOOK_MAX_AGE = Setting(
        300,
        values.an_int(minimum=1),
        "Oldest signed callback (seconds since its iat) that is accepted; also how long "
        "seen jti values are remembered.",
    )
    WEBHOOK_CLOCK_SKEW = Setting(
        30,
        values.an_int(minimum=0, maximum=600),
        "Seconds a callback's iat may lie in the future (clock drift between servers).",
    )
    WEBHOOK_MAX_BODY_SIZE = Setting(
        256 * 1024,
        values.an_int(minimum=1024),
        "Largest callback body in bytes; larger ones are refused with 413.",
    )
    WEBHOOK_MAX_JSON_DEPTH = Setting(
        32,
        values.an_int(minimum=1, maximum=200),
        "Deepest nesting of arrays and objects in a callback body (the payload object is "
        "level 1); deeper bodies are refused with 400 'too_deep'.",
    )
    WEBHOOK_PROCESSING = Setting(
        "inline",
        values.processing_mode,
        "'inline' applies a callback inside the webhook request; 'task' stores it, answers "
        "at once and processes it with Django's Tasks framework.",
    )
    WEBHOOK_BATCH_WINDOW = Setting(
        1.0,
        values.a_float(minimum=0, maximum=60),
        "With 'task' processing on a backend that can defer tasks: seconds a stored callback "
        "may wait so that one task applies every callback that arrived meanwhile, in order. "
        "0 enqueues one task per callback.",
    )
    SYNC_PAGE_SIZE = Setting(
        100, values.an_int(minimum=1, maximum=1000), "Rooms per page fetched by meetings_sync."
    )
    TASK_BACKEND = Setting(
        "default",
        values.non_empty_text,
        "Alias in TASKS of the backend that runs this app's tasks.",
    )
    TASK_QUEUE = Setting(
        "default", values.non_empty_text, "Queue name this app's tasks are enqueued on."
    )
    EVENT_RETENTION_DAYS = Setting(
        30,
        values.an_int(minimum=1),
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

    def applications(self) -> dict[str, ApplicationSettings]:
        """Every configured application by name: ``APPLICATIONS``, or the top-level keys as one
        application named ``default``."""
        raw = self.raw()
        configured = SETTINGS["APPLICATIONS"].read(raw)
        if configured is None:
            return {"default": ApplicationSettings("default", raw, (), raw)}
        return {
            name: ApplicationSettings(name, keys, ("APPLICATIONS", name), raw)
            for name, keys in configured.items()
        }

    def default_application(self) -> str:
        """The name of the application used when none is named."""
        raw = self.raw()
        if SETTINGS["APPLICATIONS"].read(raw) is None:
            return "default"
        name = self.DEFAULT_APPLICATION
        if name not in self.applications():
            raise ConfigProblem(
                "DEFAULT_APPLICATION",
                f"names {name!r}, which is not one of VONAGE_MEETINGS['APPLICATIONS'].",
                "vonage_meetings.E017",
            )
        return name

    def application(self, name: str | None = None) -> ApplicationSettings:
        """One application's settings (the default one when ``name`` is None)."""
        wanted = name or self.default_application()
        found = self.applications().get(wanted)
        if found is None:
            known = ", ".join(sorted(self.applications()))
            raise ConfigProblem(
                "APPLICATIONS",
                f"has no application named {wanted!r} (configured: {known}).",
                "vonage_meetings.E017",
            )
        return found

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


class ApplicationSettings:
    """One application's keys: its own dict in ``APPLICATIONS`` (or the top level), with
    ``API_HOST`` falling back to the top level's. Each is read with its declaration in
    :class:`MeetingsSettings`, so errors name the exact key
    (``VONAGE_MEETINGS['APPLICATIONS']['clinic-north']['PRIVATE_KEY']``)."""

    def __init__(
        self, name: str, raw: Mapping[str, Any], path: tuple[str, ...], top: Mapping[str, Any]
    ) -> None:
        self.name = name
        self.raw = raw
        self.path = path
        self.top = top

    def get(self, key: str) -> Any:
        spec = SETTINGS[key]
        if key not in PER_APPLICATION:
            raise KeyError(f"{key} is not an application's setting")
        if key == "API_HOST" and key not in self.raw:
            return spec.read(self.top)
        return spec.read(self.raw, self.path)

    @property
    def APPLICATION_ID(self) -> str:
        return str(self.get("APPLICATION_ID"))

    @property
    def PRIVATE_KEY(self) -> RSAPrivateKey:
        key: RSAPrivateKey = self.get("PRIVATE_KEY")
        return key

    @property
    def API_HOST(self) -> str:
        return str(self.get("API_HOST"))

    @property
    def SIGNATURE_SECRETS(self) -> tuple[str, ...]:
        secrets: tuple[str, ...] = self.get("SIGNATURE_SECRETS")
        return secrets

    def unknown_keys(self) -> list[str]:
        if not self.path:
            return []  # the top level's own check covers it
        return sorted(k for k in self.raw if k not in PER_APPLICATION)

    def __repr__(self) -> str:
        return f"<ApplicationSettings {self.name!r}>"


#: The keys each application has of its own (``credential`` in their declarations).
PER_APPLICATION: Final = ("APPLICATION_ID", "PRIVATE_KEY", "API_HOST", "SIGNATURE_SECRETS")

#: Every setting by name, in declaration order (derived from :class:`MeetingsSettings`).
SETTINGS: Final[dict[str, Setting[Any]]] = {
    name: value for name, value in vars(MeetingsSettings).items() if isinstance(value, Setting)
}

meetings_settings: Final = MeetingsSettings()
