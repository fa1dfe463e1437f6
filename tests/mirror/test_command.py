"""``meetings_sync``: summary, dry run, quiet mode, one-line failures with exit status 1."""

from __future__ import annotations

import io
import socket
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from django_vonage_meetings.models import Room, Theme
from django_vonage_meetings.simulator import controls


def run(*args, **options):
    out = io.StringIO()
    call_command("meetings_sync", *args, stdout=out, **options)
    return out.getvalue()


def test_summary(simulator_settings):
    controls.seed(simulator_settings.application_id, 12, themes=2)
    output = run()
    assert "themes: 2 created, 0 updated, 0 unchanged" in output
    assert "rooms: 12 created, 0 updated, 0 unchanged" in output
    assert "dial_in_numbers:" in output
    assert "recordings:" in output
    assert len(output.strip().splitlines()) == 1
    again = run("rooms", "--page-size", "5")
    assert again.startswith("rooms: 0 created, 0 updated, 12 unchanged")


def test_dry_run(simulator_settings):
    controls.seed(simulator_settings.application_id, 3)
    assert run("rooms", "--dry-run").startswith("Dry run, nothing written: rooms: 3 created")
    assert Room.objects.count() == 0


def test_quiet(simulator_settings):
    controls.seed(simulator_settings.application_id, 3)
    assert run("themes", verbosity=0) == ""
    assert Theme.objects.count() == 0


def test_bad_arguments(simulator_settings):
    with pytest.raises(CommandError, match="Unknown resource people"):
        run("people")
    with pytest.raises(CommandError, match="--page-size must be between 1 and 1000"):
        run("--page-size", "0")


def test_unreachable_api_is_one_line(simulator_settings, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.VONAGE_MEETINGS = {
        **settings.VONAGE_MEETINGS,
        "API_HOST": f"http://127.0.0.1:{port}",
        "MAX_RETRIES": 0,
    }
    with pytest.raises(CommandError) as info:
        run("rooms")
    message = str(info.value)
    assert message.startswith("meetings_sync failed: could not reach 127.0.0.1:")
    assert "\n" not in message


def test_configuration_error_is_one_line(simulator_settings, settings):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "PRIVATE_KEY": "/nowhere/private.key"}
    with pytest.raises(
        CommandError, match=r"VONAGE_MEETINGS\['PRIVATE_KEY'\] names a file that does not exist"
    ):
        run("rooms")


def test_exit_status_from_the_command_line(tmp_path, key_pair):
    """A real process: exit status 1 and one line on stderr, no traceback."""
    key = tmp_path / "private.key"
    key.write_text(key_pair.private_pem)
    settings_module = tmp_path / "broken_settings.py"
    settings_module.write_text(
        "from tests.settings import *\n"
        f"VONAGE_MEETINGS = {{'APPLICATION_ID': 'x', 'PRIVATE_KEY': {str(key)!r}, "
        "'API_HOST': 'http://127.0.0.1:9', 'MAX_RETRIES': 0, 'SIGNATURE_SECRETS': ['s']}\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "meetings_sync", "rooms"],
        capture_output=True,
        text=True,
        env={
            "PYTHONPATH": f"{tmp_path}:.",
            "DJANGO_SETTINGS_MODULE": "broken_settings",
            "PATH": "/usr/bin:/bin",
        },
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("CommandError: meetings_sync failed: could not reach 127.0.0.1:9")
    )
    assert "Traceback" not in result.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only(simulator_settings):
    controls.seed(simulator_settings.application_id, 25)
    terminal = Terminal()
    call_command("meetings_sync", "rooms", "--page-size", "10", stdout=terminal)
    output = terminal.getvalue()
    assert "\rrooms      [############------------------] 10/25" in output
    assert "\rrooms      [##############################] 25/25" in output
    assert output.splitlines()[-1].startswith("rooms: 25 created, 0 updated, 0 unchanged")
    quiet = Terminal()
    call_command("meetings_sync", "rooms", stdout=quiet, verbosity=0)
    assert quiet.getvalue() == ""
    piped = run("rooms")  # not a terminal (cron, a pipe): the summary only
    assert "\r" not in piped
    assert piped.startswith("rooms: 0 created, 0 updated, 25 unchanged")
