"""WSGI entry point of the benchmark project (gunicorn benchmarks.wsgi)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

application = get_wsgi_application()

if os.environ.get("DVM_BENCH_HISTORY"):
    from benchmarks.harness import connect_history

    connect_history()
