"""A whole meeting in a pytest test, with the kit's ``meetings_simulator`` fixture (no conftest:
the fixture comes with the package's pytest plugin)."""

from __future__ import annotations

from .meeting import EVENTS, run_meeting


def test_a_whole_meeting(meetings_simulator):
    outcome = run_meeting(meetings_simulator)

    # Every callback reached the webhook view in order, before the call that caused it returned.
    assert outcome["events"] == EVENTS
    assert [name for name, _ in outcome["seen"]] == EVENTS
    assert all(kwargs["stale"] is False for _, kwargs in outcome["seen"])
    joined = [kw["participant"].name for name, kw in outcome["seen"] if name.endswith("joined")]
    assert joined == ["Ada", "Grace"]
    (uploaded,) = [kw for name, kw in outcome["seen"] if name == "recording:uploaded"]
    assert str(uploaded["recording"].vonage_id) == outcome["recording_id"]
    assert uploaded["recording"].url

    # The mirror, from callbacks and the sync.
    (session,) = outcome["sessions"]
    assert session.room_id == outcome["room"].vonage_id
    assert session.ended_at is not None
    assert [(p.name, p.is_host) for p in outcome["participants"]] == [
        ("Ada", True),
        ("Grace", False),
    ]
    assert all(p.left_at is not None for p in outcome["participants"])
    (recording,) = outcome["recordings"]
    assert recording.status == "uploaded"
    assert recording.room_id == outcome["room"].vonage_id
    assert outcome["room"].host_url  # a link that opens the simulator's meeting page
