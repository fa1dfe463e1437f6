"""Requests in a visitor's language, as a site with ``LocaleMiddleware`` serves them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture
def with_locale_middleware(settings) -> Iterator[None]:
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "django.middleware.locale.LocaleMiddleware",
    )
    settings.MIDDLEWARE = middleware
    yield
    # LocaleMiddleware leaves the last request's language active in the thread (the test
    # client serves in this one): later tests must not run in it.
    translation.deactivate()
