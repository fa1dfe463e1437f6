"""Whether a room's URL token covers the callback it came with.

A callback is about the room it names (``room_id``), and about the rooms the mirror knows for
the session and recording it names: ``recording:started`` and ``recording:ended`` carry only a
``session_id``, and a forged event could name one room and another room's session. Every room
so found must be the token's room. When none can be found (the session is not mirrored yet,
say, because its ``session:started`` is still queued) the callback is refused with 403
``scope_unresolved`` and nothing is stored: the sender retries, and by then the mirror knows.

A token made with a new room names a key rather than the room's id (the id was not known yet);
the room it was given to is the one whose ``callback_urls``, as the API answered and the mirror
stored them, carry that key.

These checks read the mirror and write nothing; the application-scope token and the JWT skip
them entirely.
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import constant_time_compare

from ..exceptions import WebhookScopeError
from ..models import Participant, Recording, Room, Session
from .tokens import CallbackScope, peek_url_token, token_in_url

__all__ = ["check_application", "check_scope", "rooms_of"]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def rooms_of(payload: dict[str, Any]) -> set[str]:
    """Every room the callback is about, as far as the payload and the mirror tell."""
    rooms: set[str] = set()
    room_id = _text(payload.get("room_id"))
    if room_id:
        rooms.add(room_id)
    session_id = _text(payload.get("session_id"))
    if session_id:
        known = Session.objects.filter(vonage_id=session_id).values_list("room_id", flat=True)
        rooms.update(str(room) for room in known[:1] if room)
    recording_id = _text(payload.get("recording_id"))
    if recording_id:
        found = Recording.objects.filter(vonage_id=recording_id).values_list(
            "room_id", "session__room_id"
        )
        rooms.update(str(room) for pair in found[:1] for room in pair if room)
    return rooms


def _unresolved() -> WebhookScopeError:
    return WebhookScopeError(
        "scope_unresolved",
        "This URL is for one room, and it cannot be told yet which room this callback is "
        "about; retry later.",
    )


def _out_of_scope() -> WebhookScopeError:
    return WebhookScopeError("out_of_scope", "This URL is for another room.")


def _room_carries_key(room_id: str, key: str) -> bool:
    data = Room.objects.filter(vonage_id=room_id).values_list("data", flat=True).first()
    urls = data.get("callback_urls") if isinstance(data, dict) else None
    if not isinstance(urls, dict) or not any(urls.values()):
        raise _unresolved()  # not mirrored yet, or only a stub a callback made
    for url in urls.values():
        token = token_in_url(url)
        stored = peek_url_token(token) if token else None
        if stored is not None and stored.key and constant_time_compare(stored.key, key):
            return True
    return False


def check_scope(scope: CallbackScope, payload: dict[str, Any]) -> None:
    """Let the callback in, or raise :class:`WebhookScopeError` (answered 403)."""
    if scope.is_application:
        return
    rooms = rooms_of(payload)
    if not rooms:
        raise _unresolved()
    if len(rooms) > 1:
        raise _out_of_scope()  # the callback names rooms that disagree
    (room,) = rooms
    if scope.room is not None:
        allowed = constant_time_compare(room, scope.room)
    else:
        assert scope.key is not None
        allowed = _room_carries_key(room, scope.key)
    if not allowed:
        raise _out_of_scope()


def check_application(owner: str, payload: dict[str, Any]) -> None:
    """Let a callback of application ``owner`` in only if every mirrored row it names (room,
    session, participant, recording) is that application's; else 403 ``wrong_application``.

    Callbacks carry no application of their own, so one application's secret (or URL token)
    must not reach another's rows. Only needed, and only run, with several applications.
    """
    lookups = (
        (Room, "room_id"),
        (Session, "session_id"),
        (Participant, "participant_id"),
        (Recording, "recording_id"),
    )
    for model, key in lookups:
        value = _text(payload.get(key))
        if value is None:
            continue
        found = model._default_manager.filter(vonage_id=value).values_list(
            "application_id", flat=True
        )
        owners = {str(application) for application in found[:1]}
        if owners and owners != {owner}:
            raise WebhookScopeError(
                "wrong_application", "This callback is about another application's meeting."
            )
