"""Shared fixtures live in tests/fixtures/, one module per area, so each stays small."""

from __future__ import annotations

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

pytest_plugins = [
    "tests.fixtures.keys",
    "tests.fixtures.client",
    "tests.fixtures.simulator",
    "tests.fixtures.tls",
    "tests.fixtures.webhooks",
    "tests.fixtures.admin",
    "tests.fixtures.browser",
    "tests.fixtures.history",
]


@pytest.fixture(scope="session", autouse=True)
def _live_server_sends_without_delay():
    """Django's development server writes headers and body separately; on a kept-alive
    connection the body then waits ~40 ms for the client's delayed ACK (Nagle). The app's
    client reuses connections to the simulator, so every live-server call paid that delay."""
    before = WSGIRequestHandler.disable_nagle_algorithm
    WSGIRequestHandler.disable_nagle_algorithm = True
    yield
    WSGIRequestHandler.disable_nagle_algorithm = before
