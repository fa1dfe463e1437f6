"""The public test kit: run whole meetings inside your test's transaction.

- the pytest fixture ``meetings_simulator`` (registered through the ``pytest11`` entry point,
  so a project with pytest-django needs no conftest);
- :class:`MeetingsSimulatorTestCase`, a ``django.test.TestCase`` with ``self.meetings_simulator``;
- :func:`simulating`, the context manager both are made of;
- :func:`signed_callback` and :func:`post_callback`, for testing receivers directly.

Names are loaded on first use: pytest imports the plugin before Django is set up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .callbacks import post_callback, signed_callback
    from .simulator import Meeting, MeetingsSimulator, simulating
    from .testcase import MeetingsSimulatorTestCase

__all__ = [
    "Meeting",
    "MeetingsSimulator",
    "MeetingsSimulatorTestCase",
    "post_callback",
    "signed_callback",
    "simulating",
]

_WHERE = {
    "Meeting": "simulator",
    "MeetingsSimulator": "simulator",
    "simulating": "simulator",
    "MeetingsSimulatorTestCase": "testcase",
    "post_callback": "callbacks",
    "signed_callback": "callbacks",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
