"""The API's JSON shapes as the client reads them: paging links, embedded rooms, path ids.

The service and its documentation disagreed on several shapes (``_embedded`` as an array or as
``{"rooms": [...]}``, scheme-less ``next`` links, ``joinApprovalLevel`` in early 2023); these
helpers accept every shape seen and hand out one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from ..exceptions import MeetingsValidationError, TooManyPagesError

__all__ = [
    "embedded_rooms",
    "next_query",
    "normalise_page",
    "normalise_room",
    "segment",
    "unwrap",
    "walk_pages",
]


def segment(name: str, value: Any) -> str:
    """One path segment from an id, quoted so an id can never reach another endpoint."""
    text = str(value) if value is not None else ""
    if not text.strip():
        raise MeetingsValidationError({name: ["This field is required."]})
    return quote(text, safe="")


def normalise_room(room: dict[str, Any]) -> dict[str, Any]:
    """The service answered ``joinApprovalLevel`` in early 2023; hand out one spelling."""
    if "joinApprovalLevel" in room:
        room.setdefault("join_approval_level", room.pop("joinApprovalLevel"))
    return room


def embedded_rooms(page: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``_embedded`` is an array in reality; the spec (and PHP) showed ``{"rooms": [...]}``."""
    embedded = page.get("_embedded")
    if isinstance(embedded, Mapping):
        embedded = embedded.get("rooms")
    if not isinstance(embedded, list):
        return []
    return [normalise_room(room) for room in embedded if isinstance(room, dict)]


def next_query(page: Mapping[str, Any]) -> dict[str, str] | None:
    """The query of ``_links.next``, whatever form the link takes.

    The live service sent scheme-less links (``api-eu.vonage.com/meetings/rooms?...``), the
    spec absolute ones on other hosts, tests relative ones. Only the query matters; requesting
    it on the configured host also keeps credentials from going to a host a link names.
    """
    links = page.get("_links")
    if not isinstance(links, Mapping):
        return None
    nxt = links.get("next")
    href = nxt.get("href") if isinstance(nxt, Mapping) else nxt
    if not isinstance(href, str) or not href:
        return None
    query = urlsplit(href if "?" in href else f"?{href}").query or href.partition("?")[2]
    parsed = {key: values[-1] for key, values in parse_qs(query).items() if values}
    wanted = {key: parsed[key] for key in ("start_id", "end_id", "page_size") if key in parsed}
    return wanted or None


def normalise_page(page: dict[str, Any]) -> dict[str, Any]:
    embedded = page.get("_embedded")
    if isinstance(embedded, Mapping):
        embedded = embedded.get("rooms")
    if isinstance(embedded, list):
        for room in embedded:
            if isinstance(room, dict):
                normalise_room(room)
    return page


def unwrap(data: Mapping[str, Any]) -> dict[str, Any]:
    """Accept a body already wrapped in ``update_details`` (as PY3 callers wrote it)."""
    if set(data) == {"update_details"} and isinstance(data["update_details"], Mapping):
        return dict(data["update_details"])
    return dict(data)


def walk_pages(
    fetch: Callable[[dict[str, Any]], dict[str, Any]],
    params: Mapping[str, Any],
    *,
    max_pages: int | None,
) -> Iterator[dict[str, Any]]:
    """Every page of a listing, following ``_links.next``: until a page is empty or has no
    next link, a link comes round again, or ``max_pages`` pages were read and there is yet
    another (then :class:`~django_vonage_meetings.exceptions.TooManyPagesError`: a server
    whose ``next`` never ends must not hold a sync forever)."""
    seen: set[tuple[tuple[str, str], ...]] = set()
    query: dict[str, Any] = {k: v for k, v in params.items() if v is not None}
    pages = 0
    while True:
        key = tuple(sorted((k, str(v)) for k, v in query.items()))
        if key in seen:
            return
        seen.add(key)
        if max_pages is not None and pages >= max_pages:
            raise TooManyPagesError(
                f"the listing offered more than {max_pages} pages", setting="MAX_PAGES"
            )
        page = fetch(query)
        pages += 1
        rooms = embedded_rooms(page)
        yield page
        if not rooms:
            return
        nxt = next_query(page)
        if nxt is None:
            return
        if "page_size" in query and "page_size" not in nxt:
            nxt["page_size"] = query["page_size"]
        query = nxt
