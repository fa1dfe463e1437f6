"""Rows callbacks write send Django's pre_save/post_save as Model.save() would, so what users
plug into them (django-simple-history, django-auditlog, a search index) sees callback changes;
with nothing listening, a callback costs the statements it did before."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from django_vonage_meetings.models import Participant, Recording, Room, Session, WebhookEvent
from tests.fixtures.history import history_of
from tests.fixtures.payloads import (
    PARTICIPANT,
    RECORDING,
    ROOM,
    SESSION,
    ended,
    person,
    recording,
    started,
)

MEETING = [
    started(),
    person("session:participant:joined"),
    recording("recording:started"),
    recording("recording:ended"),
    recording("recording:uploaded"),
    person("session:participant:left"),
    ended(),
    {"event": "room:expired", "room_id": ROOM, "room_type": "instant"},
]


def run_meeting(post_webhook) -> None:
    for payload in MEETING:
        assert post_webhook(payload).status_code == 204, payload


class Saves:
    """Every pre_save/post_save of the mirror models and events, with the instance's state."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, type, dict[str, Any]]] = []

    def receiver(self, signal_name: str):
        def receive(sender, instance, **kwargs):
            state = {f.attname: getattr(instance, f.attname) for f in sender._meta.concrete_fields}
            self.calls.append(
                (signal_name, sender, {**kwargs, "instance": instance, "state": state})
            )

        return receive

    def of(self, signal_name: str, model: type) -> list[dict[str, Any]]:
        return [kw for name, sender, kw in self.calls if name == signal_name and sender is model]


@pytest.fixture
def saves():
    record = Saves()
    models = (Room, Session, Participant, Recording, WebhookEvent)
    receivers = [(pre_save, record.receiver("pre_save")), (post_save, record.receiver("post_save"))]
    for signal, receiver in receivers:
        for model in models:
            signal.connect(receiver, sender=model, weak=False, dispatch_uid=f"saves-{model}")
    yield record
    for signal, _receiver in receivers:
        for model in models:
            signal.disconnect(sender=model, dispatch_uid=f"saves-{model}")


def test_every_row_a_callback_writes_sends_the_save_signals(post_webhook, saves):
    run_meeting(post_webhook)

    # Inserts: created=True, update_fields None, a saved instance with its primary key.
    (session_created,) = [kw for kw in saves.of("post_save", Session) if kw["created"]]
    assert session_created["update_fields"] is None
    assert session_created["raw"] is False
    assert session_created["using"] == "default"
    assert session_created["instance"].pk == Session.objects.get().pk
    assert session_created["state"]["vonage_id"] == SESSION
    assert session_created["state"]["room_id"] == ROOM
    assert session_created["instance"]._state.adding is False

    # Updates: created=False and the columns written; the instance is the whole row.
    ended_update = saves.of("post_save", Session)[-1]
    assert ended_update["created"] is False
    assert "ended_at" in ended_update["update_fields"]
    assert isinstance(ended_update["update_fields"], frozenset)
    assert ended_update["state"]["ended_at"] is not None
    assert ended_update["state"]["started_at"] is not None  # a full instance, not a stub
    assert ended_update["state"]["data"]["event"] == "session:ended"

    # Each post_save follows its pre_save, for the same instance.
    pre = [kw["instance"] for kw in saves.of("pre_save", Recording)]
    post = [kw["instance"] for kw in saves.of("post_save", Recording)]
    assert [id(i) for i in pre] == [id(i) for i in post]
    statuses = [kw["state"]["status"] for kw in saves.of("post_save", Recording)]
    assert statuses == ["started", "stopped", "uploaded"]

    # The room: first made by the session (created), then marked expired (updated).
    room_saves = saves.of("post_save", Room)
    assert [kw["created"] for kw in room_saves] == [True, False]
    assert room_saves[-1]["state"]["is_available"] is False
    assert saves.of("post_save", Participant)[-1]["state"]["left_at"] is not None

    # The stored events too: one created per callback.
    events = [kw for kw in saves.of("post_save", WebhookEvent) if kw["created"]]
    assert len(events) == len(MEETING)


def test_an_existing_row_is_not_announced_as_inserted(post_webhook, saves):
    Room.objects.create(vonage_id=ROOM, display_name="Weekly")
    saves.calls.clear()
    assert post_webhook(started()).status_code == 204
    # The room exists: the event ensures it without writing, so no save signal for it.
    assert saves.of("pre_save", Room) == []
    assert saves.of("post_save", Room) == []
    assert len(saves.of("post_save", Session)) == 1


def test_duplicates_send_no_model_signals_for_the_mirror(post_webhook, saves):
    post_webhook(started())
    saves.calls.clear()
    assert post_webhook(started()).status_code == 204
    assert saves.of("post_save", Session) == []
    # Only the event's delivery counter is written.
    (counted,) = saves.of("post_save", WebhookEvent)
    assert counted["update_fields"] == frozenset({"deliveries"})


def test_simple_history_records_callback_changes(post_webhook, history):
    run_meeting(post_webhook)
    recording_history = history_of(Recording).filter(vonage_id=RECORDING).order_by("history_id")
    assert [(h.history_type, h.status) for h in recording_history] == [
        ("+", "started"),
        ("~", "stopped"),
        ("~", "uploaded"),
    ]
    session_history = history_of(Session).filter(vonage_id=SESSION).order_by("history_id")
    assert [h.history_type for h in session_history] == ["+", "~"]
    assert session_history.last().ended_at is not None
    participant = history_of(Participant).filter(vonage_id=PARTICIPANT).order_by("history_id")
    assert [(h.history_type, h.left_at is None) for h in participant] == [
        ("+", True),
        ("~", False),
    ]
    assert [h.history_type for h in history_of(Room).filter(vonage_id=ROOM)] == ["~", "+"]


def test_auditlog_records_callback_changes(post_webhook, audit):
    from auditlog.models import LogEntry

    run_meeting(post_webhook)
    entries = LogEntry.objects.get_for_objects(Recording.objects.all()).order_by("id")
    assert [e.action for e in entries] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.UPDATE,
    ]
    assert entries[1].changes_dict["status"] == ["started", "stopped"]
    assert entries[2].changes_dict["status"] == ["stopped", "uploaded"]
    session_entries = LogEntry.objects.get_for_objects(Session.objects.all())
    assert session_entries.filter(action=LogEntry.Action.UPDATE).exists()


def inline_statements(post_webhook, payload) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert post_webhook(payload).status_code == 204
    return len(queries.captured_queries)


@pytest.fixture
def warm(post_webhook, django_capture_on_commit_callbacks):
    """A process's first callback of an application also makes the application's row (once:
    the process remembers it when that callback's transaction commits, which the test's
    enclosing transaction stands in for here)."""
    with django_capture_on_commit_callbacks(execute=True):
        assert inline_statements(post_webhook, {"event": "room:renamed", "room_id": "warm"}) == 4


def test_nothing_listening_costs_no_statement(post_webhook, warm):
    # BEGIN, the event, the room, the session, COMMIT.
    assert inline_statements(post_webhook, started()) == 5


def test_listeners_of_other_models_cost_no_statement(post_webhook, warm):
    def elsewhere(sender, **kwargs):
        pass

    post_save.connect(elsewhere, sender=User, weak=False, dispatch_uid="elsewhere")
    try:
        assert inline_statements(post_webhook, started()) == 5
    finally:
        post_save.disconnect(sender=User, dispatch_uid="elsewhere")
