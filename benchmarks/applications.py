"""``meetings_sync rooms`` for two applications, against a baseline of merely fetching both.

Several applications must not make a sync dearer per room: each application's rooms are stored as
its own, and syncing one never touches the other's rows. Prints, in one process:
- the ratio sync / fetch for one application with ``--rooms`` rooms (the single-application
  figure of ``benchmarks.sync``, measured again here so both ratios share conditions);
- the ratio sync / fetch for two applications of ``--rooms / 2`` rooms each, both configured in
  ``APPLICATIONS`` (target: the single-application ratio, within noise);
- queries per page in both modes;
- rows written when one application is synced again with nothing changed, and rows of the
  other application touched by it (target: 0 and 0).

    python -m benchmarks.applications [--rooms 10000] [--page-size 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.harness import App, register_app, report, server_process, setup_django

WRITES = ("INSERT", "UPDATE", "DELETE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django_vonage_meetings import services
    from django_vonage_meetings.client import MeetingsClient
    from django_vonage_meetings.models import Room
    from django_vonage_meetings.simulator import controls

    half = args.rooms // 2
    single = register_app()
    pair = {"default": register_app(), "north": register_app()}
    controls.seed(single.application_id, half * 2, themes=10)
    for app in pair.values():
        controls.seed(app.application_id, half, themes=10)

    def entry(app: App, api_host: str) -> dict[str, object]:
        return {
            "APPLICATION_ID": app.application_id,
            "PRIVATE_KEY": app.private_key_pem,
            "SIGNATURE_SECRETS": [app.signature_secret],
            "API_HOST": api_host,
        }

    def measure(names: list[str]) -> tuple[float, float, int]:
        """Best fetch, best sync and the statements of one sync of every application in names."""
        clients = {name: MeetingsClient.from_settings(application=name) for name in names}
        expected = half * 2

        def fetch() -> float:
            started = time.perf_counter()
            rooms = 0
            for client in clients.values():
                for page in client.iter_room_pages(page_size=args.page_size):
                    rooms += len(page["_embedded"])
            assert rooms == expected, rooms
            return time.perf_counter() - started

        def sync() -> tuple[float, int]:
            Room.objects.all().delete()
            started = time.perf_counter()
            created = 0
            with CaptureQueriesContext(connection) as queries:
                for name, client in clients.items():
                    counts = services.sync_rooms(
                        application=name, client=client, page_size=args.page_size
                    )
                    created += counts.created
            assert created == expected, created
            return time.perf_counter() - started, len(queries)

        fetch()  # warm up: URL resolvers, key parsing, connections
        fetches, syncs, statements = [], [], []
        for _ in range(args.repeat):
            fetches.append(fetch())
            elapsed, queries = sync()
            syncs.append(elapsed)
            statements.append(queries)
        for client in clients.values():
            client.close()
        return min(fetches), min(syncs), statements[0]

    def pages(rooms: int) -> int:
        size: int = args.page_size
        return -(-rooms // size)

    with server_process(workers=2) as server:
        host = f"{server.url}/simulator"
        settings.VONAGE_MEETINGS = entry(single, host)
        one_fetch, one_sync, one_statements = measure(["default"])

        settings.VONAGE_MEETINGS = {
            "APPLICATIONS": {name: entry(app, host) for name, app in pair.items()},
            "DEFAULT_APPLICATION": "default",
        }
        two_fetch, two_sync, two_statements = measure(list(pair))

        # Again with nothing changed, one application only: what does it write, and whose rows?
        north_id = pair["north"].application_id

        def north_state() -> list[tuple[object, ...]]:
            return list(
                Room.objects.filter(application_id=north_id)
                .order_by("vonage_id")
                .values_list("vonage_id", "local_updated_at", "local_synced_at")
            )

        north_rows = north_state()
        with CaptureQueriesContext(connection) as idle_queries:
            idle = services.sync_rooms(application="default", page_size=args.page_size)
        idle_writes = [q for q in idle_queries if q["sql"].lstrip().upper().startswith(WRITES)]
        north_touched = sum(
            1 for old, new in zip(north_rows, north_state(), strict=True) if old != new
        )

    report(
        f"meetings_sync rooms: {half * 2:,} rooms in pages of {args.page_size}, one application "
        f"and two of {half:,} each",
        [
            ("one application: fetch (baseline), best", f"{one_fetch:.2f} s"),
            ("one application: sync, best", f"{one_sync:.2f} s"),
            ("one application: ratio sync / fetch", f"{one_sync / one_fetch:.2f}"),
            ("two applications: fetch both (baseline), best", f"{two_fetch:.2f} s"),
            ("two applications: sync both, best", f"{two_sync:.2f} s"),
            (
                "two applications: ratio sync / fetch (target: the one-application ratio)",
                f"{two_sync / two_fetch:.2f}",
            ),
            (
                "queries per page, one / two applications",
                f"{one_statements / pages(half * 2):.1f} / "
                f"{two_statements / (2 * pages(half)):.1f}",
            ),
            (
                "default synced again, nothing changed",
                f"{idle.unchanged:,} unchanged, {len(idle_writes)} write statements, "
                f"{north_touched} of north's {len(north_rows):,} rooms touched",
            ),
        ],
    )


if __name__ == "__main__":
    main()
