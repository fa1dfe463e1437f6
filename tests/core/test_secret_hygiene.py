"""No setting value (a key, a secret) in any check, exception or log message; weak settings warn.

Issue 15: a private key given as its PEM body without the ``-----BEGIN`` lines was taken for a
path and echoed in the check message; a one-character signature secret and a key file that
other users can read passed without a word.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from django_vonage_meetings.checks import check_settings
from django_vonage_meetings.conf import ConfigProblem, meetings_settings
from django_vonage_meetings.exceptions import MeetingsValidationError

STRONG = "s" * 32


def pem_body(pem: str) -> str:
    """The base64 lines of a PEM file without its header and footer."""
    return "\n".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


def base(key_pair, **extra):
    return {
        "APPLICATION_ID": "a3f1b0f0-0000-4000-8000-000000000001",
        "PRIVATE_KEY": key_pair.private_pem,
        "SIGNATURE_SECRETS": [STRONG],
        **extra,
    }


def every_text(messages) -> str:
    return "\n".join(f"{m.msg}\n{m.hint or ''}" for m in messages)


@pytest.mark.parametrize("one_line", [False, True])
def test_a_pem_body_without_its_header_is_never_echoed(key_pair, caplog, one_line):
    body = pem_body(key_pair.private_pem)
    if one_line:
        body = body.replace("\n", "")
    fragments = [line for line in body.splitlines() if len(line) > 20][:3] or [body[:40]]
    with override_settings(VONAGE_MEETINGS=base(key_pair, PRIVATE_KEY=body)):
        with caplog.at_level(logging.DEBUG):
            messages = check_settings()
            with pytest.raises(ConfigProblem) as info:
                _ = meetings_settings.PRIVATE_KEY
    assert [m.id for m in messages] == ["vonage_meetings.E004"]
    shown = every_text(messages) + str(info.value) + caplog.text
    assert "PRIVATE_KEY" in shown
    for fragment in fragments:
        assert fragment not in shown
    assert body[:16] not in shown


def test_a_missing_key_file_is_named_by_its_setting_not_its_value(key_pair, tmp_path: Path):
    missing = tmp_path / "secret-location-xyz" / "private.key"
    with override_settings(VONAGE_MEETINGS=base(key_pair, PRIVATE_KEY=str(missing))):
        (message,) = check_settings()
    assert message.id == "vonage_meetings.E004"
    assert "secret-location-xyz" not in message.msg
    assert "PRIVATE_KEY" in message.msg


def test_the_client_argument_does_not_echo_the_key_either(key_pair):
    from django_vonage_meetings.client import MeetingsClient

    body = pem_body(key_pair.private_pem)
    with pytest.raises(MeetingsValidationError) as info:
        MeetingsClient(application_id="app", private_key=body)
    assert body.splitlines()[1] not in str(info.value)


def test_the_sync_command_does_not_echo_the_key(key_pair, db):
    from django.core.management.base import CommandError

    body = pem_body(key_pair.private_pem)
    with override_settings(VONAGE_MEETINGS=base(key_pair, PRIVATE_KEY=body)):
        with pytest.raises(CommandError) as info:
            call_command("meetings_sync")
    assert body.splitlines()[1] not in str(info.value)


def test_a_url_setting_with_credentials_is_not_echoed(key_pair):
    cfg = base(key_pair, WEBHOOK_BASE_URL="ftp://user:hunter2-password@example.com")
    with override_settings(VONAGE_MEETINGS=cfg):
        (message,) = check_settings()
    assert message.id == "vonage_meetings.E009"
    assert "hunter2" not in message.msg


@pytest.mark.parametrize("secret", ["x", "short-secret", "é" * 15])
def test_a_short_signature_secret_warns_without_showing_it(key_pair, secret):
    with override_settings(VONAGE_MEETINGS=base(key_pair, SIGNATURE_SECRETS=[STRONG, secret])):
        messages = check_settings()
    assert [m.id for m in messages] == ["vonage_meetings.W006"]
    assert secret not in every_text(messages)
    assert "SIGNATURE_SECRETS" in messages[0].msg
    assert "32" in every_text(messages)


def test_secrets_of_32_bytes_are_enough(key_pair):
    with override_settings(VONAGE_MEETINGS=base(key_pair, SIGNATURE_SECRETS=["é" * 16])):
        assert check_settings() == []


@pytest.mark.parametrize(
    ("mode", "warns"),
    [(0o600, False), (0o400, False), (0o640, True), (0o604, True), (0o644, True)],
)
def test_a_key_file_readable_by_others_warns(key_pair, tmp_path: Path, mode, warns):
    path = tmp_path / "private.key"
    path.write_text(key_pair.private_pem)
    path.chmod(mode)
    with override_settings(VONAGE_MEETINGS=base(key_pair, PRIVATE_KEY=str(path))):
        messages = check_settings()
    assert [m.id for m in messages] == (["vonage_meetings.W007"] if warns else [])
    if warns:
        assert oct(stat.S_IMODE(mode))[2:] in messages[0].msg
        assert "BEGIN" not in every_text(messages)
