"""Give rooms fresh callback URLs after a signature-secret rotation.

    python manage.py meetings_reissue_callback_urls             # rooms whose URLs are stale
    python manage.py meetings_reissue_callback_urls --room ID   # only these (repeatable)
    python manage.py meetings_reissue_callback_urls --force     # every room of this site
    python manage.py meetings_reissue_callback_urls --dry-run   # say what would change
    python manage.py meetings_reissue_callback_urls --application clinic-north

A callback URL's token stops working when the secret that made it leaves
``SIGNATURE_SECRETS``. Run this after putting a new secret first and before dropping the old
one: each mirrored long-term room carrying this site's URLs gets new ones (room scope, newest
secret) through the API. Instant and expired rooms cannot be updated by the API and are listed.
Run ``meetings_sync rooms`` first if rooms were made elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, CommandParser

from ...exceptions import MeetingsError
from ...models import Room
from ...services import reissue_callback_urls
from ..base import MeetingsCommand


class Command(MeetingsCommand):
    help = "Re-issue rooms' callback URLs (room scope, newest signature secret) through the API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--room", action="append", metavar="ROOM_ID", help="Only this room (repeatable)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Also rooms whose URLs are already current."
        )
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; report.")
        parser.add_argument(
            "--application",
            metavar="NAME",
            help="Only this application's rooms (its name in VONAGE_MEETINGS['APPLICATIONS']).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        force = bool(options.get("force"))
        dry_run = bool(options.get("dry_run"))
        wanted = list(options.get("room") or [])
        rooms = None
        if wanted:
            rooms = list(Room.objects.filter(vonage_id__in=wanted).order_by("pk"))
            missing = sorted(set(wanted) - {room.vonage_id for room in rooms})
            if missing:
                raise CommandError(
                    f"Not in the mirror: {', '.join(missing)} (run meetings_sync rooms first)"
                )
        try:
            report = reissue_callback_urls(
                rooms, force=force, dry_run=dry_run, application=options.get("application")
            )
        except (MeetingsError, ImproperlyConfigured) as exc:
            if options.get("traceback"):
                raise
            raise CommandError(f"meetings_reissue_callback_urls failed: {exc}") from exc
        verbosity = int(options.get("verbosity", 1))
        if verbosity >= 1:
            prefix = "Dry run, nothing changed: " if dry_run else ""
            self.stdout.write(f"{prefix}{report}")
        if verbosity >= 2:
            for label, ids in (
                ("re-issued", report.reissued),
                ("cannot be updated", report.cannot_update),
            ):
                for room_id in ids:
                    self.stdout.write(f"  {label}: {room_id}")
        for room_id, error in report.failed.items():
            self.stderr.write(f"  refused: {room_id}: {error}")
        if report.failed:
            raise CommandError(f"{len(report.failed)} room(s) could not be updated")
