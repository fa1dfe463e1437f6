"""A storm on PostgreSQL: 500 callbacks, each delivered three times, shuffled, from 8 threads.

Every event must be stored and processed once, every signal sent once, and the final state of
the mirror must equal what in-order delivery produces.
"""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from django_vonage_meetings import signals
from django_vonage_meetings.models import Participant, Recording, Room, Session, WebhookEvent
from tests.fixtures.webhooks import APPLICATION_ID, NEW_SECRET, sign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SESSIONS = 50


def meeting(n: int) -> list[dict[str, Any]]:
    room, session, rec = f"room-{n:04d}", f"2_MX4storm-{n:04d}-fg", f"rec-{n:04d}"
    t0, t1 = f"2024-01-01T10:{n % 60:02d}:00.000Z", f"2024-01-01T11:{n % 60:02d}:00.000Z"
    people = [(f"p-{n:04d}-{k}", f"Person {k}", k == 0) for k in range(2)]
    events: list[dict[str, Any]] = [
        {"event": "session:started", "session_id": session, "room_id": room, "started_at": t0}
    ]
    events += [
        {
            "event": "session:participant:joined",
            "participant_id": pid,
            "session_id": session,
            "room_id": room,
            "name": name,
            "type": "Host" if host else "Guest",
            "is_host": host,
        }
        for pid, name, host in people
    ]
    events += [
        {"event": "recording:started", "recording_id": rec, "session_id": session},
        {
            "event": "recording:ended",
            "recording_id": rec,
            "session_id": session,
            "started_at": t0,
            "ended_at": t1,
            "duration": 3600,
        },
        {
            "event": "recording:uploaded",
            "recording_id": rec,
            "session_id": session,
            "room_id": room,
            "started_at": t0,
            "ended_at": t1,
            "duration": 3600,
            "url": f"https://files.example/{rec}.mp4",
        },
    ]
    events += [
        {
            "event": "session:participant:left",
            "participant_id": pid,
            "session_id": session,
            "room_id": room,
            "name": name,
            "type": "Host" if host else "Guest",
            "is_host": host,
        }
        for pid, name, host in people
    ]
    events += [
        {
            "event": "session:ended",
            "session_id": session,
            "room_id": room,
            "started_at": t0,
            "ended_at": t1,
        },
        {
            "event": "room:expired",
            "room_id": room,
            "room_type": "instant",
            "expires_at": t1,
            "created_at": t0,
        },
    ]
    return events


def snapshot() -> dict[str, Any]:
    return {
        "rooms": sorted(Room.objects.values_list("vonage_id", "is_available")),
        "sessions": sorted(
            (s.vonage_id, s.room_id, s.started_at.isoformat(), s.ended_at.isoformat())
            for s in Session.objects.all()
        ),
        "participants": sorted(
            (
                p.vonage_id,
                p.session_id,
                p.name,
                p.is_host,
                p.joined_at is not None,
                p.left_at is not None,
            )
            for p in Participant.objects.all()
        ),
        "recordings": sorted(
            Recording.objects.values_list(
                "vonage_id", "session_id", "room_id", "status", "duration", "url"
            )
        ),
    }


@pytest.fixture
def storm_settings(settings, live_server):
    settings.VONAGE_MEETINGS = {"APPLICATION_ID": APPLICATION_ID, "SIGNATURE_SECRETS": [NEW_SECRET]}
    return live_server


def deliver(url: str, payload: dict[str, Any]) -> int:
    request = sign(payload)
    return requests.post(url, data=request.body, headers=request.headers, timeout=60).status_code


def test_storm(storm_settings):
    from django.db import connection

    assert connection.vendor == "postgresql", "run this test with DATABASE_URL=postgres://..."
    url = f"{storm_settings.url}/vonage/meetings/webhooks/"
    events = [e for n in range(SESSIONS) for e in meeting(n)]
    assert len(events) == 500

    counts: dict[str, int] = {}
    lock = threading.Lock()

    def count(sender, event, **kwargs):
        with lock:
            counts[event.dedupe_key] = counts.get(event.dedupe_key, 0) + 1

    for signal in set(signals.EVENT_SIGNALS.values()):
        signal.connect(count, weak=False, dispatch_uid="storm")
    try:
        deliveries = events * 3
        random.Random(1234).shuffle(deliveries)
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda p: deliver(url, p), deliveries))
    finally:
        for signal in set(signals.EVENT_SIGNALS.values()):
            signal.disconnect(dispatch_uid="storm")

    assert set(statuses) == {204}
    stored = WebhookEvent.objects.all()
    assert stored.count() == 500
    assert set(stored.values_list("status", flat=True)) == {"processed"}
    assert set(stored.values_list("attempts", flat=True)) == {1}
    assert set(stored.values_list("deliveries", flat=True)) == {3}
    assert len(counts) == 500
    assert set(counts.values()) == {1}
    shuffled_state = snapshot()

    # The same events, in order, one delivery each, into a clean mirror.
    for model in (WebhookEvent, Participant, Recording, Session, Room):
        model.objects.all().delete()
    for payload in events:
        assert deliver(url, payload) == 204
    assert snapshot() == shuffled_state


def test_one_request_replayed_at_once(storm_settings):
    """A captured request sent eight times at the same moment: one is taken, the rest are
    refused as replays (they wait on the event's unique key, then find its token)."""
    url = f"{storm_settings.url}/vonage/meetings/webhooks/"
    redelivered = sign(meeting(0)[0])
    for request in (sign(meeting(0)[0]), redelivered):  # a first delivery, then a redelivery
        barrier = threading.Barrier(8)

        def post(_n: int, request=request, barrier=barrier) -> requests.Response:
            barrier.wait()
            return requests.post(url, data=request.body, headers=request.headers, timeout=60)

        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(post, range(8)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [204] + [401] * 7
        assert {r.json()["code"] for r in responses if r.status_code == 401} == {"replayed_jti"}
    event = WebhookEvent.objects.get()
    assert (event.status, event.attempts, event.deliveries) == ("processed", 1, 2)
