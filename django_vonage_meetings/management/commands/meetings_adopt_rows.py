"""Give the rows of the placeholder application ``unassigned`` to a configured application."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from ...exceptions import MeetingsError
from ...models import UNASSIGNED
from ...services.adopt import adopt_rows
from ..base import MeetingsCommand


class Command(MeetingsCommand):
    help = (
        "Move the rows no application could be found for (owned by the placeholder "
        f"{UNASSIGNED!r}) to a configured application."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--application",
            metavar="NAME",
            help="The application that gets them (its name in VONAGE_MEETINGS['APPLICATIONS']; "
            "default: the default application).",
        )
        parser.add_argument(
            "--from",
            dest="source",
            metavar="ID",
            default=UNASSIGNED,
            help="The owner whose rows move: an application id no configured application has "
            f"(default: {UNASSIGNED!r}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would move; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            adoption = adopt_rows(
                options.get("application"), source=options["source"], dry_run=options["dry_run"]
            )
        except MeetingsError as exc:
            raise CommandError(str(exc)) from None
        prefix = "Would move " if options["dry_run"] else "Moved "
        self.stdout.write(prefix + str(adoption))
