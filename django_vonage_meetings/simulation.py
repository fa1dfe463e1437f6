"""The hook through which the bundled simulator serves ``VONAGE_MEETINGS["SIMULATE"]``.

The core of the app does not import the simulator (it is a separate app that users may leave
out of production); the simulator's app config registers itself here instead, and the core asks
this module for the simulated application, its API host and the in-process transport.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import requests
from urllib3.util.retry import Retry

from .exceptions import MeetingsConfigurationError

__all__ = ["SimulatedApplication", "Simulator", "register", "simulator"]


@dataclass(frozen=True)
class SimulatedApplication:
    """What the client and the webhook view need of a provisioned application."""

    application_id: str
    private_key_pem: str
    signature_secret: str
    #: Where the client sends API calls ({api_host}/v1/meetings/...), answered in process.
    api_host: str
    #: The base of this site's URLs in callback URLs (``WEBHOOK_BASE_URL`` when set).
    webhook_base_url: str


class Simulator(Protocol):
    def application(self, name: str) -> SimulatedApplication:
        """The application provisioned for a settings name (made on first use)."""

    def mount(
        self, session: requests.Session, retry: Retry, api_host: str, application: str
    ) -> None:
        """Answer ``session``'s calls under ``api_host`` in process, retrying as ``retry`` says,
        for the application provisioned for ``application`` (a settings name)."""


class _Registry:
    simulator: Simulator | None = None


def register(implementation: Simulator) -> None:
    """Called by the simulator's app config."""
    _Registry.simulator = implementation


def simulator() -> Simulator:
    """The registered simulator, or a configuration error that says what to add."""
    if _Registry.simulator is None:
        raise MeetingsConfigurationError(
            "SIMULATE",
            "is on, but the simulator app is not installed: add "
            "'django_vonage_meetings.simulator' to INSTALLED_APPS.",
            "vonage_meetings.E014",
        )
    return _Registry.simulator
