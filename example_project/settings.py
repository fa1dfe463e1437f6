"""Settings of the example project, read from environment variables.

Defaults run everything on one server with the bundled simulator: `make demo` keeps the
database, two applications' key pairs and signature secrets ("default" and "north", side by side
in `APPLICATIONS`) in the ignored folder `.demo/`, and talks to the simulator over HTTP as a
Vonage application would. Without `.demo/` (a fresh
clone, CI, `manage.py test`), the project simulates in process: `VONAGE_MEETINGS = {"SIMULATE":
True}` and nothing else.

==================================  ================================================================
variable                            default
==================================  ================================================================
DATABASE_URL                        sqlite:///.demo/db.sqlite3
DJANGO_SECRET_KEY                   the one `make demo` keeps in .demo/secret_key
DJANGO_DEBUG                        1
DJANGO_ALLOWED_HOSTS                localhost,127.0.0.1,[::1] and HOST
HOST, PORT                          127.0.0.1, 8000 (where the demo serves)
VONAGE_APPLICATION_ID               from .demo/application.json
VONAGE_PRIVATE_KEY                  .demo/private.key (PEM text or a path)
VONAGE_SIGNATURE_SECRETS            from .demo/application.json (comma-separated, newest first)
VONAGE_API_HOST                     http://HOST:PORT/simulator (the simulator on this server)
(a second application "north")      from .demo/north.json and .demo/north.key, when they exist
VONAGE_WEBHOOK_BASE_URL             http://HOST:PORT
SIMULATOR_ENABLED                   1 (serve the simulator even with DEBUG off)
SIMULATOR_ALLOW_PRIVATE_CALLBACKS   1 (callbacks to this server on 127.0.0.1 even with DEBUG off)
==================================  ================================================================
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.servers.basehttp import WSGIRequestHandler

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = Path(os.environ.get("DEMO_DIR", ROOT / ".demo"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _demo_file(name: str) -> Path:
    return DEMO_DIR / name


def _application(name: str = "application.json") -> dict[str, Any]:
    path = _demo_file(name)
    if path.exists():
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded
    return {}


HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
BASE_URL = f"http://{HOST}:{PORT}"

_secret_file = _demo_file("secret_key")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (
    _secret_file.read_text().strip()
    if _secret_file.exists()
    else "example-project-insecure-key-run-make-demo-to-create-one"
)
DEBUG = _env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", f"localhost,127.0.0.1,[::1],{HOST}").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_vonage_meetings",
    "django_vonage_meetings.simulator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEMO_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Callbacks are delivered by background threads while requests run: queue writers.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        # Readers never block the writer (the simulator and the app share the file).
        "init_command": "PRAGMA journal_mode=WAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
MEDIA_ROOT = str(DEMO_DIR / "media")
MEDIA_URL = "/media/"

_app = _application()
_north = _application("north.json")
VONAGE_MEETINGS: dict[str, Any]
if _app or os.environ.get("VONAGE_APPLICATION_ID"):
    # make demo: registered applications, over HTTP, with callbacks from the delivery thread.
    _default = {
        "APPLICATION_ID": os.environ.get("VONAGE_APPLICATION_ID", _app.get("application_id")),
        "PRIVATE_KEY": os.environ.get("VONAGE_PRIVATE_KEY", str(_demo_file("private.key"))),
        "SIGNATURE_SECRETS": [
            s
            for s in os.environ.get(
                "VONAGE_SIGNATURE_SECRETS", ",".join([_app.get("signature_secret", "")])
            ).split(",")
            if s
        ],
    }
    _shared = {
        "API_HOST": os.environ.get("VONAGE_API_HOST", f"{BASE_URL}/simulator"),
        "WEBHOOK_BASE_URL": os.environ.get("VONAGE_WEBHOOK_BASE_URL", BASE_URL),
    }
    if _north:
        # The demo's second application, side by side with the first (docs/applications.md).
        VONAGE_MEETINGS = {
            "APPLICATIONS": {
                "default": _default,
                "north": {
                    "APPLICATION_ID": _north["application_id"],
                    "PRIVATE_KEY": str(_demo_file("north.key")),
                    "SIGNATURE_SECRETS": [_north["signature_secret"]],
                },
            },
            "DEFAULT_APPLICATION": "default",
            **_shared,
        }
    else:
        VONAGE_MEETINGS = {**_default, **_shared}
else:
    VONAGE_MEETINGS = {"SIMULATE": True}
VONAGE_MEETINGS_SIMULATOR = {
    "ENABLED": _env_bool("SIMULATOR_ENABLED", True),
    # The demo's callbacks go to this server on 127.0.0.1, also with DEBUG off.
    "ALLOW_PRIVATE_CALLBACKS": _env_bool("SIMULATOR_ALLOW_PRIVATE_CALLBACKS", True),
}

# runserver writes headers and body separately; on the kept-alive connections the app's client
# opens to the simulator on this same server, each answer would wait ~40 ms for a delayed ACK.
WSGIRequestHandler.disable_nagle_algorithm = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django_vonage_meetings": {"handlers": ["console"], "level": "INFO"},
    },
}
