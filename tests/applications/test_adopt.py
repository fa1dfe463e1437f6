"""Rows of the placeholder ``unassigned`` (no application was known when they were made) are
given to a configured application, and a configured application's rows never move."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from django_vonage_meetings.models import (
    UNASSIGNED,
    Application,
    DialInNumber,
    Room,
    Session,
    WebhookEvent,
)

pytestmark = pytest.mark.django_db

DEFAULT, NORTH = "app-default-id", "app-north-id"


@pytest.fixture
def placed(settings):
    settings.VONAGE_MEETINGS = {
        "APPLICATIONS": {
            "default": {"APPLICATION_ID": DEFAULT},
            "north": {"APPLICATION_ID": NORTH},
        }
    }
    Application.objects.create(vonage_id=UNASSIGNED, data={})
    Application.objects.create(vonage_id=NORTH, name="north", data={})
    room = Room.objects.create(vonage_id="r1", display_name="Lost", application_id=UNASSIGNED)
    Session.objects.create(vonage_id="s1", room_id="r1", application_id=UNASSIGNED)
    DialInNumber.objects.create(vonage_id="4930", application_id=UNASSIGNED)
    DialInNumber.objects.create(vonage_id="4931", application_id=UNASSIGNED)
    DialInNumber.objects.create(vonage_id="4930", application_id=NORTH)  # north's own
    WebhookEvent.objects.create(
        event_type="room:expired", payload={}, dedupe_key="k1", application_id=UNASSIGNED
    )
    Room.objects.create(vonage_id="r2", display_name="North's", application_id=NORTH)
    return room


def owners(model) -> list[tuple[str, str]]:
    return sorted(model.objects.values_list("vonage_id", "application_id"))


def test_a_dry_run_says_what_would_move_and_moves_nothing(placed):
    out = io.StringIO()
    call_command("meetings_adopt_rows", application="north", dry_run=True, stdout=out)
    assert out.getvalue().strip() == (
        "Would move themes: 0, rooms: 1, sessions: 1, participants: 0, recordings: 0, "
        "dial-in numbers: 1, webhook events: 1 (4 rows) from 'unassigned' to 'north'; "
        "dial-in numbers 'north' already listed, dropped: 1"
    )
    assert owners(Room) == [("r1", UNASSIGNED), ("r2", NORTH)]
    assert DialInNumber.objects.filter(application_id=UNASSIGNED).count() == 2
    assert Application.objects.filter(vonage_id=UNASSIGNED).exists()


def test_the_placeholders_rows_go_to_the_application_named(placed):
    out = io.StringIO()
    call_command("meetings_adopt_rows", "--application", "north", stdout=out)
    assert out.getvalue().startswith("Moved themes: 0, rooms: 1, sessions: 1,")
    assert owners(Room) == [("r1", NORTH), ("r2", NORTH)]
    assert owners(Session) == [("s1", NORTH)]
    # North already listed 4930: its own row stays, the placeholder's copy is gone.
    assert owners(DialInNumber) == [("4930", NORTH), ("4931", NORTH)]
    # django-stubs types a foreign key's column as int, even with a to_field that is text.
    events = WebhookEvent.objects.values_list("application_id", flat=True)
    assert [str(application_id) for application_id in events] == [NORTH]
    assert not Application.objects.filter(vonage_id=UNASSIGNED).exists()
    placed.refresh_from_db()
    assert placed.application.name == "north"


def test_without_a_name_the_default_application_gets_them(placed):
    call_command("meetings_adopt_rows", stdout=io.StringIO())
    assert owners(Room) == [("r1", DEFAULT), ("r2", NORTH)]
    assert Application.objects.get(vonage_id=DEFAULT).name == "default"


def test_a_configured_applications_rows_never_move(placed):
    with pytest.raises(CommandError, match="'app-north-id' is the application id of 'north'"):
        call_command("meetings_adopt_rows", "--from", NORTH, stdout=io.StringIO())
    assert owners(Room) == [("r1", UNASSIGNED), ("r2", NORTH)]


def test_an_unknown_application_is_refused_and_nothing_moves(placed):
    with pytest.raises(CommandError, match="south"):
        call_command("meetings_adopt_rows", application="south", stdout=io.StringIO())
    assert owners(Room) == [("r1", UNASSIGNED), ("r2", NORTH)]
