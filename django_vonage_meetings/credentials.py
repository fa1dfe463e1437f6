"""Which application to act as: from the settings, or, with ``SIMULATE``, from the simulator.

Everything that signs a request, verifies a callback or builds a callback URL asks here rather
than reading the credential settings, so the in-process simulator can stand in for them.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from .conf import meetings_settings
from .keys import load_private_key
from .simulation import SimulatedApplication, simulator

__all__ = [
    "api_host",
    "application_id",
    "private_key",
    "signature_secrets",
    "simulated",
    "webhook_base_url",
]


def simulated() -> SimulatedApplication | None:
    """The simulated application while ``SIMULATE`` is on, else None."""
    if not meetings_settings.SIMULATE:
        return None
    return simulator().application("default")


def application_id() -> str:
    app = simulated()
    return app.application_id if app else meetings_settings.APPLICATION_ID


def private_key() -> RSAPrivateKey:
    app = simulated()
    if app:
        return load_private_key("PRIVATE_KEY", app.private_key_pem)
    return meetings_settings.PRIVATE_KEY


def api_host() -> str:
    app = simulated()
    return app.api_host if app else meetings_settings.API_HOST


def signature_secrets() -> tuple[str, ...]:
    app = simulated()
    return (app.signature_secret,) if app else meetings_settings.SIGNATURE_SECRETS


def webhook_base_url() -> str | None:
    """The public base of callback URLs: ``WEBHOOK_BASE_URL``, or the simulator's while
    simulating (where callbacks never leave the process)."""
    app = simulated()
    return app.webhook_base_url if app else meetings_settings.WEBHOOK_BASE_URL
