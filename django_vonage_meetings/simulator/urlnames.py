"""Reverse the simulator's URLs wherever the project mounted them.

The simulator's URLconf may be included on its own (``path("simulator/", include(...))``, the
namespace ``vonage_meetings_simulator``) or through the app's URLconf, which includes it when
the simulator is installed (the namespace ``vonage_meetings:vonage_meetings_simulator``). The
first found wins, so a project that mounts it on its own keeps its URLs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import NoReverseMatch, reverse

__all__ = ["sim_reverse"]

NAMESPACES = ("vonage_meetings_simulator", "vonage_meetings:vonage_meetings_simulator")


def sim_reverse(name: str, args: Sequence[Any] | None = None) -> str:
    for namespace in NAMESPACES:
        try:
            return reverse(f"{namespace}:{name}", args=args)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(
        f"The simulator's URL {name!r} is not mounted: include django_vonage_meetings.urls "
        '(path("vonage/meetings/", include("django_vonage_meetings.urls"))) or '
        "django_vonage_meetings.simulator.urls in your URLconf."
    )
