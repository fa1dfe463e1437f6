"""Settings of the test project: the app, the simulator and the admin on one URLconf.

DATABASE_URL chooses the database (SQLite by default; .ci/run passes a PostgreSQL URL).
SQLite uses a file, not memory, so the live server, callback delivery threads and the test
thread each get their own connection as they would in production.
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "tests-only-secret-key-not-for-production"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"

# Django 6 ships the Tasks framework; Django 5.2 uses the django-tasks backport.
if importlib.util.find_spec("django.tasks") is not None:
    TASKS_APPS: list[str] = []
    IMMEDIATE_BACKEND = "django.tasks.backends.immediate.ImmediateBackend"
else:
    TASKS_APPS = ["django_tasks"]
    IMMEDIATE_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_vonage_meetings",
    "django_vonage_meetings.simulator",
    *TASKS_APPS,
    "django_tasks_db",
    # What users plug into Django's model signals; connected only by the tests about them.
    "auditlog",
    "tests.history",
]

# "default" runs tasks at once; "db" stores them for django-tasks-db's db_worker processes.
TASKS = {
    "default": {"BACKEND": IMMEDIATE_BACKEND},
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tests.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

_sqlite_dir = Path(os.environ.get("TEST_SQLITE_DIR", tempfile.gettempdir()))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_sqlite_dir / 'dvm-tests.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": str(_sqlite_dir / f"dvm-test-{os.getpid()}.sqlite3"),
    }
    # IMMEDIATE transactions take the write lock up front, so threads queue instead of
    # failing with "database is locked" when a read transaction tries to upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        # Readers never block the writer (the simulator and the app share the file).
        "init_command": "PRAGMA journal_mode=WAL;",
    }

STATIC_URL = "/static/"
MEDIA_ROOT = str(Path(tempfile.gettempdir()) / "dvm-test-media")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Filled per test by fixtures (tests/fixtures/); worker processes started by tests get theirs as
# JSON in DVM_VONAGE_MEETINGS.
VONAGE_MEETINGS: dict[str, object] = json.loads(os.environ.get("DVM_VONAGE_MEETINGS", "{}"))
# Callbacks are sent when a test asks (controls.deliver_pending) unless it switches to "thread".
# Callbacks go to the live server on 127.0.0.1 while DEBUG is off: allow private targets.
VONAGE_MEETINGS_SIMULATOR = {
    "ENABLED": True,
    "DELIVERY": "manual",
    "TIMER": False,
    "ALLOW_PRIVATE_CALLBACKS": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "loggers": {"django.server": {"handlers": ["null"], "propagate": False}},
}

# Credentials are set per test by fixtures; the simulator is deliberately on with DEBUG off.
SILENCED_SYSTEM_CHECKS = [
    "vonage_meetings.E001",
    "vonage_meetings.E003",
    "vonage_meetings.W002",
    "vonage_meetings_simulator.W001",
]
