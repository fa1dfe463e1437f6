"""Process stored callbacks again: failed ones, chosen ones, or those of one type.

    python manage.py meetings_process_events --failed
    python manage.py meetings_process_events --ids 12 15
    python manage.py meetings_process_events --type recording:uploaded --failed

Events already processed are left alone (processing is idempotent); exit status 1 when any
event fails again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from ...models import WebhookEvent, WebhookEventStatus
from ...webhooks.processing import process_events
from ..base import MeetingsCommand


class Command(MeetingsCommand):
    help = "Apply stored Meetings callbacks that failed or were not processed yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--failed", action="store_true", help="Only events that failed.")
        parser.add_argument("--ids", nargs="+", type=int, default=None, help="These event ids.")
        parser.add_argument("--type", dest="event_type", help="Only events of this type.")

    def handle(self, *args: Any, **options: Any) -> None:
        events = WebhookEvent.objects.due()
        if options["failed"]:
            events = events.filter(status=WebhookEventStatus.FAILED)
        if options["ids"]:
            events = events.filter(pk__in=options["ids"])
        if options["event_type"]:
            events = events.filter(event_type=options["event_type"])
        result = process_events(events)
        if options["verbosity"] >= 2:
            for pk, error in result.failures:
                self.stderr.write(f"event {pk}: {error}")
        if options["verbosity"] >= 1:
            self.stdout.write(f"{result.processed} processed, {result.failed} failed")
        if result.failed:
            first_pk, first_error = result.failures[0]
            raise CommandError(
                f"{result.failed} event(s) failed again; first: event {first_pk}: {first_error}"
            )
