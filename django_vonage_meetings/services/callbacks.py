"""The callback URLs rooms carry: one room's scope each, re-issued after a secret rotation.

A new room gets a URL whose token names a fresh key (its id is not known before the API
answers, and instant rooms cannot be updated afterwards, so a second call to name the id is
not an option); the API keeps the URL in the room's ``callback_urls``, the mirror stores that
answer, and that is what binds the key to the room (``webhooks.scope``).

A token stops working when the secret that made it leaves ``SIGNATURE_SECRETS``.
:func:`reissue_callback_urls` gives long-term rooms fresh URLs made with the newest secret
(naming the room's id, now that it is known). The API updates long-term rooms only: instant
rooms, and rooms that have expired, keep what they have, so a retired secret should stay in
the list until the instant rooms made with it are gone (they live minutes, not days).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .. import credentials
from ..api.client import MeetingsClient
from ..conf import meetings_settings
from ..credentials import Named
from ..enums import RoomType
from ..exceptions import MeetingsError, WebhookAuthenticationError
from ..models import Room
from ..webhooks.tokens import (
    CallbackScope,
    peek_url_token,
    room_callback_url,
    token_in_url,
    verify_url_token,
)
from .clients import client_for
from .fields import room_fields
from .upsert import bulk_upsert

__all__ = ["CALLBACK_NAMES", "ReissueReport", "reissue_callback_urls", "with_callback_urls"]

CALLBACK_NAMES = ("rooms_callback_url", "sessions_callback_url", "recordings_callback_url")


def with_callback_urls(data: Mapping[str, Any], application: Named = None) -> dict[str, Any]:
    """Point a new room's callbacks at this site, with a URL valid for that room of that
    application only (when ``WEBHOOK_BASE_URL`` is set).

    URLs the caller set are kept; only the missing ones are filled in.
    """
    out = dict(data)
    url = room_callback_url(CallbackScope.for_new_room(credentials.of(application).name))
    if url:
        given = dict(out.get("callback_urls") or {})
        for callback in CALLBACK_NAMES:
            given.setdefault(callback, url)
        out["callback_urls"] = given
    return out


@dataclass
class ReissueReport:
    """What :func:`reissue_callback_urls` did, room ids by outcome."""

    reissued: list[str] = field(default_factory=list)
    #: Already room-scoped and made with the newest secret.
    current: list[str] = field(default_factory=list)
    #: Instant or expired: the API does not update them.
    cannot_update: list[str] = field(default_factory=list)
    #: No callback URL of this site (the application's URLs apply, or the caller's own).
    not_ours: list[str] = field(default_factory=list)
    #: Room id -> the API's refusal.
    failed: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [
            f"{len(self.reissued)} re-issued",
            f"{len(self.current)} already current",
            f"{len(self.cannot_update)} cannot be updated (instant or expired)",
            f"{len(self.not_ours)} without this site's callback URLs",
        ]
        if self.failed:
            parts.append(f"{len(self.failed)} refused by the API")
        return ", ".join(parts)


def _ours(room: Room) -> dict[str, str]:
    """The room's callback URLs that are this site's (their token reads as one of ours)."""
    found = {}
    for name, url in room.callback_urls.items():
        token = token_in_url(url)
        if name in CALLBACK_NAMES and token and peek_url_token(token) is not None:
            found[name] = str(url)
    return found


def _is_current(url: str, room: Room, newest: str) -> bool:
    token = token_in_url(url)
    try:
        scope = verify_url_token(token or "", [newest])
    except WebhookAuthenticationError:
        return False
    if scope.room is not None:
        return scope.room == room.vonage_id
    return scope.key is not None


def reissue_callback_urls(
    rooms: Iterable[Room] | None = None,
    *,
    force: bool = False,
    dry_run: bool = False,
    application: Named = None,
    client: MeetingsClient | None = None,
) -> ReissueReport:
    """Give mirrored rooms fresh callback URLs (room scope, newest secret of their application)
    through the API.

    Only rooms that carry this site's URLs are touched, and (unless ``force``) only those whose
    URLs were made with an older secret or with a broader scope. Each room is one
    ``update_room`` call, as the application it belongs to; a refusal is reported and the
    others still go ahead. ``application`` limits it to one application's rooms.
    """
    if not meetings_settings.WEBHOOK_BASE_URL and not meetings_settings.SIMULATE:
        raise ImproperlyConfigured(
            "Set VONAGE_MEETINGS['WEBHOOK_BASE_URL'] first: callback URLs are built from it."
        )
    report = ReissueReport()
    if rooms is None:
        queryset = Room.objects.order_by("application_id", "pk")
        if application is not None:
            queryset = queryset.filter(application_id=credentials.of(application).application_id)
        rooms = queryset.iterator()
    by_application: dict[str, list[Room]] = {}
    for room in rooms:
        by_application.setdefault(str(room.application_id), []).append(room)
    for vonage_id, owned in by_application.items():
        configured = credentials.for_application_id(vonage_id)
        if configured is None:
            report.not_ours += [room.vonage_id for room in owned]  # not configured here
            continue
        newest = configured.signature_secrets[:1]
        if not newest:
            raise ImproperlyConfigured(
                f"The signature secrets of application {configured.name!r} are empty."
            )
        with client_for(client, configured.name) as api:
            for room in owned:
                _reissue(
                    api, room, newest[0], configured.name, report, force=force, dry_run=dry_run
                )
    return report


def _reissue(
    api: MeetingsClient,
    room: Room,
    newest: str,
    application: str,
    report: ReissueReport,
    *,
    force: bool,
    dry_run: bool,
) -> None:
    ours = _ours(room)
    if not ours:
        report.not_ours.append(room.vonage_id)
    elif not force and all(_is_current(url, room, newest) for url in ours.values()):
        report.current.append(room.vonage_id)
    elif room.type != RoomType.LONG_TERM or room.has_expired:
        report.cannot_update.append(room.vonage_id)
    elif dry_run:
        report.reissued.append(room.vonage_id)
    else:
        url = room_callback_url(CallbackScope(room=room.vonage_id, application=application))
        try:
            answer = api.update_room(room.vonage_id, {"callback_urls": dict.fromkeys(ours, url)})
        except MeetingsError as exc:
            report.failed[room.vonage_id] = str(exc)
            return
        bulk_upsert(Room, [{**room_fields(answer), "application_id": room.application_id}])
        report.reissued.append(room.vonage_id)
