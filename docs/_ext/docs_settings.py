"""Django settings for building the docs: the package and its simulator, nothing from the test
suite, so the docs build with the ``docs`` extra alone (Read the Docs installs only that)."""

from __future__ import annotations

SECRET_KEY = "docs-build-only"  # noqa: S105 - nothing is signed while building docs
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django_vonage_meetings",
    "django_vonage_meetings.simulator",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
