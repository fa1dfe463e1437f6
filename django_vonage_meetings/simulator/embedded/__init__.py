"""The simulator embedded in the project: ``VONAGE_MEETINGS = {"SIMULATE": True}``.

The client's calls are answered in process by the simulator's views (``transport``), as an
application provisioned on first use (``provisioning``), and the callbacks they cause reach the
app's webhook view in process before the call returns (``callbacks``). Registered with the core
by the simulator's app config (see ``django_vonage_meetings.simulation``).
"""

from __future__ import annotations

import functools

import requests
from django.urls import NoReverseMatch, reverse
from urllib3.util.retry import Retry

from django_vonage_meetings.conf import meetings_settings
from django_vonage_meetings.exceptions import MeetingsConfigurationError
from django_vonage_meetings.simulation import SimulatedApplication

from ..conf import in_test_environment, is_enabled
from ..urlnames import sim_reverse
from . import callbacks, provisioning
from .transport import InProcessAdapter

__all__ = ["INTERNAL_ORIGIN", "EmbeddedSimulator", "prepare"]

#: The origin of in-process URLs when ``WEBHOOK_BASE_URL`` is unset: a reserved name that no
#: resolver answers, so nothing addressed to it can leave the process.
INTERNAL_ORIGIN = "https://simulator.in-process.invalid"


class EmbeddedSimulator:
    """The :class:`~django_vonage_meetings.simulation.Simulator` the core uses for SIMULATE."""

    def application(self, name: str) -> SimulatedApplication:
        credentials = provisioning.provisioned(name)
        base = _base()
        return SimulatedApplication(
            application_id=credentials.application_id,
            private_key_pem=credentials.private_key_pem,
            signature_secret=credentials.signature_secret,
            api_host=f"{base}{_mount_path()}",
            webhook_base_url=base,
        )

    def mount(
        self, session: requests.Session, retry: Retry, api_host: str, application: str
    ) -> None:
        # Links people open (host and guest URLs, downloads) go to WEBHOOK_BASE_URL, or are
        # site-relative so that they open on whichever host serves the admin.
        adapter = InProcessAdapter(
            retry,
            origin=meetings_settings.WEBHOOK_BASE_URL or "",
            before_call=functools.partial(prepare, application),
            after_call=callbacks.flush,
        )
        session.mount(f"{api_host}/", adapter)


def _base() -> str:
    return meetings_settings.WEBHOOK_BASE_URL or INTERNAL_ORIGIN


def _mount_path() -> str:
    return sim_reverse("index").rstrip("/")


def prepare(application: str = "default") -> None:
    """Before each in-process call: the gate, and the provisioned application in place."""
    if not (is_enabled() or in_test_environment()):
        raise MeetingsConfigurationError(
            "SIMULATE",
            "is on, but the simulator is off: DEBUG is off and "
            "VONAGE_MEETINGS_SIMULATOR['ENABLED'] is not True.",
            "vonage_meetings.E015",
        )
    try:
        webhook = reverse("vonage_meetings:webhook")
    except NoReverseMatch:
        raise MeetingsConfigurationError(
            "SIMULATE",
            "is on, but callbacks have nowhere to go: include django_vonage_meetings.urls in "
            'your URLconf (path("vonage/meetings/", include("django_vonage_meetings.urls"))).',
            "vonage_meetings.E014",
        ) from None
    provisioning.ensure(application, f"{_base()}{webhook}")
