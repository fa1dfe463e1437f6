"""Bulk-create rooms and themes for an application (benchmarks, paging tests)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError, CommandParser

from django_vonage_meetings.management.base import MeetingsCommand

from ...controls import seed
from ...models import Application


class Command(MeetingsCommand):
    help = "Bulk-create N rooms (and M themes) for a simulated application."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--application-id", required=True)
        parser.add_argument("--rooms", type=int, default=1000)
        parser.add_argument("--themes", type=int, default=0)
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rooms"] < 0 or options["themes"] < 0:
            raise CommandError("--rooms and --themes must not be negative")
        if not Application.objects.filter(application_id=options["application_id"]).exists():
            raise CommandError(
                f"No simulated application {options['application_id']!r}; "
                "register it with simulator_add_application first"
            )
        started = time.perf_counter()
        rooms, themes = seed(
            options["application_id"],
            options["rooms"],
            options["themes"],
            batch_size=options["batch_size"],
        )
        elapsed = time.perf_counter() - started
        if options["verbosity"]:
            self.stdout.write(f"Seeded {rooms} rooms and {themes} themes in {elapsed:.2f}s")
