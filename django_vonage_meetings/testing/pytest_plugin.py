"""pytest plugin of the test kit (entry point ``pytest11``): the ``meetings_simulator`` fixture.

Imported by pytest before Django is set up, so it imports nothing of the app at module level.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .simulator import MeetingsSimulator


@pytest.fixture
def meetings_simulator(db: Any) -> Iterator[MeetingsSimulator]:
    """The in-process simulator for one test, inside the test's transaction (pytest-django's
    ``db``); settings are restored afterwards."""
    from .simulator import simulating

    with simulating() as simulator:
        yield simulator
