"""Register an application whose JWTs the simulator accepts (running it again updates it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from django_vonage_meetings.management.base import MeetingsCommand

from ...controls import SimulatorError, register_application


class Command(MeetingsCommand):
    help = "Register (or update) a simulated Vonage application and its public key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--application-id", required=True)
        parser.add_argument(
            "--public-key", required=True, type=Path, help="PEM file of the public key"
        )
        parser.add_argument("--signature-secret", help="HS256 secret that signs callbacks")
        parser.add_argument("--callback-url", help="Application-level URL for every callback")
        parser.add_argument(
            "--legacy-recording-ready",
            action="store_true",
            help="Also send the old event name recording:ready",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["public_key"])  # a str when given to call_command()
        try:
            pem = path.read_text()
        except OSError as exc:
            raise CommandError(
                f"Cannot read the public key file '{path}': {exc.strerror}"
            ) from None
        extra = {"legacy_recording_ready": True} if options["legacy_recording_ready"] else {}
        try:
            application = register_application(
                options["application_id"],
                pem,
                signature_secret=options["signature_secret"],
                callback_url=options["callback_url"],
                **extra,
            )
        except SimulatorError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"]:
            self.stdout.write(f"Registered application {application.application_id}")
