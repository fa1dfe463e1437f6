"""How fast a worker applies queued callbacks: one batch task per window against a task each.

Stores the same kind of callbacks twice through the webhook view in ``task`` mode (in process,
with the Django test client), once with ``WEBHOOK_BATCH_WINDOW = 0`` (a ``process_webhook_event``
task per callback) and once with the default window (``process_received_events`` tasks), then
times ``db_worker --batch`` applying all of them. Prints callbacks applied per second, the ratio
(batched over one task each), task rows, and the SQL statements per callback the worker ran.

    python -m benchmarks.apply [--events 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid
from typing import Any

from benchmarks.harness import report, setup_django

SECRET = "benchmark-signature-secret-0123456789"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    vonage = {"APPLICATION_ID": "bench-app", "SIGNATURE_SECRETS": [SECRET]}
    os.environ["DVM_VONAGE_MEETINGS"] = json.dumps(vonage)
    setup_django()

    from django.db import connection
    from django.test import Client, override_settings
    from django_tasks_db.models import DBTaskResult

    from benchmarks.webhooks import events
    from django_vonage_meetings.models import WebhookEvent
    from tests.fixtures.tasks import run_db_worker
    from tests.fixtures.webhooks import sign

    client = Client()
    count = [0]

    def counted(execute: Any, *a: Any) -> Any:
        count[0] += 1
        return execute(*a)

    rows: list[tuple[str, str]] = []
    rates: dict[str, float] = {}
    for name, window in (("a task per callback", 0.0), ("batched", 1.0)):
        settings: dict[str, Any] = {
            **vonage,
            "WEBHOOK_PROCESSING": "task",
            "TASK_BACKEND": "db",
            "WEBHOOK_BATCH_WINDOW": window,
        }
        DBTaskResult.objects.all().delete()
        WebhookEvent.objects.all().delete()
        with override_settings(VONAGE_MEETINGS=settings):
            for payload in events(args.events, prefix=f"apply-{uuid.uuid4().hex[:8]}"):
                signed = sign(payload, SECRET, application_id="bench-app")
                extra = {k: v for k, v in signed.headers.items() if k != "Content-Type"}
                response = client.post(
                    "/vonage/meetings/webhooks/",
                    signed.body,
                    content_type="application/json",
                    headers=extra,
                )
                assert response.status_code == 204, response.content
            tasks = DBTaskResult.objects.count()
            time.sleep(window + 0.05)  # the batch task is due a window after it was scheduled
            started = time.perf_counter()
            count[0] = 0
            with connection.execute_wrapper(counted):
                run_db_worker()
            elapsed = time.perf_counter() - started
        left = WebhookEvent.objects.exclude(status="processed").count()
        assert left == 0, f"{left} callbacks not applied ({name})"
        rates[name] = args.events / elapsed
        rows += [
            (f"{name}: applied", f"{rates[name]:,.0f} callbacks/s"),
            (f"{name}: task rows", f"{tasks:,}"),
            (f"{name}: statements per callback", f"{count[0] / args.events:.1f}"),
        ]
    rows.append(
        (
            "applied, batched / a task per callback",
            f"{rates['batched'] / rates['a task per callback']:.2f}",
        )
    )
    report(f"{args.events:,} queued callbacks applied by one db_worker", rows)


if __name__ == "__main__":
    main()
