"""Which application to act as: from the settings, or, with ``SIMULATE``, from the simulator.

Everything that signs a request, verifies a callback or builds a callback URL asks here rather
than reading the credential settings, so several applications (``APPLICATIONS``) and the
in-process simulator can stand in for the single set of top-level keys. An application is named
by its settings name, by its ``Application`` row, or by nothing (the default one).
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from .conf import ApplicationSettings, meetings_settings
from .exceptions import MeetingsConfigurationError
from .keys import load_private_key
from .simulation import SimulatedApplication, simulator

__all__ = [
    "Credentials",
    "api_host",
    "application_id",
    "default_name",
    "for_application_id",
    "names",
    "of",
    "private_key",
    "several",
    "signature_secrets",
    "simulated",
    "webhook_base_url",
]

Named = Any  # a settings name, an ``Application`` row, or None for the default application


class Credentials:
    """One application's identity: read lazily, so a webhook-only site needs no private key."""

    def __init__(
        self,
        name: str,
        settings: ApplicationSettings | None,
        simulated: SimulatedApplication | None,
    ) -> None:
        self.name = name
        self._settings = settings
        self.simulated = simulated

    @property
    def application_id(self) -> str:
        if self.simulated is not None:
            return self.simulated.application_id
        assert self._settings is not None
        return self._settings.APPLICATION_ID

    @property
    def configured_id(self) -> str | None:
        """The application id if one is set (unvalidated): what a callback's claim must match."""
        if self.simulated is not None:
            return self.simulated.application_id
        assert self._settings is not None
        raw = self._settings.raw.get("APPLICATION_ID")
        return raw.strip() if isinstance(raw, str) and raw.strip() else None

    @property
    def signature_secrets(self) -> tuple[str, ...]:
        if self.simulated is not None:
            return (self.simulated.signature_secret,)
        assert self._settings is not None
        return self._settings.SIGNATURE_SECRETS

    @property
    def api_host(self) -> str:
        if self.simulated is not None:
            return self.simulated.api_host
        assert self._settings is not None
        return self._settings.API_HOST

    def private_key(self) -> RSAPrivateKey:
        if self.simulated is not None:
            return load_private_key("PRIVATE_KEY", self.simulated.private_key_pem)
        assert self._settings is not None
        return self._settings.PRIVATE_KEY

    def __repr__(self) -> str:
        return f"<Credentials {self.name!r}>"


def names() -> list[str]:
    """Every configured application's name (the default one first)."""
    default = default_name()
    return [default, *(name for name in meetings_settings.applications() if name != default)]


def several() -> bool:
    """Whether more than one application is configured: then rows, callbacks and lists say
    which application each is for."""
    return len(names()) > 1


def default_name() -> str:
    return meetings_settings.default_application()


def of(application: Named = None) -> Credentials:
    """The credentials of an application: a settings name, an ``Application`` row, or None."""
    name = _name(application)
    if meetings_settings.SIMULATE:
        # Every configured name is an application the simulator provisions.
        if name not in meetings_settings.applications():
            meetings_settings.application(name)  # raises, naming the configured ones
        return Credentials(name, None, simulator().application(name))
    return Credentials(name, meetings_settings.application(name), None)


def _name(application: Named) -> str:
    if application is None:
        return default_name()
    if isinstance(application, str):
        return application
    name = getattr(application, "name", "")
    if name:
        return str(name)
    vonage_id = getattr(application, "vonage_id", None)
    found = for_application_id(str(vonage_id)) if vonage_id else None
    if found is None:
        raise MeetingsConfigurationError(
            "APPLICATIONS",
            f"has no application with the id of {application} (it is not configured).",
            "vonage_meetings.E017",
        )
    return found.name


def for_application_id(application_id: str) -> Credentials | None:
    """The configured application with this id (a callback's ``application_id`` claim)."""
    for name in names():
        credentials = of(name)
        if credentials.configured_id == application_id:
            return credentials
    return None


# -- the default application's, for callers that have one application in mind --------------


def simulated(application: Named = None) -> SimulatedApplication | None:
    """The simulated application while ``SIMULATE`` is on, else None."""
    if not meetings_settings.SIMULATE:
        return None
    return of(application).simulated


def application_id(application: Named = None) -> str:
    return of(application).application_id


def private_key(application: Named = None) -> RSAPrivateKey:
    return of(application).private_key()


def api_host(application: Named = None) -> str:
    return of(application).api_host


def signature_secrets(application: Named = None) -> tuple[str, ...]:
    return of(application).signature_secrets


def webhook_base_url(application: Named = None) -> str | None:
    """The public base of callback URLs: ``WEBHOOK_BASE_URL``, or the simulator's while
    simulating (where callbacks never leave the process)."""
    app = simulated(application)
    return app.webhook_base_url if app else meetings_settings.WEBHOOK_BASE_URL
