"""What one whole-meeting test costs: in process with the test kit against a live server.

The same meeting (create a room, two people join, record, stop, upload, a sync in the middle,
both leave) as the example project's test holds it, run two ways in one process:

- **in process** (``django_vonage_meetings.testing.simulating``) inside a transaction rolled back
  afterwards, as ``TestCase`` and pytest-django's ``db`` do;
- **over a live server**: the simulator on a threaded WSGI server, the client and callbacks over
  real HTTP (``deliver_pending()`` after each step), and the database flushed afterwards, as
  ``TransactionTestCase`` and pytest-django's ``live_server`` must (other threads cannot see a
  test's transaction).

Prints the median time per test of each and their ratio, with SQL statements per test.

    python -m benchmarks.test_kit [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from benchmarks.harness import live_server, register_app, report, setup_django


class Rollback(Exception):
    pass


def meeting(after_each: Callable[[], object]) -> None:
    from django_vonage_meetings import services
    from django_vonage_meetings.models import Recording
    from django_vonage_meetings.simulator import controls

    room = services.create_room({"display_name": "Weekly sync", "type": "instant"})
    host = controls.join(room.vonage_id, "Ada", host=True)
    after_each()
    guest = controls.join(room.vonage_id, "Grace")
    after_each()
    assert host.session is not None
    recording = controls.start_recording(host.session.session_id)
    after_each()
    controls.stop_recording(recording.recording_id)
    after_each()
    services.sync()
    controls.upload_recording(recording.recording_id)
    after_each()
    controls.leave(guest.participant_id)
    controls.leave(host.participant_id)
    after_each()
    assert Recording.objects.get().status == "uploaded"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from django_vonage_meetings.simulator import controls
    from django_vonage_meetings.testing import simulating

    def in_process() -> tuple[float, int]:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            try:
                with transaction.atomic(), simulating():
                    meeting(lambda: None)
                    raise Rollback
            except Rollback:
                pass
        return time.perf_counter() - started, len(queries)

    with live_server() as server:

        def over_http() -> tuple[float, int]:
            app = register_app()  # outside the timing: a fixture's one-off
            settings.VONAGE_MEETINGS = {
                "APPLICATION_ID": app.application_id,
                "PRIVATE_KEY": app.private_key_pem,
                "API_HOST": f"{server.url}/simulator",
                "SIGNATURE_SECRETS": [app.signature_secret],
                "WEBHOOK_BASE_URL": server.url,
            }
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                meeting(controls.deliver_pending)
                call_command("flush", interactive=False, verbosity=0)
            return time.perf_counter() - started, len(queries)

        settings.VONAGE_MEETINGS_SIMULATOR = {"ENABLED": True, "DELIVERY": "manual", "TIMER": False}
        in_process()  # warm-up: provisioning (an RSA key pair), URL resolvers, imports
        over_http()
        local = [in_process() for _ in range(args.runs)]
        remote = [over_http() for _ in range(args.runs)]

    local_time = statistics.median(t for t, _ in local)
    remote_time = statistics.median(t for t, _ in remote)
    report(
        f"One whole-meeting test, median of {args.runs} runs",
        [
            (
                "in process (test kit, rolled back)",
                f"{local_time * 1000:.0f} ms, {statistics.median(q for _, q in local):.0f} statements",
            ),
            (
                "over a live server (HTTP, flushed)",
                f"{remote_time * 1000:.0f} ms, {statistics.median(q for _, q in remote):.0f} "
                "statements in the test's thread",
            ),
            ("ratio in process / live server", f"{local_time / remote_time:.2f}"),
        ],
    )


if __name__ == "__main__":
    main()
