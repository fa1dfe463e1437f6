"""The public test kit: meetings driven in process, inside the test's transaction, with the
faults a real service and a real network bring."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from django_vonage_meetings import services, signals
from django_vonage_meetings.exceptions import (
    MeetingsAPIError,
    MeetingsConnectionError,
    ServerError,
)
from django_vonage_meetings.models import Recording, Room, Session, WebhookEvent
from django_vonage_meetings.testing import post_callback, signed_callback
from tests.fixtures.payloads import started


@pytest.fixture
def room(meetings_simulator) -> Room:
    return services.create_room({"display_name": "Kit", "type": "instant"})


@pytest.fixture
def fast_retries(settings):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "RETRY_BACKOFF": 0.01}


def test_signals_fire_before_the_call_returns_inside_the_transaction(
    meetings_simulator, room, captured
):
    committed = []
    meeting = meetings_simulator.meeting(room)
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(True))
        meeting.join("Ada", host=True)
        # Delivered, stored, applied and announced already, though nothing has committed.
        assert captured.names()[:3] == ["webhook_received", "session_started", "webhook_processed"]
        assert Session.objects.get().is_running
        assert WebhookEvent.objects.filter(status="processed").count() == 2
    assert meetings_simulator.events() == ["session:started", "session:participant:joined"]


def test_a_receiver_that_calls_the_api_keeps_the_callbacks_in_order(meetings_simulator, room):
    """A receiver calling the API while its own callback is delivered: the nested call's
    callbacks wait for the outer delivery, so the order stays the service's."""
    refreshed = []

    def refresh(sender, participant, **kwargs):
        refreshed.append(services.refresh_room(room.vonage_id).display_name)

    signals.participant_joined.connect(refresh, weak=False, dispatch_uid="refresh")
    try:
        meeting = meetings_simulator.meeting(room)
        meeting.join("Ada", host=True)
        meeting.join("Grace")
    finally:
        signals.participant_joined.disconnect(dispatch_uid="refresh")
    assert refreshed == ["Kit", "Kit"]
    assert meetings_simulator.events() == [
        "session:started",
        "session:participant:joined",
        "session:participant:joined",
    ]


def test_expire_room(meetings_simulator, room, captured):
    meetings_simulator.expire_room(room)
    assert Room.objects.get().is_available is False
    assert captured.names()[1] == "room_expired"


def test_meeting_needs_someone_in_it_before_recording(meetings_simulator, room):
    from django_vonage_meetings.simulator.controls import SimulatorError

    with pytest.raises(SimulatorError, match="Nobody has joined"):
        meetings_simulator.meeting(room).start_recording()


def test_api_answers_with_scripted_errors_and_the_client_retries(
    meetings_simulator, room, fast_retries
):
    meetings_simulator.fail_next(503, 503)
    assert services.refresh_room(room).vonage_id == room.vonage_id  # retried twice, then fine
    meetings_simulator.fail_next(500)
    # A create is never replayed after a 5xx: the service may have made the room.
    with pytest.raises(ServerError):
        services.create_room({"display_name": "Again", "type": "instant"})
    assert Room.objects.count() == 1


def test_retry_after_is_honoured(meetings_simulator, room, fast_retries, settings):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "RETRY_AFTER_MAX": 0.5}
    meetings_simulator.api_faults(script=[429], retry_after=5)
    # Longer than RETRY_AFTER_MAX: given up at once, with the hint, as over HTTP.
    with pytest.raises(MeetingsAPIError) as info:
        services.refresh_room(room)
    assert info.value.status_code == 429
    assert info.value.retry_after == 5


def test_malformed_answers_are_typed_errors(meetings_simulator, room):
    meetings_simulator.fail_next("malformed")
    with pytest.raises(MeetingsAPIError, match="expected a JSON object"):
        services.refresh_room(room)


