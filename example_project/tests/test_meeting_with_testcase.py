"""The same meeting in a ``django.test.TestCase`` (``manage.py test``), with
``MeetingsSimulatorTestCase``."""

from __future__ import annotations

from django_vonage_meetings.testing import MeetingsSimulatorTestCase

from .meeting import EVENTS, run_meeting


class WholeMeetingTests(MeetingsSimulatorTestCase):
    def test_a_whole_meeting(self) -> None:
        outcome = run_meeting(self.meetings_simulator)

        self.assertEqual(outcome["events"], EVENTS)
        self.assertEqual([name for name, _ in outcome["seen"]], EVENTS)
        (session,) = outcome["sessions"]
        self.assertIsNotNone(session.ended_at)
        self.assertEqual(
            [(p.name, p.is_host) for p in outcome["participants"]],
            [("Ada", True), ("Grace", False)],
        )
        (recording,) = outcome["recordings"]
        self.assertEqual(recording.status, "uploaded")
        self.assertEqual(str(recording.vonage_id), outcome["recording_id"])

    def test_each_test_starts_clean(self) -> None:
        # The previous test's rows and callbacks were rolled back with its transaction.
        from django_vonage_meetings.models import Room

        self.assertEqual(Room.objects.count(), 0)
        self.assertEqual(self.meetings_simulator.callbacks, [])
