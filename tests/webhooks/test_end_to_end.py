"""A room created through the services, a meeting held on the simulator, signals in the app.

Everything is real: the app's client creates the room on the simulator over HTTP with this
site's signed callback URL; the simulator signs each callback with the application's secret
and POSTs it to the live server; the webhook view applies it and the test's receivers hear it.
"""

from __future__ import annotations

import time

import pytest

from django_vonage_meetings import services
from django_vonage_meetings.models import Participant, Recording, Room, Session, WebhookEvent
from django_vonage_meetings.simulator import controls


@pytest.fixture
def wired(simulator_settings, settings, live_server):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_BASE_URL": live_server.url}
    return simulator_settings


def test_a_meeting_becomes_signals(wired, captured):
    room = services.create_room({"display_name": "All hands"})
    assert room.callback_urls["sessions_callback_url"].startswith(
        wired.origin + "/vonage/meetings/webhooks/"
    )

    host = controls.join(room.vonage_id, "Ada", host=True)
    guest = controls.join(room.vonage_id, "Grace")
    recording = controls.start_recording(host.session.session_id)
    controls.stop_recording(recording.recording_id)
    controls.upload_recording(recording.recording_id)
    controls.end_session(host.session.session_id)
    controls.expire_room(room.vonage_id)
    deliveries = controls.deliver_pending()
    assert [d.response_code for d in deliveries] == [204] * len(deliveries)

    events = [name for name in captured.names() if not name.startswith("webhook_")]
    assert events == [
        "session_started",
        "participant_joined",
        "participant_joined",
        "recording_started",
        "recording_ended",
        "recording_uploaded",
        "participant_left",
        "participant_left",
        "session_ended",
        "room_expired",
    ]
    session = Session.objects.get()
    assert session.vonage_id == host.session.session_id
    assert session.room_id == room.vonage_id
    assert session.ended_at is not None
    assert {p.name for p in Participant.objects.all()} == {"Ada", "Grace"}
    assert Participant.objects.get(name="Ada").is_host is True
    mirrored = Recording.objects.get()
    assert mirrored.vonage_id == str(recording.recording_id)
    assert mirrored.status == "uploaded"
    assert mirrored.room_id == room.vonage_id
    assert Room.objects.get(pk=room.pk).is_available is False

    uploaded = captured.of("recording_uploaded")[0]
    assert uploaded["sender"] is Recording
    assert uploaded["recording"] == mirrored
    assert uploaded["session"] == session
    assert captured.of("room_expired")[0]["room"] == Room.objects.get(pk=room.pk)
    joined = captured.of("participant_joined")
    assert {j["participant"].name for j in joined} == {"Ada", "Grace"}
    assert all(e.status == "processed" for e in WebhookEvent.objects.all())
    # The simulator signs with a JWT too; both proofs are checked (and the URL's room scope).
    assert {e.auth_method for e in WebhookEvent.objects.all()} == {"jwt+signed_url"}
    del guest


def test_redelivery_and_disorder_change_nothing(wired, captured):
    room = services.create_room({"display_name": "Chaos"})
    host = controls.join(room.vonage_id, "Ada", host=True)
    recording = controls.start_recording(host.session.session_id)
    controls.stop_recording(recording.recording_id)
    controls.upload_recording(recording.recording_id)
    controls.leave(host.participant_id)
    controls.deliver_pending(order="reverse", repeat=2)

    assert Recording.objects.get().status == "uploaded"
    assert Session.objects.get().ended_at is not None
    assert Participant.objects.get().left_at is not None
    processed = WebhookEvent.objects.filter(status="processed")
    assert processed.count() == 7
    assert {e.deliveries for e in processed} == {2}
    uploads = captured.of("recording_uploaded")
    assert len(uploads) == 1
    assert uploads[0]["stale"] is False
    late = captured.of("recording_started")
    assert len(late) == 1
    assert late[0]["stale"] is True


def test_background_delivery(wired, captured, settings):
    settings.VONAGE_MEETINGS_SIMULATOR = {
        **settings.VONAGE_MEETINGS_SIMULATOR,
        "DELIVERY": "thread",
        "TICK_INTERVAL": 0.05,
    }
    room = services.create_room({"display_name": "Async"})
    controls.expire_room(room.vonage_id)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not captured.of("room_expired"):
        time.sleep(0.05)
    assert captured.of("room_expired")[0]["room"].vonage_id == room.vonage_id


def test_each_callback_is_delivered_once_whoever_sends_it(wired, settings):
    """The delivery thread runs while deliver_pending() is called in a loop: every attempt is
    claimed first, so each callback reaches the webhook exactly once."""
    settings.VONAGE_MEETINGS_SIMULATOR = {
        **settings.VONAGE_MEETINGS_SIMULATOR,
        "DELIVERY": "thread",
        "TICK_INTERVAL": 0.005,
    }
    room = services.create_room({"display_name": "Busy"})
    from django_vonage_meetings.simulator.models import CallbackDelivery
    from django_vonage_meetings.simulator.worker import ensure_worker

    ensure_worker()
    for n in range(12):
        person = controls.join(room.vonage_id, f"Person {n}")
        controls.deliver_pending()
        controls.leave(person.participant_id)
        controls.deliver_pending()
    deadline = time.monotonic() + 30
    while CallbackDelivery.objects.exclude(status="delivered").exists():
        assert time.monotonic() < deadline, "callbacks still undelivered"
        controls.deliver_pending()
    deliveries = list(CallbackDelivery.objects.all())
    assert len(deliveries) == 12 * 4  # started, joined, left, ended per person
    assert {(d.status, d.attempts) for d in deliveries} == {("delivered", 1)}
    events = list(WebhookEvent.objects.values_list("deliveries", flat=True))
    assert len(events) == len(deliveries)
    assert set(events) == {1}