def test_a_delay_longer_than_the_read_timeout_is_a_timeout(meetings_simulator, room, settings):
    settings.VONAGE_MEETINGS = {
        **settings.VONAGE_MEETINGS,
        "TIMEOUT": 0.05,
        "MAX_RETRIES": 1,
        "RETRY_BACKOFF": 0,
    }
    meetings_simulator.api_faults(delay_ms=120)
    with pytest.raises(MeetingsConnectionError, match="timed out"):
        services.refresh_room(room)
    meetings_simulator.api_faults()  # cleared
    assert services.refresh_room(room).display_name == "Kit"


def test_duplicated_callbacks_are_applied_once(meetings_simulator, room, captured):
    meetings_simulator.duplicate_callbacks(3)
    meetings_simulator.meeting(room).join("Ada", host=True)
    assert (
        meetings_simulator.events() == ["session:started"] * 3 + ["session:participant:joined"] * 3
    )
    assert [e.deliveries for e in WebhookEvent.objects.order_by("id")] == [3, 3]
    assert captured.names().count("session_started") == 1


def test_dropped_callbacks_never_arrive(meetings_simulator, room):
    meetings_simulator.drop_callbacks("recording:uploaded")
    meeting = meetings_simulator.meeting(room)
    host = meeting.join("Ada", host=True)
    meeting.start_recording()
    meeting.stop_recording()
    meeting.upload_recording()
    meeting.leave(host)
    assert "recording:uploaded" not in meetings_simulator.events()
    assert Recording.objects.get().status == "stopped"  # the mirror never heard of the upload


def test_held_callbacks_arrive_reversed_and_state_still_moves_forward(
    meetings_simulator, room, captured
):
    meeting = meetings_simulator.meeting(room)
    with meetings_simulator.held_callbacks(order="reverse"):
        host = meeting.join("Ada", host=True)
        meeting.leave(host)
        assert meetings_simulator.events() == []
    assert meetings_simulator.events() == [
        "session:ended",
        "session:participant:left",
        "session:participant:joined",
        "session:started",
    ]
    session = Session.objects.get()
    assert session.ended_at is not None  # "started" came last and changed nothing
    stale = {kw["event"].event_type: kw["stale"] for kw in captured.of("session_started")}
    assert stale == {"session:started": True}


def test_signed_callback_and_post_callback(meetings_simulator, client):
    response = post_callback(client, started())
    assert response.status_code == 204
    assert Session.objects.count() == 1
    body, headers = signed_callback(started(), secret="not-the-secret-0123456789abcdef0123")
    refused = client.post(
        "/vonage/meetings/webhooks/",
        data=body,
        content_type="application/json",
        headers={"Authorization": headers["Authorization"]},
    )
    assert refused.status_code == 401


def test_the_kit_restores_the_settings(settings):
    from django.conf import settings as live

    from django_vonage_meetings.testing import simulating

    before = dict(live.VONAGE_MEETINGS)
    with simulating() as simulator:
        assert live.VONAGE_MEETINGS["SIMULATE"] is True
        assert live.VONAGE_MEETINGS["WEBHOOK_PROCESSING"] == "inline"
        assert simulator.callbacks == []
    assert dict(live.VONAGE_MEETINGS) == before


def test_task_processing_is_inline_under_the_kit(settings, db):
    """The kit applies callbacks inline whatever WEBHOOK_PROCESSING says: signals must fire
    before the call returns."""
    from django_vonage_meetings.testing import simulating

    settings.VONAGE_MEETINGS = {"WEBHOOK_PROCESSING": "task"}
    with simulating() as simulator:
        created = services.create_room({"display_name": "Task", "type": "instant"})
        simulator.meeting(created).join("Ada", host=True)
        assert WebhookEvent.objects.filter(status="processed").count() == 2


def test_a_sync_in_process_sees_the_test_transaction(meetings_simulator, room):
    """No prefetch thread in process: its connection would not see the test's rows."""
    Room.objects.all().delete()
    counts = services.sync(["rooms"])
    assert counts["rooms"].created == 1
    later = timezone.now() + dt.timedelta(days=2)
    long_term = services.create_room(
        {"display_name": "Long", "type": "long_term", "expires_at": later}
    )
    assert services.sync(["rooms"])["rooms"].unchanged == 2
    assert long_term.expires_at is not None
