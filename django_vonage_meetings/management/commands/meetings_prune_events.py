"""Delete stored callbacks older than N days (the one table that grows without bound).

    python manage.py meetings_prune_events --days 30

Failed events are kept unless ``--include-failed`` is given, so nothing unapplied is lost.
Events inside the webhook replay window are always kept: an event holds its first delivery's
token id, and a replay of that token must still find it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from ...conf import meetings_settings
from ...models import WebhookEvent, WebhookEventStatus, WebhookNonce
from ..base import MeetingsCommand


class Command(MeetingsCommand):
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
        now = timezone.now()
        window = dt.timedelta(
            seconds=2 * (meetings_settings.WEBHOOK_MAX_AGE + meetings_settings.WEBHOOK_CLOCK_SKEW)
        )
        cutoff = min(now - dt.timedelta(days=days), now - window)
        old = WebhookEvent.objects.filter(received_at__lt=cutoff)
        if not options["include_failed"]:
            old = old.exclude(status__in=[WebhookEventStatus.FAILED, WebhookEventStatus.RECEIVED])
        count = old.count()
        if not options["dry_run"]:
            old.delete()
            WebhookNonce.objects.filter(seen_at__lt=now - window).delete()
        if options["verbosity"] >= 1:
            verb = "Would delete" if options["dry_run"] else "Deleted"
            self.stdout.write(f"{verb} {count} events older than {days} days")
