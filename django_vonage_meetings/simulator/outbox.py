"""The outbox: callbacks queued as ``CallbackDelivery`` rows in the transaction of the change
that causes them, so a callback is sent if and only if its change committed.

Queueing sends :data:`callbacks_queued` once the transaction commits; whoever delivers (the
background worker, see ``worker``) listens to it. The outbox itself never sends anything.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from .models import CallbackDelivery, Room

__all__ = ["ROUTE", "callbacks_queued", "emit"]

#: Which of a room's (or the application's) callback URLs an event goes to, by its prefix.
ROUTE = {"room": "rooms", "session": "sessions", "recording": "recordings"}

#: Sent (sender ``CallbackDelivery``) after a transaction that queued callbacks committed.
callbacks_queued = Signal()


def emit(room: Room, event: str, fields: dict[str, Any]) -> CallbackDelivery | None:
    """Queue one callback for ``room`` in the current transaction; None if no URL is set."""
    url = room.callback_url_for(ROUTE[event.split(":", 1)[0]])
    if not url:
        return None
    body = json.dumps({"event": event, **fields}, separators=(",", ":")).encode()
    delivery = CallbackDelivery.objects.create(
        application=room.application, event=event, url=url, body=body, metadata=room.metadata
    )
    transaction.on_commit(_announce)
    return delivery


def _announce() -> None:
    callbacks_queued.send(sender=CallbackDelivery)
