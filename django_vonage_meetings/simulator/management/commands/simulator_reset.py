"""Delete the rooms, themes, sessions and callbacks of one application (or all)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from django_vonage_meetings.management.base import MeetingsCommand

from ...controls import reset


class Command(MeetingsCommand):
    help = "Reset simulated data (keeps the registered applications)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--application-id", help="Only this application")

    def handle(self, *args: Any, **options: Any) -> None:
        count = reset(options["application_id"])
        if options["verbosity"]:
            self.stdout.write(f"Deleted {count} rooms and themes")
