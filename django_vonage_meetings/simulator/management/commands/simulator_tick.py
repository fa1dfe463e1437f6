"""Do what time does, once: expire due rooms, finish due uploads, send due callbacks."""

from __future__ import annotations

from typing import Any

from django_vonage_meetings.management.base import MeetingsCommand

from ...controls import tick


class Command(MeetingsCommand):
    help = "Advance the simulator once (for tests and cron-free setups)."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = tick()
        if options["verbosity"]:
            self.stdout.write(f"{changed} rooms expired or recordings uploaded")
