"""The shipped migrations match the models, so users' ``makemigrations`` never writes one for us."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.parametrize("app_label", ["vonage_meetings", "vonage_meetings_simulator"])
def test_migrations_match_the_models(app_label, db):
    out = io.StringIO()
    try:
        call_command("makemigrations", app_label, check=True, dry_run=True, stdout=out)
    except SystemExit:
        pytest.fail(f"{app_label} has model changes without a migration:\n{out.getvalue()}")
