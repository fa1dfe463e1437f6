"""``MeetingsSimulatorTestCase``: a ``django.test.TestCase`` whose tests run meetings."""

from __future__ import annotations

from contextlib import ExitStack

from django.test import TestCase

from .simulator import MeetingsSimulator, simulating

__all__ = ["MeetingsSimulatorTestCase"]


class MeetingsSimulatorTestCase(TestCase):
    """Each test gets ``self.meetings_simulator`` with the in-process simulator switched on.

    Everything, callbacks and signals included, happens inside the test's transaction and is
    rolled back with it. Call ``super().setUp()`` if you override ``setUp``.
    """

    meetings_simulator: MeetingsSimulator

    def setUp(self) -> None:
        super().setUp()
        stack = ExitStack()
        self.meetings_simulator = stack.enter_context(simulating())
        self.addCleanup(stack.close)
