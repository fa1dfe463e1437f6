"""Time ``simulator_seed`` of 100,000 rooms and a full page-through of them over HTTP.

The page-through is plain ``requests`` following ``_links.next`` with one application JWT, so it
measures the simulator (auth, paging, JSON, a fresh ``participant_token`` per room), not a client.
Baseline: a bare in-process ``SELECT`` of the same rows (values only), so the ratio shows what
HTTP, auth, rendering and link minting cost on top of reading the data.

    PYTHONPATH=. python benchmarks/simulator_seed.py [--rooms 100000] [--page-size 1000]
    BENCH_DATABASE_URL=postgres://... PYTHONPATH=. python benchmarks/simulator_seed.py
"""

from __future__ import annotations

import argparse
import time
import uuid

import jwt
import requests

from benchmarks.harness import App, live_server, register_app, report, setup_django, timed


def page_through(app: App, api_host: str, page_size: int) -> tuple[int, int]:
    """Follow ``next`` from the first page to the last; return (rooms seen, pages)."""
    now = int(time.time())
    token = jwt.encode(
        {
            "application_id": app.application_id,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "exp": now + 3600,
        },
        app.private_key_pem,
        algorithm="RS256",
    )
    seen: set[str] = set()
    pages = 0
    url: str | None = f"{api_host}/v1/meetings/rooms?page_size={page_size}"
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {token}"
        while url:
            response = http.get(url, timeout=60)
            response.raise_for_status()
            body = response.json()
            seen.update(room["id"] for room in body["_embedded"])
            pages += 1
            url = body["_links"].get("next", {}).get("href")
    return len(seen), pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()
    setup_django()

    from django.core.management import call_command
    from django.db import connection

    from django_vonage_meetings.simulator.models import Room

    app = register_app()
    with timed() as seed_time:
        call_command(
            "simulator_seed",
            "--application-id",
            app.application_id,
            "--rooms",
            str(args.rooms),
            "--themes",
            "20",
            verbosity=0,
        )
    with timed() as select_time:
        rows = list(
            Room.objects.filter(application__application_id=app.application_id)
            .order_by("id")
            .values()
        )
    assert len(rows) == args.rooms

    with live_server() as server, timed() as page_time:
        seen, pages = page_through(app, f"{server.url}/simulator", args.page_size)
    assert seen == args.rooms, (seen, args.rooms)

    report(
        f"simulator_seed and page-through of {args.rooms:,} rooms ({connection.vendor})",
        [
            (
                "seed (rooms + 20 themes)",
                f"{seed_time[0]:.2f} s ({args.rooms / seed_time[0]:,.0f} rooms/s)",
            ),
            (
                "page-through over HTTP",
                f"{page_time[0]:.2f} s, {pages} pages of {args.page_size} "
                f"({pages / page_time[0]:.1f} pages/s, {args.rooms / page_time[0]:,.0f} rooms/s)",
            ),
            ("baseline: bare SELECT in-process", f"{select_time[0]:.2f} s"),
            ("ratio page-through / bare SELECT", f"{page_time[0] / select_time[0]:.1f}x"),
        ],
    )


if __name__ == "__main__":
    main()
