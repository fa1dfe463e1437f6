"""Shared fixtures live in tests/fixtures/, one module per area, so each stays small."""

pytest_plugins = [
    "tests.fixtures.keys",
    "tests.fixtures.client",
    "tests.fixtures.simulator",
    "tests.fixtures.tls",
    "tests.fixtures.webhooks",
    "tests.fixtures.admin",
    "tests.fixtures.browser",
]
