"""Make the mirror match the API.

    python manage.py meetings_sync                      # everything
    python manage.py meetings_sync rooms themes         # some of it
    python manage.py meetings_sync rooms --page-size 500
    python manage.py meetings_sync --dry-run            # fetch and compare, write nothing
    python manage.py meetings_sync --application clinic-north   # one application (default: all)

A progress bar appears on a terminal; under cron (no TTY) or ``--verbosity 0`` only the summary
(or nothing) is printed. Any API, connection or configuration error ends the command with exit
status 1 and a one-line message (``--traceback`` shows the trace); with several applications each
gets its summary line, a failing one does not stop the others, and the exit status is 1 if any
failed. Re-running is always safe.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, CommandParser

from ... import credentials
from ...exceptions import MeetingsError
from ...services import RESOURCES, sync
from ..base import MeetingsCommand


class Command(MeetingsCommand):
    help = "Sync rooms, themes, recordings and dial-in numbers from the Meetings API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "resources",
            nargs="*",
            # A default keeps it optional, so call_command(resources="rooms themes") works too.
            default=[],
            metavar="RESOURCE",
            help=f"What to sync: {', '.join(RESOURCES)} (default: all).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Compare only; write nothing.")
        parser.add_argument(
            "--page-size", type=int, default=None, help="Rooms per API page (1-1000)."
        )
        parser.add_argument(
            "--application",
            action="append",
            default=None,
            metavar="NAME",
            help="Only this application (its name in VONAGE_MEETINGS['APPLICATIONS']; "
            "repeat for several). Default: every configured application.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = [name for name in options["resources"] if name not in RESOURCES]
        if unknown:
            raise CommandError(
                f"Unknown resource {', '.join(unknown)}; choose from {', '.join(RESOURCES)}"
            )
        page_size = options["page_size"]
        if page_size is not None and not 1 <= page_size <= 1000:
            raise CommandError("--page-size must be between 1 and 1000")
        applications = self._applications(options["application"])
        failed: list[tuple[str, Exception]] = []
        for application in applications:
            label = f"{application}: " if len(applications) > 1 else ""
            try:
                self._sync(application, label, options, page_size)
            except (MeetingsError, ImproperlyConfigured) as exc:
                if options.get("traceback"):
                    raise
                failed.append((application, exc))
                if len(applications) > 1:
                    self.stderr.write(f"{label}failed: {exc}")
        if not failed:
            return
        if len(applications) == 1:
            raise CommandError(f"meetings_sync failed: {failed[0][1]}") from failed[0][1]
        names = ", ".join(name for name, _exc in failed)
        raise CommandError(
            f"meetings_sync failed for {len(failed)} of {len(applications)} applications: {names}"
        )

    def _applications(self, wanted: list[str] | None) -> list[str]:
        try:
            configured = credentials.names()
        except ImproperlyConfigured as exc:
            raise CommandError(f"meetings_sync failed: {exc}") from exc
        if not wanted:
            return configured
        unknown = [name for name in wanted if name not in configured]
        if unknown:
            raise CommandError(
                f"Unknown application {', '.join(unknown)}; configured: {', '.join(configured)}"
            )
        return list(dict.fromkeys(wanted))

    def _sync(
        self, application: str, label: str, options: dict[str, Any], page_size: int | None
    ) -> None:
        verbosity = options["verbosity"]
        show_progress = verbosity >= 1 and self.stdout.isatty()
        started = time.monotonic()
        try:
            results = sync(
                options["resources"] or None,
                application=application,
                page_size=page_size,
                dry_run=options["dry_run"],
                progress=self._progress if show_progress else None,
            )
        finally:
            if show_progress:
                self.stdout.write("")
        if verbosity >= 1:
            elapsed = time.monotonic() - started
            prefix = "Dry run, nothing written: " if options["dry_run"] else ""
            summary = "; ".join(f"{name}: {counts}" for name, counts in results.items())
            self.stdout.write(f"{label}{prefix}{summary} ({elapsed:.1f}s)")

    def _progress(self, name: str, done: int, total: int | None) -> None:
        if total:
            width = 30
            filled = min(width, int(width * done / total))
            bar = "#" * filled + "-" * (width - filled)
            text = f"\r{name:<10} [{bar}] {done}/{total}"
        else:
            text = f"\r{name:<10} {done}"
        self.stdout.write(text, ending="")
        self.stdout.flush()
