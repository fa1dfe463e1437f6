"""One whole meeting, as a user's test suite would script it with the public test kit.

Shared by the pytest module and the ``TestCase`` module, which run it with the fixture and with
``MeetingsSimulatorTestCase``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django_vonage_meetings import services
from django_vonage_meetings.models import Participant, Recording, Room, Session
from django_vonage_meetings.signals import meetings_receiver
from django_vonage_meetings.testing import MeetingsSimulator

EVENTS = [
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


@contextmanager
def receivers() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """What a project's receivers would see: every meetings signal, with its kwargs."""
    seen: list[tuple[str, dict[str, Any]]] = []

    @meetings_receiver(*dict.fromkeys(EVENTS), weak=False, dispatch_uid="example-receiver")
    def record(sender: Any, event: Any, **kwargs: Any) -> None:
        seen.append((event.event_type, kwargs))

    try:
        yield seen
    finally:
        from django_vonage_meetings.signals import EVENT_SIGNALS

        for signal in set(EVENT_SIGNALS.values()):
            signal.disconnect(dispatch_uid="example-receiver")


def run_meeting(simulator: MeetingsSimulator) -> dict[str, Any]:
    """Create a room, hold a meeting in it with a sync in the middle; return what happened."""
    room = services.create_room({"display_name": "Weekly sync", "type": "instant"})
    with receivers() as seen:
        meeting = simulator.meeting(room)
        host = meeting.join("Ada", host=True)
        guest = meeting.join("Grace")
        recording_id = meeting.start_recording()
        meeting.stop_recording()
        services.sync()  # the mirror and the API agree mid-meeting
        meeting.upload_recording()
        meeting.leave(guest)
        meeting.leave(host)  # the last one out ends the session
    return {
        "room": Room.objects.get(vonage_id=room.vonage_id),
        "seen": seen,
        "recording_id": recording_id,
        "host": host,
        "guest": guest,
        "events": simulator.events(),
        "sessions": list(Session.objects.all()),
        "participants": list(Participant.objects.order_by("joined_at", "id")),
        "recordings": list(Recording.objects.all()),
    }
