"""Time ``simulator_seed`` of 100,000 rooms and a full page-through of them over HTTP.

Baseline for the page-through: a bare in-process ``SELECT`` of the same rows (values only),
so the ratio shows what HTTP, auth, JSON and link minting cost on top of reading the data.

    python benchmarks/simulator_seed.py [--rooms 100000] [--page-size 1000]
"""

from __future__ import annotations

import argparse

from benchmarks.harness import configure, live_server, register_app, report, setup_django, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()
    setup_django()

    from django.core.management import call_command

    from django_vonage_meetings.client import MeetingsClient
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

    with live_server() as server:
        configure(app, f"{server.url}/simulator")
        client = MeetingsClient.from_settings()
        with timed() as page_time:
            seen = sum(1 for _ in client.get_rooms(page_size=args.page_size))
        client.close()
    assert seen == args.rooms, (seen, args.rooms)

    pages = -(-args.rooms // args.page_size)
    report(
        f"simulator_seed and page-through of {args.rooms:,} rooms",
        [
            (
                "seed (rooms + 20 themes)",
                f"{seed_time[0]:.2f} s ({args.rooms / seed_time[0]:,.0f} rooms/s)",
            ),
            (
                "page-through over HTTP",
                f"{page_time[0]:.2f} s, {pages} pages of {args.page_size} ({pages / page_time[0]:.1f} pages/s, {args.rooms / page_time[0]:,.0f} rooms/s)",
            ),
            ("baseline: bare SELECT in-process", f"{select_time[0]:.2f} s"),
            ("ratio page-through / bare SELECT", f"{page_time[0] / select_time[0]:.1f}x"),
        ],
    )


if __name__ == "__main__":
    main()
