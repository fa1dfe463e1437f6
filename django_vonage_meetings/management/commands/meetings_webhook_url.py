"""Print the signed callback URL to paste into the Vonage application's Meetings settings."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, CommandParser

from ...webhooks.signing import signed_webhook_url
from ..base import MeetingsCommand


class Command(MeetingsCommand):
    help = "Print the signed webhook URL built from WEBHOOK_BASE_URL and SIGNATURE_SECRETS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--application",
            metavar="NAME",
            help="This application's URL (its name in VONAGE_MEETINGS['APPLICATIONS']; "
            "default: the default application).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            url = signed_webhook_url(options.get("application"))
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        if url is None:
            raise CommandError(
                "Set VONAGE_MEETINGS['WEBHOOK_BASE_URL'] to this site's public URL first."
            )
        self.stdout.write(url)
