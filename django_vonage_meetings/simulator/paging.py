"""Room pages as the service served them: integer serials, HAL links, ``total_items``.

``start_id`` is inclusive and ``end_id`` exclusive; with only ``end_id`` the page is the one
just before it. ``next`` is only linked when more rooms exist, so clients that follow links
(the Node SDK did) stop at the end.

Two deliberate departures from the captured pages: they linked ``prev`` with
``end_id=<first serial - 1>``, which, ``end_id`` being exclusive, skips the room just before
the page (here ``end_id`` is the first serial); and they linked ``prev``/``next`` even on the only
page (here only where they lead somewhere).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from rest_framework.request import Request

from django_vonage_meetings.rules import DEFAULT_PAGE_SIZE

from .errors import input_error
from .models import Room
from .wire import RoomSerializer

MAX_PAGE_SIZE = 1000
MAX_SAFE_INTEGER = 2**53 - 1


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise input_error(f'"{name}" must be a number') from None
    minimum = 1 if name == "page_size" else 0
    if value < minimum:
        raise input_error(f'"{name}" must be greater than or equal to {minimum}')
    if value > MAX_SAFE_INTEGER:  # the service was JavaScript; nothing beyond reaches a database
        raise input_error(f'"{name}" must be a safe number')
    return value


def room_page(request: Request, rooms: QuerySet[Room], context: dict[str, Any]) -> dict[str, Any]:
    """One page of ``rooms``; ``context`` is the :class:`~.wire.RoomSerializer` context."""
    page_size = _int_param(request, "page_size") or DEFAULT_PAGE_SIZE
    if page_size > MAX_PAGE_SIZE:
        raise input_error(f'"page_size" must be less than or equal to {MAX_PAGE_SIZE}')
    start_id = _int_param(request, "start_id")
    end_id = _int_param(request, "end_id")

    selected = rooms
    if start_id is not None:
        selected = selected.filter(id__gte=start_id)
    if end_id is not None:
        selected = selected.filter(id__lt=end_id)
    if start_id is None and end_id is not None:
        items = list(selected.order_by("-id")[:page_size])[::-1]
    else:
        items = list(selected.order_by("id")[:page_size])

    base = request.build_absolute_uri(request.path)

    def link(**params: int) -> dict[str, str]:
        return {"href": f"{base}?{urlencode({'page_size': page_size, **params})}"}

    links: dict[str, Any] = {"first": link()}
    if items:
        first, last = items[0].id, items[-1].id
        links["self"] = link(start_id=first)
        if rooms.filter(id__lt=first).exists():
            links["prev"] = link(end_id=first)
        if rooms.filter(id__gt=last).exists():
            links["next"] = link(start_id=last + 1)
    else:
        links["self"] = {"href": request.build_absolute_uri()}
    # Key order of the service's captured pages.
    return {
        "page_size": len(items),
        # One issued_at for the whole page, as in the service's pages.
        "_embedded": RoomSerializer(
            items, many=True, context={**context, "issued_at": int(time.time())}
        ).data,
        "_links": links,
        "total_items": rooms.count(),
    }
