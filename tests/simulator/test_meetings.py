"""Meetings that happen: sessions, participants, recordings, expiry and their signed callbacks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time

import jwt
import pytest
import requests
from django.utils import timezone

from django_vonage_meetings.simulator import controls
from django_vonage_meetings.simulator.controls import SimulatorError
from django_vonage_meetings.simulator.models import Application, CallbackDelivery, Recording, Room
from tests.fixtures.client import Reply

ISO = "%Y-%m-%dT%H:%M:%S.%fZ"


@pytest.fixture
def receiver(scripted_server):
    scripted_server.handle("POST", "/hook", lambda r: Reply(204))
    return scripted_server


@pytest.fixture
def app(simulator_app, receiver):
    Application.objects.filter(application_id=simulator_app.application_id).update(
        callback_url=f"{receiver.url}/hook"
    )
    return simulator_app


def new_room(app, **body):
    response = app.call("POST", "/rooms", json={"display_name": "Standup", **body})
    assert response.status_code == 201, response.text
    return response.json()


def events(receiver, path="/hook"):
    return [r.json() for r in receiver.calls("POST", path)]


def test_a_scripted_meeting_sends_every_callback_in_order(app, receiver):
    room = new_room(app, metadata="team=blue")
    host = controls.join(room["id"], "Ada", host=True)
    guest = controls.join(room["id"], "Grace")
    session_id = host.session.session_id
    recording = controls.start_recording(session_id)
    controls.stop_recording(recording.recording_id)
    controls.upload_recording(recording.recording_id)
    controls.leave(guest.participant_id)
    controls.leave(host.participant_id)
    sent = controls.deliver_pending()
    assert {d.status for d in sent} == {"delivered"}

    got = events(receiver)
    assert [e["event"] for e in got] == [
        "session:started",
        "session:participant:joined",
        "session:participant:joined",
        "recording:started",
        "recording:ended",
        "recording:uploaded",
        "session:participant:left",
        "session:participant:left",
        "session:ended",
    ]
    (
        started,
        joined_host,
        joined_guest,
        rec_started,
        rec_ended,
        uploaded,
        left_guest,
        left_host,
        ended,
    ) = got
    assert set(started) == {"event", "session_id", "room_id", "started_at"}
    assert started["room_id"] == room["id"]
    assert started["session_id"] == session_id
    assert set(joined_host) == {
        "event",
        "participant_id",
        "session_id",
        "room_id",
        "name",
        "type",
        "is_host",
    }
    assert (joined_host["name"], joined_host["type"], joined_host["is_host"]) == (
        "Ada",
        "Host",
        True,
    )
    assert (joined_guest["name"], joined_guest["type"], joined_guest["is_host"]) == (
        "Grace",
        "Guest",
        False,
    )
    assert joined_guest["participant_id"] == str(guest.participant_id)
    assert set(rec_started) == {"event", "recording_id", "session_id"}
    assert set(rec_ended) == {
        "event",
        "recording_id",
        "session_id",
        "started_at",
        "ended_at",
        "duration",
    }
    assert isinstance(rec_ended["duration"], int)
    assert set(uploaded) == {
        "event",
        "recording_id",
        "session_id",
        "room_id",
        "started_at",
        "ended_at",
        "duration",
        "url",
    }
    assert uploaded["room_id"] == room["id"]
    assert requests.get(uploaded["url"], timeout=10).status_code == 200
    assert left_guest["participant_id"] == str(guest.participant_id)
    assert left_host["participant_id"] == str(host.participant_id)
    assert set(ended) == {"event", "session_id", "room_id", "started_at", "ended_at"}
    assert dt.datetime.strptime(ended["ended_at"], ISO) >= dt.datetime.strptime(
        ended["started_at"], ISO
    )
    # the room's metadata travels in a header
    assert {r.headers.get("X-Vonage-Meetings-Metadata") for r in receiver.calls("POST")} == {
        "team=blue"
    }


def test_callbacks_are_signed_the_vonage_way(app, receiver):
    room = new_room(app)
    controls.join(room["id"], "Ada", host=True)
    controls.deliver_pending()
    for request in receiver.calls("POST"):
        scheme, _, token = request.headers["Authorization"].partition(" ")
        assert scheme == "Bearer"
        claims = jwt.decode(token, app.signature_secret, algorithms=["HS256"])
        assert claims["iss"] == "Vonage"
        assert claims["application_id"] == app.application_id
        assert abs(claims["iat"] - time.time()) < 30
        assert claims["payload_hash"] == hashlib.sha256(request.body).hexdigest()
        assert request.headers["Content-Type"] == "application/json"
    tokens = [r.headers["Authorization"] for r in receiver.calls("POST")]
    assert len(set(tokens)) == len(tokens)  # a fresh jti per delivery


def test_room_callback_urls_override_the_application(app, receiver):
    for path in ("/rooms-cb", "/sessions-cb", "/recordings-cb"):
        receiver.handle("POST", path, lambda r: Reply(204))
    room = new_room(
        app,
        type="long_term",
        expires_at=(timezone.now() + dt.timedelta(hours=1)).isoformat(),
        callback_urls={
            "rooms_callback_url": f"{receiver.url}/rooms-cb",
            "sessions_callback_url": f"{receiver.url}/sessions-cb",
            "recordings_callback_url": f"{receiver.url}/recordings-cb",
        },
    )
    host = controls.join(room["id"], "Ada", host=True)
    rec = controls.start_recording(host.session.session_id)
    controls.stop_recording(rec.recording_id)
    controls.expire_room(room["id"])
    controls.deliver_pending()
    assert events(receiver, "/hook") == []
    assert [e["event"] for e in events(receiver, "/rooms-cb")] == ["room:expired"]
    assert [e["event"] for e in events(receiver, "/recordings-cb")] == [
        "recording:started",
        "recording:ended",
    ]
    assert [e["event"] for e in events(receiver, "/sessions-cb")] == [
        "session:started",
        "session:participant:joined",
        "session:participant:left",
        "session:ended",
    ]


def test_room_expired_payload_and_fires_once(app, receiver):
    room = new_room(app)
    controls.expire_room(room["id"])
    controls.expire_room(room["id"])
    controls.tick()
    controls.deliver_pending()
    (expired,) = events(receiver)
    assert expired == {
        "event": "room:expired",
        "room_id": room["id"],
        "room_type": "instant",
        "expires_at": expired["expires_at"],
        "created_at": room["created_at"],
    }
    with pytest.raises(SimulatorError, match="no longer available"):
        controls.join(room["id"], "Late")


def test_expiry_happens_on_the_next_access(app, receiver):
    room = new_room(app)
    Room.objects.filter(room_id=room["id"]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    app.call("GET", "/rooms")  # any API call brings the clock up to date
    app.call("GET", "/rooms")
    controls.deliver_pending()
    assert [e["event"] for e in events(receiver)] == ["room:expired"]


def test_instant_room_stays_alive_during_a_session(app, receiver):
    room = new_room(app)
    host = controls.join(room["id"], "Ada", host=True)
    Room.objects.filter(room_id=room["id"]).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    controls.tick()
    assert app.call("GET", f"/rooms/{room['id']}").json()["is_available"] is True
    controls.leave(host.participant_id)
    after = app.call("GET", f"/rooms/{room['id']}").json()
    expires = dt.datetime.strptime(after["expires_at"], ISO).replace(tzinfo=dt.timezone.utc)
    assert dt.timedelta(minutes=9) < expires - timezone.now() <= dt.timedelta(minutes=10)


def test_expire_after_use(app, receiver):
    room = new_room(
        app,
        type="long_term",
        expire_after_use=True,
        expires_at=(timezone.now() + dt.timedelta(days=1)).isoformat(),
    )
    host = controls.join(room["id"], "Ada", host=True)
    controls.end_session(host.session.session_id)
    controls.deliver_pending()
    assert [e["event"] for e in events(receiver)][-2:] == ["session:ended", "room:expired"]
    assert app.call("GET", f"/rooms/{room['id']}").json()["is_available"] is False


def test_after_owner_only_keeps_guests_waiting(app, receiver):
    room = new_room(
        app,
        type="long_term",
        join_approval_level="after_owner_only",
        expires_at=(timezone.now() + dt.timedelta(days=1)).isoformat(),
    )
    guest = controls.join(room["id"], "Grace")
    assert guest.session is None
    controls.deliver_pending()
    assert events(receiver) == []
    host = controls.join(room["id"], "Ada", host=True)
    guest.refresh_from_db()
    assert guest.state == "joined"
    assert guest.session_id == host.session_id
    controls.deliver_pending()
    joined = [e["name"] for e in events(receiver) if e["event"] == "session:participant:joined"]
    assert joined == ["Ada", "Grace"]


def test_explicit_approval(app, receiver):
    room = new_room(
        app,
        type="long_term",
        join_approval_level="explicit_approval",
        expires_at=(timezone.now() + dt.timedelta(days=1)).isoformat(),
    )
    controls.join(room["id"], "Ada", host=True)
    grace = controls.join(room["id"], "Grace")
    mallory = controls.join(room["id"], "Mallory")
    assert grace.state == mallory.state == "waiting"
    assert controls.admit(grace.participant_id).state == "joined"
    assert controls.deny(mallory.participant_id).state == "denied"
    with pytest.raises(SimulatorError):
        controls.admit(mallory.participant_id)
    controls.deliver_pending()
    assert [e["name"] for e in events(receiver) if e["event"] == "session:participant:joined"] == [
        "Ada",
        "Grace",
    ]


def test_auto_record(app, receiver):
    room = new_room(app, recording_options={"auto_record": True})
    host = controls.join(room["id"], "Ada", host=True)
    recording = host.session.recordings.get()
    with pytest.raises(SimulatorError, match="cannot be stopped"):
        controls.stop_recording(recording.recording_id)
    controls.end_session(host.session.session_id)
    controls.deliver_pending()
    names = [e["event"] for e in events(receiver)]
    assert names[:3] == ["session:started", "recording:started", "session:participant:joined"]
    assert "recording:ended" in names


def test_recording_not_available(app):
    room = new_room(app, available_features={"is_recording_available": False})
    host = controls.join(room["id"], "Ada", host=True)
    with pytest.raises(SimulatorError, match="not available"):
        controls.start_recording(host.session.session_id)


def test_upload_after_the_configured_delay(app, receiver, settings):
    # A long delay, then time moved past it: deterministic however slow the machine is.
    settings.VONAGE_MEETINGS_SIMULATOR = {
        **settings.VONAGE_MEETINGS_SIMULATOR,
        "RECORDING_UPLOAD_DELAY": 60,
    }
    room = new_room(app)
    host = controls.join(room["id"], "Ada", host=True)
    rec = controls.start_recording(host.session.session_id)
    stopped = controls.stop_recording(rec.recording_id)
    assert stopped.ended_at is not None
    assert stopped.upload_due_at == stopped.ended_at + dt.timedelta(seconds=60)
    controls.tick()
    assert app.call("GET", f"/recordings/{rec.recording_id}").json()["status"] == "stopped"
    Recording.objects.filter(pk=stopped.pk).update(
        upload_due_at=timezone.now() - dt.timedelta(seconds=1)
    )
    controls.tick()
    assert app.call("GET", f"/recordings/{rec.recording_id}").json()["status"] == "uploaded"


def test_old_event_name_when_configured(app, receiver):
    Application.objects.filter(application_id=app.application_id).update(
        legacy_recording_ready=True
    )
    room = new_room(app)
    host = controls.join(room["id"], "Ada", host=True)
    rec = controls.start_recording(host.session.session_id)
    controls.stop_recording(rec.recording_id)
    controls.upload_recording(rec.recording_id)
    controls.deliver_pending()
    got = events(receiver)
    uploaded = [e for e in got if e["event"] == "recording:uploaded"]
    ready = [e for e in got if e["event"] == "recording:ready"]
    assert len(uploaded) == len(ready) == 1
    assert {k: v for k, v in ready[0].items() if k != "event"} == {
        k: v for k, v in uploaded[0].items() if k != "event"
    }


def test_failed_deliveries_are_retried(app, receiver):
    answers = iter([Reply(500), Reply(503), Reply(204)])
    receiver.handle("POST", "/hook", lambda r: next(answers))
    room = new_room(app)
    controls.expire_room(room["id"])
    (first,) = controls.deliver_pending()
    assert (first.status, first.attempts, first.response_code) == ("failed", 1, 500)
    assert "HTTP 500" in first.last_error
    controls.deliver_pending()
    (final,) = controls.deliver_pending()
    assert (final.status, final.attempts, final.response_code) == ("delivered", 3, 204)


def test_background_delivery_retries_with_backoff(app, receiver, settings):
    settings.VONAGE_MEETINGS_SIMULATOR = {
        **settings.VONAGE_MEETINGS_SIMULATOR,
        "DELIVERY": "thread",
        "TICK_INTERVAL": 0.05,
        "CALLBACK_BACKOFF": 0.2,
    }
    answers = iter([Reply(500), Reply(500), Reply(204)])
    receiver.handle("POST", "/hook", lambda r: next(answers, Reply(204)))
    room = new_room(app)
    controls.expire_room(room["id"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        delivery = CallbackDelivery.objects.get()
        if delivery.status == "delivered":
            break
        time.sleep(0.05)
    assert delivery.status == "delivered"
    assert delivery.attempts == 3
    times = [r.at for r in receiver.calls("POST")]
    assert times[1] - times[0] >= 0.18  # backoff 0.2 s
    assert times[2] - times[1] >= 0.38  # then 0.4 s


def test_gives_up_after_max_attempts(app, receiver, settings):
    settings.VONAGE_MEETINGS_SIMULATOR = {
        **settings.VONAGE_MEETINGS_SIMULATOR,
        "CALLBACK_MAX_ATTEMPTS": 2,
    }
    receiver.handle("POST", "/hook", lambda r: Reply(500))
    controls.expire_room(new_room(app)["id"])
    controls.deliver_pending()
    (last,) = controls.deliver_pending()
    assert last.status == "gave_up"
    assert controls.deliver_pending() == []


def test_unreachable_receiver_is_recorded(app, settings):
    Application.objects.filter(application_id=app.application_id).update(
        callback_url="http://127.0.0.1:9/hook"
    )
    controls.expire_room(new_room(app)["id"])
    (attempt,) = controls.deliver_pending()
    assert attempt.status == "failed"
    assert attempt.response_code is None
    assert "ConnectionError" in attempt.last_error


def test_redeliver_twice_and_out_of_order(app, receiver):
    room = new_room(app)
    host = controls.join(room["id"], "Ada", host=True)
    controls.leave(host.participant_id)
    sent = controls.deliver_pending(order="reverse", repeat=2)
    names = [e["event"] for e in events(receiver)]
    assert names == [
        "session:ended",
        "session:ended",
        "session:participant:left",
        "session:participant:left",
        "session:participant:joined",
        "session:participant:joined",
        "session:started",
        "session:started",
    ]
    bodies = [r.body for r in receiver.calls("POST")]
    assert bodies[0] == bodies[1]  # the same callback twice, byte for byte
    assert (
        receiver.calls("POST")[0].headers["Authorization"]
        != receiver.calls("POST")[1].headers["Authorization"]
    )
    again = controls.redeliver(sent[0].pk, times=2)
    assert len(again) == 2
    assert [e["event"] for e in events(receiver)][-2:] == ["session:ended", "session:ended"]


def test_control_endpoint_scripts_a_meeting(app, receiver):
    room = new_room(app)
    host = app.control("join", room_id=room["id"], name="Ada", host=True).json()
    assert host["state"] == "joined"
    rec = app.control("start_recording", session_id=host["session_id"]).json()
    assert (
        app.control("stop_recording", recording_id=rec["recording_id"]).json()["status"]
        == "stopped"
    )
    assert (
        app.control("upload_recording", recording_id=rec["recording_id"]).json()["status"]
        == "uploaded"
    )
    assert app.control("leave", participant_id=host["participant_id"]).json()["state"] == "left"
    delivered = app.control("deliver").json()
    assert [d["event"] for d in delivered][-1] == "session:ended"
    assert all(d["status"] == "delivered" for d in delivered)
    listed = app.control("deliveries", method="GET").json()
    assert len(listed) == len(delivered)
    conflict = app.control("join", room_id=room["id"], name="x", host=False)
    assert conflict.status_code == 200  # room still available for 10 minutes
    assert app.control("expire_room", room_id=room["id"]).status_code == 200
    refused = app.control("join", room_id=room["id"], name="late")
    assert refused.status_code == 409
    assert "no longer available" in refused.json()["message"]


def test_control_endpoint_isolation(app, other_simulator_app):
    room = new_room(app)
    response = other_simulator_app.control("join", room_id=room["id"], name="intruder")
    assert response.status_code == 404


def test_callbacks_only_for_changes_that_happened(app, receiver):
    room = new_room(app)
    host = controls.join(room["id"], "Ada", host=True)
    with pytest.raises(SimulatorError):
        controls.start_recording("no-such-session")
    controls.leave(host.participant_id)
    controls.leave(host.participant_id)  # leaving twice changes nothing
    controls.deliver_pending()
    assert [e["event"] for e in events(receiver)].count("session:participant:left") == 1


def test_payloads_are_compact_json(app, receiver):
    controls.expire_room(new_room(app)["id"])
    controls.deliver_pending()
    (request,) = receiver.calls("POST")
    assert request.body == json.dumps(json.loads(request.body), separators=(",", ":")).encode()
