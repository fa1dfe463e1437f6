"""Delete stored callbacks older than N days (the one table that grows without bound).

    python manage.py meetings_prune_events --days 30

Failed events are kept unless ``--include-failed`` is given, so nothing unapplied is lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ...conf import meetings_settings
from ...models import WebhookEvent, WebhookEventStatus, WebhookNonce


class Command(BaseCommand):
    help = "Delete stored Meetings callbacks older than --days (default EVENT_RETENTION_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--include-failed", action="store_true")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        days = (
            options["days"]
            if options["days"] is not None
            else meetings_settings.EVENT_RETENTION_DAYS
        )
        if days < 1:
            raise CommandError("--days must be at least 1")
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = WebhookEvent.objects.filter(received_at__lt=cutoff)
        if not options["include_failed"]:
            old = old.exclude(status__in=[WebhookEventStatus.FAILED, WebhookEventStatus.RECEIVED])
        count = old.count()
        if not options["dry_run"]:
            old.delete()
            window = meetings_settings.WEBHOOK_MAX_AGE + meetings_settings.WEBHOOK_CLOCK_SKEW
            WebhookNonce.objects.filter(
                seen_at__lt=timezone.now() - dt.timedelta(seconds=2 * window)
            ).delete()
        if options["verbosity"] >= 1:
            verb = "Would delete" if options["dry_run"] else "Deleted"
            self.stdout.write(f"{verb} {count} events older than {days} days")
