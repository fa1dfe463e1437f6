"""Settings are read lazily on every access and every wrong value names its key, never a secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.test import override_settings

from django_vonage_meetings.conf import SETTINGS, ConfigProblem, meetings_settings
from django_vonage_meetings.exceptions import MeetingsConfigurationError


def test_defaults_when_unset():
    with override_settings(VONAGE_MEETINGS={}):
        assert meetings_settings.API_HOST == "https://api-eu.vonage.com"
        assert meetings_settings.SIGNATURE_SECRETS == ()
        assert meetings_settings.WEBHOOK_BASE_URL is None
        assert meetings_settings.MAX_RETRIES == 3
        assert meetings_settings.WEBHOOK_PROCESSING == "inline"
        assert meetings_settings.WEBHOOK_MAX_AGE == 300


def test_read_on_every_access():
    with override_settings(VONAGE_MEETINGS={"API_HOST": "https://one.example"}):
        assert meetings_settings.API_HOST == "https://one.example"
        with override_settings(VONAGE_MEETINGS={"API_HOST": "http://two.example/simulator/"}):
            assert meetings_settings.API_HOST == "http://two.example/simulator"
        assert meetings_settings.API_HOST == "https://one.example"


def test_single_secret_string_becomes_a_tuple():
    with override_settings(VONAGE_MEETINGS={"SIGNATURE_SECRETS": "s3cret"}):
        assert meetings_settings.SIGNATURE_SECRETS == ("s3cret",)


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("APPLICATION_ID", None, "is not set"),
        ("APPLICATION_ID", 1234, "must be a string, not int"),
        ("API_HOST", "api-eu.vonage.com", "absolute http(s) URL"),
        ("API_HOST", "https://x.example/?a=1", "query or fragment"),
        ("WEBHOOK_BASE_URL", "ftp://x", "absolute http(s) URL"),
        ("SIGNATURE_SECRETS", {"a": 1}, "must be a list"),
        ("SIGNATURE_SECRETS", ["ok", ""], "item 1 must be a non-empty string"),
        ("TIMEOUT", "10", "must be a number, not str"),
        ("TIMEOUT", 0, "must be at least"),
        ("MAX_RETRIES", 2.5, "must be an integer"),
        ("MAX_RETRIES", True, "must be an integer, not bool"),
        ("MAX_RETRIES", 11, "between 0 and 10"),
        ("WEBHOOK_PROCESSING", "celery", "must be one of 'inline', 'task'"),
    ],
)
def test_wrong_values_name_the_key(key, value, fragment):
    with override_settings(VONAGE_MEETINGS={key: value}):
        with pytest.raises(MeetingsConfigurationError) as info:
            getattr(meetings_settings, key)
    assert f"VONAGE_MEETINGS[{key!r}]" in str(info.value)
    assert fragment in str(info.value)
    assert info.value.key == key


def test_not_a_dict():
    with override_settings(VONAGE_MEETINGS=["nope"]):
        with pytest.raises(MeetingsConfigurationError, match="VONAGE_MEETINGS must be a dict"):
            _ = meetings_settings.API_HOST


def test_secret_never_in_messages():
    secret = "TOP-SECRET-signature-value"
    with override_settings(VONAGE_MEETINGS={"SIGNATURE_SECRETS": [secret, 7]}):
        with pytest.raises(MeetingsConfigurationError) as info:
            _ = meetings_settings.SIGNATURE_SECRETS
    assert secret not in str(info.value)
    with override_settings(VONAGE_MEETINGS={"SIGNATURE_SECRETS": [secret]}):
        assert secret not in repr(meetings_settings)


class TestPrivateKey:
    def test_pem_text(self, key_pair):
        with override_settings(VONAGE_MEETINGS={"PRIVATE_KEY": key_pair.private_pem}):
            assert isinstance(meetings_settings.PRIVATE_KEY, RSAPrivateKey)

    def test_file_path(self, key_pair, tmp_path: Path):
        path = tmp_path / "private.key"
        path.write_text(key_pair.private_pem)
        with override_settings(VONAGE_MEETINGS={"PRIVATE_KEY": str(path)}):
            assert isinstance(meetings_settings.PRIVATE_KEY, RSAPrivateKey)
        with override_settings(VONAGE_MEETINGS={"PRIVATE_KEY": path}):
            assert isinstance(meetings_settings.PRIVATE_KEY, RSAPrivateKey)

    def test_missing_file(self, tmp_path: Path):
        missing = tmp_path / "nope.key"
        with override_settings(VONAGE_MEETINGS={"PRIVATE_KEY": str(missing)}):
            with pytest.raises(ConfigProblem, match="does not exist") as info:
                _ = meetings_settings.PRIVATE_KEY
        assert info.value.check_id == "vonage_meetings.E004"

    def test_garbage_pem_is_not_echoed(self):
        garbage = (
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1icm9rZW4=\n-----END PRIVATE KEY-----\n"
        )
        with override_settings(VONAGE_MEETINGS={"PRIVATE_KEY": garbage}):
            with pytest.raises(ConfigProblem, match="not a readable PEM") as info:
                _ = meetings_settings.PRIVATE_KEY
        assert "c2VjcmV0" not in str(info.value)
        assert info.value.check_id == "vonage_meetings.E005"

    def test_public_key_given(self, key_pair):
        with override_settings(VONAGE_MEETINGS={"PRIVATE_KEY": key_pair.public_pem}):
            with pytest.raises(MeetingsConfigurationError, match="holds a public key"):
                _ = meetings_settings.PRIVATE_KEY

    def test_wrong_key_type(self):
        pem = (
            ec.generate_private_key(ec.SECP256R1())
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            .decode()
        )
        with override_settings(VONAGE_MEETINGS={"PRIVATE_KEY": pem}):
            with pytest.raises(MeetingsConfigurationError, match="Vonage application keys are RSA"):
                _ = meetings_settings.PRIVATE_KEY

    def test_encrypted_key(self):
        from cryptography.hazmat.primitives.asymmetric import rsa

        pem = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"pass"),
            )
            .decode()
        )
        with override_settings(VONAGE_MEETINGS={"PRIVATE_KEY": pem}):
            with pytest.raises(MeetingsConfigurationError, match="encrypted"):
                _ = meetings_settings.PRIVATE_KEY


def test_every_setting_is_documented():
    for name, spec in SETTINGS.items():
        assert spec.doc, name
        assert hasattr(type(meetings_settings), name), f"no typed property for {name}"
