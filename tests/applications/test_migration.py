"""Migration 0004 on a database made with one application: every row kept, each assigned."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("vonage_meetings", "0003_webhook_event_jti_and_lean_indexes")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # An app migrated to zero (None) has no state to return.
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_single_application_database_keeps_every_row(settings):
    settings.VONAGE_MEETINGS = {"APPLICATION_ID": "the-configured-app"}
    try:
        old = migrate(BEFORE)
        Theme = old.get_model("vonage_meetings", "Theme")
        Room = old.get_model("vonage_meetings", "Room")
        Session = old.get_model("vonage_meetings", "Session")
        Participant = old.get_model("vonage_meetings", "Participant")
        Recording = old.get_model("vonage_meetings", "Recording")
        DialInNumber = old.get_model("vonage_meetings", "DialInNumber")
        Event = old.get_model("vonage_meetings", "WebhookEvent")
        Theme.objects.create(vonage_id="t1", application_id="the-configured-app", data={})
        Theme.objects.create(vonage_id="t2", application_id="", data={})
        Room.objects.create(vonage_id="r1", display_name="One", data={})
        Room.objects.create(vonage_id="r2", display_name="Two", theme_id="t1", data={})
        Session.objects.create(vonage_id="s1", room_id="r1", data={})
        Participant.objects.create(vonage_id="p1", session_id="s1", data={})
        Recording.objects.create(vonage_id="c1", session_id="s1", status="uploaded", data={})
        DialInNumber.objects.create(vonage_id="4930123", data={})
        Event.objects.create(event_type="room:expired", payload={}, dedupe_key="k1")
    finally:
        migrate(latest())

    from django_vonage_meetings.models import (
        Application,
        DialInNumber,
        Participant,
        Recording,
        Room,
        Session,
        Theme,
        WebhookEvent,
    )

    owned = {
        model.__name__: sorted(model.objects.values_list("vonage_id", "application_id"))
        for model in (Theme, Room, Session, Participant, Recording, DialInNumber)
    }
    app = "the-configured-app"
    assert owned == {
        "Theme": [("t1", app), ("t2", app)],
        "Room": [("r1", app), ("r2", app)],
        "Session": [("s1", app)],
        "Participant": [("p1", app)],
        "Recording": [("c1", app)],
        "DialInNumber": [("4930123", app)],
    }
    # django-stubs types a foreign key's column as int, even with a to_field that is text.
    events = WebhookEvent.objects.values_list("application_id", flat=True)
    assert [str(application_id) for application_id in events] == [app]
    assert list(Application.objects.values_list("vonage_id", "name")) == [(app, "default")]
    assert Room.objects.get(vonage_id="r2").theme_id == "t1"


@pytest.mark.django_db(transaction=True)
def test_without_a_configured_id_the_themes_tell_whose_rows_they_are(settings):
    settings.VONAGE_MEETINGS = {}
    try:
        old = migrate(BEFORE)
        old.get_model("vonage_meetings", "Theme").objects.create(
            vonage_id="t1", application_id="from-the-api", data={}
        )
        old.get_model("vonage_meetings", "Room").objects.create(
            vonage_id="r1", display_name="One", data={}
        )
    finally:
        migrate(latest())
    from django_vonage_meetings.models import Room

    assert Room.objects.get().application_id == "from-the-api"


@pytest.mark.django_db(transaction=True)
def test_a_fresh_simulated_project_migrates_before_the_simulator_has_tables(settings):
    # A new project with SIMULATE on: migrate runs this app's migrations before the simulator's,
    # so nothing in them may provision an application (the simulator's tables are not there).
    settings.VONAGE_MEETINGS = {"SIMULATE": True}
    try:
        migrate([*BEFORE, ("vonage_meetings_simulator", None)])
        assert "vonage_meetings_simulator_application" not in connection.introspection.table_names()
        migrate([("vonage_meetings", "0004_applications")])
        assert "vonage_meetings_simulator_application" not in connection.introspection.table_names()
    finally:
        migrate(latest())
    from django_vonage_meetings.models import Room

    room = Room.objects.create(vonage_id="r1", display_name="One", data={})
    from django_vonage_meetings.credentials import application_id

    assert room.application_id == application_id()
