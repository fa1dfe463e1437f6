"""``meetings_sync rooms`` against a seeded simulator, against a baseline of merely fetching.

Prints, in one process:
- the wall time of syncing 10,000 rooms into an empty mirror over the wall time of fetching and
  decoding the same pages with the same client (target: at most 1.3);
- queries per page;
- rows written by a second sync with nothing changed (target: 0);
- peak Python memory of a sync of 10,000 and of 50,000 rooms (target: flat).

    python -m benchmarks.sync [--rooms 10000] [--big 50000] [--page-size 100] [--history]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

from benchmarks.harness import (
    configure,
    connect_history,
    register_app,
    report,
    server_process,
    setup_django,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=50_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--history",
        action="store_true",
        help="with django-simple-history connected to the mirror models (in this process)",
    )
    args = parser.parse_args()
    setup_django()
    if args.history:
        connect_history()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django_vonage_meetings import services
    from django_vonage_meetings.client import MeetingsClient
    from django_vonage_meetings.models import Room
    from django_vonage_meetings.simulator import controls

    small, big = register_app(), register_app()
    controls.seed(small.application_id, args.rooms, themes=10)
    controls.seed(big.application_id, args.big, themes=10)

    # The API runs in other processes, as the real service did; this process only syncs.
    with server_process(workers=2) as server:
        configure(small, f"{server.url}/simulator")
        client = MeetingsClient.from_settings()

        def fetch() -> float:
            started = time.perf_counter()
            rooms = sum(
                len(page["_embedded"]) for page in client.iter_room_pages(page_size=args.page_size)
            )
            assert rooms == args.rooms
            return time.perf_counter() - started

        def sync() -> tuple[float, int]:
            Room.objects.all().delete()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                counts = services.sync_rooms(client=client, page_size=args.page_size)
            assert counts.created == args.rooms, counts
            return time.perf_counter() - started, len(queries)

        fetch()  # warm up: URL resolvers, key parsing, connections
        fetches, syncs, query_counts = [], [], []
        for _ in range(args.repeat):
            fetches.append(fetch())
            elapsed, queries = sync()
            syncs.append(elapsed)
            query_counts.append(queries)
        pages = -(-args.rooms // args.page_size)

        with CaptureQueriesContext(connection) as idle_queries:
            idle = services.sync_rooms(client=client, page_size=args.page_size)
        idle_writes = [
            q
            for q in idle_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]

        def peak(application) -> tuple[float, int]:
            configure(application, f"{server.url}/simulator")
            with MeetingsClient.from_settings() as own:
                Room.objects.all().delete()
                gc.collect()
                tracemalloc.start()
                counts = services.sync_rooms(client=own, page_size=args.page_size)
                _, top = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            return top / 1_000_000, counts.created

        small_peak, small_rows = peak(small)
        big_peak, big_rows = peak(big)
        client.close()

    best_fetch, best_sync = min(fetches), min(syncs)
    report(
        f"meetings_sync rooms: {args.rooms:,} rooms in pages of {args.page_size}"
        + (", django-simple-history connected" if args.history else ""),
        [
            (
                "fetch + decode only (baseline), best of runs",
                f"{best_fetch:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in fetches)})",
            ),
            (
                "sync into an empty mirror, best of runs",
                f"{best_sync:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in syncs)})",
            ),
            ("ratio sync / fetch (target <= 1.3)", f"{best_sync / best_fetch:.2f}"),
            (
                "queries per page",
                f"{query_counts[0] / pages:.1f}  ({query_counts[0]} for {pages} pages, incl. BEGIN/COMMIT)",
            ),
            (
                "second sync, nothing changed",
                f"{idle.unchanged:,} unchanged, {idle.created + idle.updated} rows written, {len(idle_writes)} write statements",
            ),
            (f"peak memory, {small_rows:,} rooms", f"{small_peak:.1f} MB"),
            (
                f"peak memory, {big_rows:,} rooms",
                f"{big_peak:.1f} MB  (ratio {big_peak / small_peak:.2f} for {big_rows / small_rows:.0f}x the rooms)",
            ),
        ],
    )


if __name__ == "__main__":
    main()
