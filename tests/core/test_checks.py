"""System checks report configuration problems with stable ids, before any request is made."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from django_vonage_meetings.checks import check_settings


def ids(messages):
    return sorted(m.id for m in messages)


def good(key_pair, **extra):
    return {
        "APPLICATION_ID": "a3f1b0f0-0000-4000-8000-000000000001",
        "PRIVATE_KEY": key_pair.private_pem,
        "SIGNATURE_SECRETS": ["a-signature-secret-of-32-bytes-or-more"],
        **extra,
    }


def test_clean_configuration_has_no_messages(key_pair):
    with override_settings(VONAGE_MEETINGS=good(key_pair)):
        assert check_settings() == []


def test_missing_everything():
    with override_settings(VONAGE_MEETINGS={}):
        assert ids(check_settings()) == [
            "vonage_meetings.E001",
            "vonage_meetings.E003",
            "vonage_meetings.W002",
        ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"PRIVATE_KEY": "/no/such/file.key"}, "vonage_meetings.E004"),
        (
            {"PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"},
            "vonage_meetings.E005",
        ),
        ({"PRIVATE_KEY": 42}, "vonage_meetings.E005"),
        ({"API_HOST": "not a url"}, "vonage_meetings.E007"),
        ({"SIGNATURE_SECRETS": 5}, "vonage_meetings.E008"),
        ({"WEBHOOK_BASE_URL": "example.com"}, "vonage_meetings.E009"),
        ({"TIMEOUT": -1}, "vonage_meetings.E010"),
        ({"APPLICATION_ID": 7}, "vonage_meetings.E002"),
    ],
)
def test_each_error_has_its_id(key_pair, extra, expected):
    with override_settings(VONAGE_MEETINGS=good(key_pair, **extra)):
        assert ids(check_settings()) == [expected]


def test_public_key_instead_of_private(key_pair):
    with override_settings(VONAGE_MEETINGS=good(key_pair, PRIVATE_KEY=key_pair.public_pem)):
        assert ids(check_settings()) == ["vonage_meetings.E006"]


def test_not_a_dict():
    with override_settings(VONAGE_MEETINGS="oops"):
        assert ids(check_settings()) == ["vonage_meetings.E011"]


def test_plain_http_outside_debug_warns(key_pair):
    cfg = good(key_pair, API_HOST="http://api.example", WEBHOOK_BASE_URL="http://app.example")
    with override_settings(VONAGE_MEETINGS=cfg, DEBUG=False):
        assert ids(check_settings()) == ["vonage_meetings.W001", "vonage_meetings.W004"]
    with override_settings(VONAGE_MEETINGS=cfg, DEBUG=True):
        assert check_settings() == []


def test_unknown_key_suggests_the_right_one(key_pair):
    with override_settings(VONAGE_MEETINGS=good(key_pair, SIGNATURE_SECRET="x")):
        (message,) = check_settings()
    assert message.id == "vonage_meetings.W003"
    assert "SIGNATURE_SECRETS" in (message.hint or "")


def test_registered_with_django(key_pair):
    with override_settings(VONAGE_MEETINGS={}, SILENCED_SYSTEM_CHECKS=[]):
        with pytest.raises(SystemCheckError, match=r"vonage_meetings\.E001"):
            call_command("check", tags=["vonage_meetings"])
