"""Pull: make the mirror match the API, page by page.

Rooms are paged; the next page is fetched in a worker thread while the current one is written
(a bounded queue of one page), so a large sync takes about as long as fetching the pages and
memory stays flat whatever the number of rooms. Themes and dial-in numbers come as complete
lists, so rows the API no longer has are deleted; rooms cannot be deleted on the API, so room
rows are never deleted by a sync. Recordings are fetched for every session the mirror knows
(sessions come from callbacks); each session's list is complete, so recordings deleted on
Vonage are deleted here.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import models, transaction

from ..api.client import MeetingsClient
from ..conf import meetings_settings
from ..exceptions import NotFoundError
from ..models import DialInNumber, Recording, Room, Session, Theme
from .applications import Named, ensure_row
from .clients import client_for
from .fields import dial_in_fields, recording_fields, room_fields, theme_fields
from .upsert import SyncCounts, bulk_upsert

__all__ = [
    "RESOURCES",
    "SYNCABLE",
    "Progress",
    "Resource",
    "sync",
    "sync_dial_in_numbers",
    "sync_recordings",
    "sync_rooms",
    "sync_themes",
]

#: ``progress(done, total)``: rooms (or sessions) handled so far, and the total when known.
Progress = Callable[[int, int | None], None]

T = TypeVar("T")


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_DONE = object()


def prefetched(source: Iterator[T]) -> Iterator[T]:
    """Iterate ``source`` in a worker thread, one item ahead of the consumer.

    Fetching page N+1 overlaps writing page N. Errors raised while fetching re-raise in the
    consumer; if the consumer stops early, the worker stops too.
    """
    items: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
        except BaseException as exc:
            put(_Failure(exc))
        finally:
            put(_DONE)

    worker = threading.Thread(target=produce, name="vonage-meetings-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield cast(T, item)
    finally:
        stop.set()
        worker.join(timeout=5)


def _owner(api: MeetingsClient, *, dry_run: bool) -> str:
    """The application the rows of this sync belong to (its row made if new, unless this is
    a dry run, which writes nothing)."""
    if dry_run:
        return api.application_id
    return str(ensure_row(api.application_id).vonage_id)


def _owned(rows: Iterable[dict[str, Any]], owner: str) -> list[dict[str, Any]]:
    return [{**row, "application_id": owner} for row in rows]


def sync_rooms(
    *,
    application: Named = None,
    client: MeetingsClient | None = None,
    page_size: int | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> SyncCounts:
    counts = SyncCounts()
    size = page_size or meetings_settings.SYNC_PAGE_SIZE
    with client_for(client, application) as api:
        owner: str | None = None
        done = 0
        pages = api.iter_room_pages(page_size=size)
        for page in pages if api.in_process else prefetched(pages):
            rooms = page.get("_embedded") or []
            if isinstance(rooms, dict):
                rooms = rooms.get("rooms") or []
            if owner is None:  # once the API has answered
                owner = _owner(api, dry_run=dry_run)
            fields = _owned((room_fields(r) for r in rooms), owner)
            counts += bulk_upsert(Room, fields, dry_run=dry_run)
            done += len(rooms)
            if progress is not None:
                total = page.get("total_items")
                progress(done, total if isinstance(total, int) else None)
    return counts


def _replace_all(
    model: type[Theme] | type[DialInNumber],
    rows: list[dict[str, Any]],
    owner: str,
    *,
    dry_run: bool,
) -> SyncCounts:
    """Upsert the application's complete list and delete its rows the list no longer has,
    atomically (other applications' rows are left alone)."""
    with transaction.atomic():
        counts = bulk_upsert(model, _owned(rows, owner), dry_run=dry_run)
        vanished = model._default_manager.filter(application_id=owner).exclude(
            vonage_id__in=[r["vonage_id"] for r in rows]
        )
        counts.deleted = vanished.count()
        if not dry_run and counts.deleted:
            vanished.delete()
    return counts


def sync_themes(
    *, application: Named = None, client: MeetingsClient | None = None, dry_run: bool = False
) -> SyncCounts:
    with client_for(client, application) as api:
        themes = api.get_themes()
        owner = _owner(api, dry_run=dry_run)
    return _replace_all(Theme, [theme_fields(t) for t in themes], owner, dry_run=dry_run)


def sync_dial_in_numbers(
    *, application: Named = None, client: MeetingsClient | None = None, dry_run: bool = False
) -> SyncCounts:
    with client_for(client, application) as api:
        numbers = api.get_dial_in_numbers()
        owner = _owner(api, dry_run=dry_run)
    rows = [dial_in_fields(n) for n in numbers if n.get("number")]
    return _replace_all(DialInNumber, rows, owner, dry_run=dry_run)


def sync_recordings(
    *,
    application: Named = None,
    client: MeetingsClient | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    sessions: Iterable[str] | None = None,
) -> SyncCounts:
    """Fetch the recordings of every session the mirror knows for the application (or of the
    given session ids).

    The API lists a session's recordings completely, so local recordings of that session it no
    longer lists were deleted on Vonage and are deleted here too. A session the API has
    forgotten (404) leaves its local recordings alone. The API's recordings do not name their
    room; it is taken from the mirrored session.
    """
    counts = SyncCounts()
    with client_for(client, application) as api:
        owner = _owner(api, dry_run=dry_run)
        # (session id, room id); the stubs type a foreign key's column as int, here it is the
        # room's remote id (``to_field="vonage_id"``).
        pairs: list[tuple[str, Any]]
        mine = Session.objects.filter(application_id=owner)
        if sessions is None:
            pairs = list(mine.order_by("id").values_list("vonage_id", "room_id"))
        else:
            wanted = list(sessions)
            known = dict(mine.filter(vonage_id__in=wanted).values_list("vonage_id", "room_id"))
            pairs = [(session_id, known.get(session_id)) for session_id in wanted]
        for done, (session_id, room_id) in enumerate(pairs, start=1):
            try:
                recordings = api.get_session_recordings(session_id)
            except NotFoundError:
                recordings = None  # the service forgets old sessions; nothing to compare
            if recordings is not None:
                rows = [
                    {**recording_fields(r), "room_id": room_id, "application_id": owner}
                    for r in recordings
                ]
                with transaction.atomic():
                    counts += bulk_upsert(
                        Recording, rows, keep_if_missing=("room_id",), dry_run=dry_run
                    )
                    gone = Recording.objects.filter(
                        session_id=session_id, application_id=owner
                    ).exclude(vonage_id__in=[row["vonage_id"] for row in rows])
                    counts.deleted += gone.count() if dry_run else gone.delete()[0]
            if progress is not None:
                progress(done, len(pairs))
    return counts


@dataclass(frozen=True)
class Resource:
    """Something a sync pulls: the function that pulls it and the model it writes (and whose
    change permission the admin's "Sync now" asks for)."""

    name: str
    run: Callable[..., SyncCounts]
    model: type[models.Model]


#: Every syncable resource by name, in the order a full sync runs them.
SYNCABLE: dict[str, Resource] = {
    resource.name: resource
    for resource in (
        Resource("themes", sync_themes, Theme),
        Resource("rooms", sync_rooms, Room),
        Resource("recordings", sync_recordings, Recording),
        Resource("dial_in_numbers", sync_dial_in_numbers, DialInNumber),
    )
}
#: Resource names ``sync`` and ``meetings_sync`` accept, in the order they run.
RESOURCES = tuple(SYNCABLE)


def sync(
    resources: Iterable[str] | None = None,
    *,
    application: Named = None,
    client: MeetingsClient | None = None,
    page_size: int | None = None,
    dry_run: bool = False,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> dict[str, SyncCounts]:
    """Sync the named resources (all by default) of one application (the default one when
    omitted) with one client; return counts per resource. ``meetings_sync`` runs it for every
    configured application."""
    wanted = list(resources or RESOURCES)
    unknown = [name for name in wanted if name not in SYNCABLE]
    if unknown:
        raise ValueError(
            f"Unknown resource {', '.join(unknown)}; choose from {', '.join(RESOURCES)}"
        )
    results: dict[str, SyncCounts] = {}
    with client_for(client, application) as api:
        for name in RESOURCES:
            if name not in wanted:
                continue
            options: dict[str, Any] = {"client": api, "dry_run": dry_run}
            if name == "rooms":
                options["page_size"] = page_size
            if name in ("rooms", "recordings") and progress is not None:
                options["progress"] = lambda done, total, _name=name: progress(_name, done, total)
            results[name] = SYNCABLE[name].run(**options)
    return results
