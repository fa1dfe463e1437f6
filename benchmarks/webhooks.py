"""Signed callbacks per second through gunicorn (2 workers) against a baseline view.

The baseline view on the same server only inserts the raw body into a table. Both receive the
same bodies from the same client threads; the callbacks are signed beforehand so the client's
signing cost is not measured. Prints throughput, the ratio (target at least 0.8) and p50/p99
latency, for ``inline`` processing (and, with ``--task``, for ``task`` processing: stored and
acknowledged, applied later by a worker; each web process enqueues one deferred batch task per
half ``WEBHOOK_BATCH_WINDOW``, default 1 s).

    python -m benchmarks.webhooks [--events 2000] [--threads 8] [--rounds 4] [--task]
                                  [--server-threads 1] [--history]

Also prints the CPU time the gunicorn workers spent per request (from ``/proc``; the ratio
also depends on how the client and the database share the machine, this much less) and the
SQL statements a first delivery of each type runs in each measured mode (counted in process
with the Django test client, ``BEGIN`` and ``COMMIT`` included), against the baseline's.
``--server-threads`` runs gunicorn's threaded worker, where one worker's database round trips
overlap another request's work.

The two are measured in alternating rounds after a warm-up, so a change in the machine's load
(other processes on a small machine) shifts both rather than the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from benchmarks.harness import (
    LiveServer,
    children_cpu_seconds,
    report,
    server_process,
    setup_django,
)

SECRET = "benchmark-signature-secret-0123456789"


def events(count: int, prefix: str = "bench") -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    n = 0
    while len(out) < count:
        session, room = f"2_MX4{prefix}-{n}-fg", f"{prefix}-room-{n}"
        out += [
            {
                "event": "session:started",
                "session_id": session,
                "room_id": room,
                "started_at": "2024-01-01T10:00:00.000Z",
            },
            {
                "event": "session:participant:joined",
                "participant_id": f"{prefix}-p-{n}",
                "session_id": session,
                "room_id": room,
                "name": "Ada",
                "type": "Host",
                "is_host": True,
            },
            {
                "event": "recording:started",
                "recording_id": f"{prefix}-rec-{n}",
                "session_id": session,
            },
            {
                "event": "recording:ended",
                "recording_id": f"{prefix}-rec-{n}",
                "session_id": session,
                "started_at": "2024-01-01T10:00:00.000Z",
                "ended_at": "2024-01-01T10:30:00.000Z",
                "duration": 1800,
            },
            {
                "event": "session:participant:left",
                "participant_id": f"{prefix}-p-{n}",
                "session_id": session,
                "room_id": room,
                "name": "Ada",
                "type": "Host",
                "is_host": True,
            },
            {
                "event": "session:ended",
                "session_id": session,
                "room_id": room,
                "started_at": "2024-01-01T10:00:00.000Z",
                "ended_at": "2024-01-01T10:31:00.000Z",
            },
        ]
        n += 1
    return out[:count]


def blast(
    url: str, requests_: list[tuple[bytes, dict[str, str]]], threads: int
) -> tuple[float, list[float], set[int]]:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=threads)
    session.mount("http://", adapter)

    def one(item: tuple[bytes, dict[str, str]]) -> tuple[float, int]:
        body, headers = item
        started = time.perf_counter()
        status = session.post(url, data=body, headers=headers, timeout=60).status_code
        return time.perf_counter() - started, status

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(one, requests_))
    elapsed = time.perf_counter() - started
    return elapsed, [r[0] for r in results], {r[1] for r in results}


def describe(rate: float, measured: Measured) -> str:
    p50 = percentile(measured.latencies, 50) * 1000
    p99 = percentile(measured.latencies, 99) * 1000
    return f"{rate:,.0f} req/s  p50 {p50:.1f} ms  p99 {p99:.1f} ms"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


@dataclass
class Measured:
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    #: CPU seconds the gunicorn workers spent (None without /proc).
    worker_cpu: float | None = 0.0


def measure(
    server: LiveServer, items: list[tuple[bytes, dict[str, str]]], threads: int, rounds: int
) -> dict[str, Measured]:
    """Baseline and callbacks in alternating rounds, so drifts in machine load hit both alike."""
    size = -(-len(items) // rounds)
    results = {"baseline": Measured(), "callbacks": Measured()}
    master = server.server.pid
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        for name, path in (("baseline", "/baseline/"), ("callbacks", "/vonage/meetings/webhooks/")):
            cpu_before = children_cpu_seconds(master)
            elapsed, times, statuses = blast(f"{server.url}{path}", chunk, threads)
            cpu_after = children_cpu_seconds(master)
            assert statuses == {204}, (name, statuses)
            result = results[name]
            result.elapsed += elapsed
            result.latencies += times
            if result.worker_cpu is not None and cpu_before is not None and cpu_after is not None:
                result.worker_cpu += cpu_after - cpu_before
            else:
                result.worker_cpu = None
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--task", action="store_true", help="also measure task processing")
    parser.add_argument("--server-threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--history",
        action="store_true",
        help="with django-simple-history connected to the mirror models",
    )
    args = parser.parse_args()
    if args.history:
        os.environ["DVM_BENCH_HISTORY"] = "1"
    vonage = {"APPLICATION_ID": "bench-app", "SIGNATURE_SECRETS": [SECRET]}
    os.environ["DVM_VONAGE_MEETINGS"] = __import__("json").dumps(vonage)
    setup_django()

    from django_vonage_meetings.models import WebhookEvent
    from tests.fixtures.webhooks import sign

    warmup = 200
    payloads = events(args.events + warmup)
    rows = []
    modes = ["inline", "task"] if args.task else ["inline"]
    results: dict[str, Measured] = {}
    for mode in modes:
        os.environ["DVM_VONAGE_MEETINGS"] = __import__("json").dumps(
            {**vonage, "WEBHOOK_PROCESSING": mode, "TASK_BACKEND": "db"}
        )
        WebhookEvent.objects.all().delete()
        with server_process(workers=2, threads=args.server_threads) as server:
            signed = [sign(p, SECRET, application_id="bench-app") for p in payloads]
            items = [(s.body, s.headers) for s in signed]
            # Both workers import, connect and fill their caches before anything is timed.
            measure(server, items[:warmup], args.threads, rounds=1)
            both = measure(server, items[warmup:], args.threads, args.rounds)
        baseline, measured = both["baseline"], both["callbacks"]
        stored = WebhookEvent.objects.count()
        assert stored == args.events + warmup, stored
        results[mode] = measured
        rate, base_rate = args.events / measured.elapsed, args.events / baseline.elapsed
        rows += [
            (f"[{mode}] baseline: insert raw body", describe(base_rate, baseline)),
            (f"[{mode}] signed callbacks", describe(rate, measured)),
            (f"[{mode}] ratio to baseline (target >= 0.8)", f"{rate / base_rate:.2f}"),
        ]
        if baseline.worker_cpu is not None and measured.worker_cpu is not None:
            base_cpu = baseline.worker_cpu / args.events * 1000
            cpu = measured.worker_cpu / args.events * 1000
            rows.append(
                (
                    f"[{mode}] web worker CPU per request",
                    f"{cpu:.2f} ms against the baseline's {base_cpu:.2f} ms",
                )
            )
    if "task" in results:
        inline_p50 = statistics.median(results["inline"].latencies)
        task_p50 = statistics.median(results["task"].latencies)
        rows.append(("acknowledgement p50, task / inline", f"{task_p50 / inline_p50:.2f}"))
        task_p99 = percentile(results["task"].latencies, 99)
        inline_p99 = percentile(results["inline"].latencies, 99)
        rows.append(("acknowledgement p99, task / inline", f"{task_p99 / inline_p99:.2f}"))
    rows += statement_counts(vonage, modes)
    history = ", django-simple-history connected" if args.history else ""
    report(
        f"{args.events:,} signed callbacks, {args.threads} client threads, gunicorn 2 workers "
        f"x {args.server_threads} thread(s), {args.rounds} alternating rounds{history}",
        rows,
    )


def statement_counts(vonage: dict[str, Any], modes: list[str]) -> list[tuple[str, str]]:
    """SQL statements per request, for the baseline and one first delivery of each type."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from tests.fixtures.webhooks import sign

    client = Client()

    def count(path: str, body: bytes, headers: dict[str, str]) -> int:
        extra = {k: v for k, v in headers.items() if k != "Content-Type"}
        with CaptureQueriesContext(connection) as queries:
            response = client.post(path, body, content_type="application/json", headers=extra)
        assert response.status_code == 204, response.content
        return len(queries.captured_queries)

    out = []
    for mode in modes:
        settings = {**vonage, "WEBHOOK_PROCESSING": mode, "TASK_BACKEND": "db"}
        with override_settings(VONAGE_MEETINGS=settings):
            # Fresh ids, so each callback finds the mirror as a first delivery would.
            for n, payload in enumerate(events(6, prefix=f"count-{uuid.uuid4().hex[:8]}")):
                signed = sign(payload, SECRET, application_id="bench-app")
                baseline = count("/baseline/", signed.body, signed.headers)
                statements = count("/vonage/meetings/webhooks/", signed.body, signed.headers)
                label = mode
                if mode == "task":
                    # Only a batch window's first callback enqueues (WEBHOOK_BATCH_WINDOW).
                    label = "task, first of its window" if n == 0 else "task, window open"
                out.append(
                    (
                        f"statements: {payload['event']}",
                        f"{statements} (baseline {baseline}), {label}",
                    )
                )
    return out


if __name__ == "__main__":
    main()
