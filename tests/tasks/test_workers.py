"""Several processes, one truth: real db_worker processes and concurrent syncs on PostgreSQL.

Two django-tasks-db workers process a storm of shuffled, duplicated callbacks that a live server
stores in ``task`` mode; then two ``meetings_sync`` processes run at once against a seeded
simulator. No duplicate rows, no lost updates, no regressions, no deadlocks.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from django_vonage_meetings.models import Participant, Recording, Room, Session, WebhookEvent
from django_vonage_meetings.simulator import controls
from tests.fixtures.webhooks import APPLICATION_ID, NEW_SECRET, sign
from tests.webhooks.test_storm import meeting, snapshot

pytestmark = [pytest.mark.workers, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def child_env(vonage: dict | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": os.getcwd(),
    }
    if vonage is not None:
        env["DVM_VONAGE_MEETINGS"] = json.dumps(vonage)
    return env


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen]]:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "django",
                "db_worker",
                "--backend",
                "db",
                "--interval",
                "0.05",
                "--no-startup-delay",
                "--worker-id",
                f"worker-{n}",
            ],
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    time.sleep(1)
    for process in processes:
        assert process.poll() is None, process.stderr.read() if process.stderr else "worker died"
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


@pytest.mark.parametrize("window", [1.0, 0], ids=["batched", "task-per-callback"])
def test_storm_processed_by_two_workers(workers, settings, live_server, window):
    settings.VONAGE_MEETINGS = {
        "APPLICATION_ID": APPLICATION_ID,
        "SIGNATURE_SECRETS": [NEW_SECRET],
        "WEBHOOK_PROCESSING": "task",
        "TASK_BACKEND": "db",
        "WEBHOOK_BATCH_WINDOW": window,
    }
    url = f"{live_server.url}/vonage/meetings/webhooks/"
    events = [e for n in range(30) for e in meeting(n)]
    deliveries = events * 3
    random.Random(99).shuffle(deliveries)

    def deliver(payload):
        request = sign(payload)
        return requests.post(
            url, data=request.body, headers=request.headers, timeout=60
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(deliver, deliveries)) == {204}

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not WebhookEvent.objects.exclude(status="processed").exists():
            break
        time.sleep(0.2)
    stored = WebhookEvent.objects.all()
    assert stored.count() == len(events)
    assert set(stored.values_list("status", flat=True)) == {"processed"}
    assert set(stored.values_list("attempts", flat=True)) == {1}
    for process in workers:
        assert process.poll() is None  # nobody crashed or deadlocked
    shuffled = snapshot()

    for model in (WebhookEvent, Participant, Recording, Session, Room):
        model.objects.all().delete()
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_PROCESSING": "inline"}
    for payload in events:
        assert deliver(payload) == 204
    assert snapshot() == shuffled


def test_two_syncs_at_once(simulator_app, live_server):
    controls.seed(simulator_app.application_id, 3000, themes=5)
    vonage = {
        "APPLICATION_ID": simulator_app.application_id,
        "PRIVATE_KEY": simulator_app.private_key_pem,
        "API_HOST": simulator_app.api_host,
        "SIGNATURE_SECRETS": ["s"],
    }
    command = [
        sys.executable,
        "-m",
        "django",
        "meetings_sync",
        "themes",
        "rooms",
        "--page-size",
        "100",
    ]
    runs = [
        subprocess.Popen(
            command,
            env=child_env(vonage),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
    assert Room.objects.count() == 3000
    assert Room.objects.values("vonage_id").distinct().count() == 3000
    assert Room.objects.exclude(theme_id__isnull=True).count() > 0
    final = subprocess.run(
        command, env=child_env(vonage), capture_output=True, text=True, timeout=300, check=True
    )
    assert "rooms: 0 created, 0 updated, 3000 unchanged" in final.stdout
