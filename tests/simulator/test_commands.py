"""Management commands of the simulator."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from django_vonage_meetings.simulator.models import Application, Room, Theme


@pytest.mark.django_db
def test_add_application_creates_then_updates(tmp_path, key_pair, other_key_pair):
    pem = tmp_path / "public.pem"
    pem.write_text(key_pair.public_pem)
    out = io.StringIO()
    call_command(
        "simulator_add_application",
        "--application-id",
        "app-1",
        "--public-key",
        str(pem),
        "--signature-secret",
        "s1",
        "--callback-url",
        "https://example.com/hook",
        stdout=out,
    )
    assert "Registered application app-1" in out.getvalue()
    pem.write_text(other_key_pair.public_pem)
    call_command(
        "simulator_add_application",
        "--application-id",
        "app-1",
        "--public-key",
        str(pem),
        stdout=io.StringIO(),
    )
    app = Application.objects.get()
    assert app.public_key == other_key_pair.public_pem
    assert app.signature_secret == "s1"
    assert app.callback_url == "https://example.com/hook"


@pytest.mark.django_db
def test_add_application_errors(tmp_path):
    with pytest.raises(CommandError, match="Cannot read the public key file"):
        call_command(
            "simulator_add_application",
            "--application-id",
            "a",
            "--public-key",
            str(tmp_path / "nope.pem"),
        )
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    with pytest.raises(CommandError, match="not a PEM public key"):
        call_command("simulator_add_application", "--application-id", "a", "--public-key", str(bad))


@pytest.mark.django_db
def test_seed_and_reset(key_pair, tmp_path):
    pem = tmp_path / "public.pem"
    pem.write_text(key_pair.public_pem)
    call_command(
        "simulator_add_application",
        "--application-id",
        "seeded",
        "--public-key",
        str(pem),
        verbosity=0,
    )
    out = io.StringIO()
    call_command(
        "simulator_seed",
        "--application-id",
        "seeded",
        "--rooms",
        "250",
        "--themes",
        "3",
        "--batch-size",
        "100",
        stdout=out,
    )
    assert "Seeded 250 rooms and 3 themes" in out.getvalue()
    assert Room.objects.count() == 250
    assert Theme.objects.count() == 3
    assert len(set(Room.objects.values_list("meeting_code", flat=True))) == 250
    call_command("simulator_reset", "--application-id", "seeded", stdout=io.StringIO())
    assert Room.objects.count() == 0


@pytest.mark.django_db
def test_seed_unknown_application():
    with pytest.raises(CommandError, match="register it with simulator_add_application"):
        call_command("simulator_seed", "--application-id", "nope", "--rooms", "1")
