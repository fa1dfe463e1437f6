"""Shared set-up for the benchmark scripts: a throwaway database, a live server, a registered app.

Scripts call :func:`setup_django` first. The database is a fresh SQLite file in a temp folder,
or the PostgreSQL database named by ``BENCH_DATABASE_URL`` (its tables are created by migrate).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="dvm-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    # An empty BENCH_DATABASE_URL means the default, as an unset one does.
    os.environ["DATABASE_URL"] = (
        os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if os.environ.get("DVM_BENCH_HISTORY"):
        connect_history()


def connect_history() -> None:
    """Connect django-simple-history to the mirror models (registered by ``tests.history``),
    as a project that keeps an audit trail would."""
    from tests.history.models import TRACKED, connect

    for records in TRACKED:
        connect(records)


@dataclass
class LiveServer:
    url: str
    server: Any

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def live_server() -> Iterator[LiveServer]:
    """The test project on a threaded WSGI server, like runserver."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=True)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    live = LiveServer(f"http://127.0.0.1:{server.server_address[1]}", server)
    try:
        yield live
    finally:
        live.stop()


@contextmanager
def server_process(workers: int = 2, threads: int = 1) -> Iterator[LiveServer]:
    """The benchmark project under gunicorn in other processes, on the same database."""
    import socket
    import subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "benchmarks.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.1)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def children_cpu_seconds(parent: int) -> float | None:
    """CPU time (user + system) used so far by the child processes of ``parent`` (gunicorn's
    workers), from ``/proc``; None where there is no ``/proc``."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # Fields after the command name (which may hold spaces) are space-separated.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


@dataclass
class App:
    application_id: str
    private_key_pem: str
    signature_secret: str


def register_app() -> App:
    from django_vonage_meetings.keys import generate_key_pair
    from django_vonage_meetings.simulator import controls

    private_pem, public_pem = generate_key_pair()
    app = App(str(uuid.uuid4()), private_pem, f"bench-{uuid.uuid4().hex}")
    controls.register_application(
        app.application_id, public_pem, signature_secret=app.signature_secret
    )
    return app


def configure(app: App, api_host: str, **extra: Any) -> None:
    from django.conf import settings

    settings.VONAGE_MEETINGS = {
        "APPLICATION_ID": app.application_id,
        "PRIVATE_KEY": app.private_key_pem,
        "API_HOST": api_host,
        "SIGNATURE_SECRETS": [app.signature_secret],
        **extra,
    }


@contextmanager
def timed() -> Iterator[list[float]]:
    box: list[float] = []
    started = time.perf_counter()
    yield box
    box.append(time.perf_counter() - started)


def report(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    sys.stdout.write(f"\n{title}\n{'=' * len(title)}\n")
    for label, value in rows:
        sys.stdout.write(f"{label.ljust(width)}  {value}\n")
