"""Callbacks of provisioned applications, delivered in process and at once.

While simulating in process, a callback reaches the app's real webhook view (authentication,
storage, processing, signals) before the call that caused it returns, so a test or a shell
session sees the signals right away, inside its own transaction. ``transaction.on_commit`` does
not fire inside a test's transaction, so deliveries are flushed explicitly: after each call the
client makes in process, after each control's own atomic block, and on commit where there is
one. A flush that starts while another runs in the same thread (a receiver calling the API while
its callback is being delivered) leaves the work to the outer one, which loops until nothing is
due, so callbacks keep their order.

:data:`policy` lets the test kit hold, reorder, duplicate or drop callbacks.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Q

from .. import delivery
from ..models import CallbackDelivery, DeliveryStatus
from . import provisioning

__all__ = ["CallbackPolicy", "Order", "flush", "policy"]

Order = Literal["fifo", "reverse", "shuffle"]


@dataclass
class CallbackPolicy:
    """How in-process callbacks are delivered (the test kit sets it; the default is faithful)."""

    #: Queue callbacks without delivering them until released.
    held: bool = False
    #: Copies of each callback (2 or more test receivers' idempotency).
    copies: int = 1
    #: Event names that are never delivered (given up, as after a receiver that never answers).
    dropped: frozenset[str] = field(default_factory=frozenset)
    #: The order in which the callbacks due at one flush go out.
    order: Order = "fifo"

    def reset(self) -> None:
        self.held, self.copies, self.dropped, self.order = False, 1, frozenset(), "fifo"


policy = CallbackPolicy()
_state = threading.local()


def flush(order: Order | None = None, **kwargs: Any) -> list[CallbackDelivery]:
    """Deliver every due callback of a provisioned application now, in this thread.

    Returns the attempts made (duplicates included). Also a ``callbacks_queued`` receiver,
    hence ``**kwargs``.
    """
    if not provisioning.active() or policy.held or getattr(_state, "busy", False):
        return []
    _state.busy = True
    try:
        sent: list[CallbackDelivery] = []
        while True:
            due = list(delivery.due().filter(~Q(application__provisioned_as="")))
            if not due:
                return sent
            progressed = False
            for item in _ordered(due, order or policy.order):
                progressed |= _deliver(item, sent)
            if not progressed:
                return sent
    finally:
        _state.busy = False


def _ordered(items: list[CallbackDelivery], order: Order) -> list[CallbackDelivery]:
    if order == "reverse":
        return items[::-1]
    if order == "shuffle":
        shuffled = items[:]
        random.shuffle(shuffled)
        return shuffled
    return items


def _deliver(item: CallbackDelivery, sent: list[CallbackDelivery]) -> bool:
    if not delivery.claim(item, due_only=True):
        return False
    if item.event in policy.dropped:
        CallbackDelivery.objects.filter(pk=item.pk).update(
            status=DeliveryStatus.GAVE_UP, claimed_until=None, last_error="dropped (test kit)"
        )
        return True
    done = delivery.attempt(item)
    sent.append(done)
    for _ in range(policy.copies - 1):
        sent.append(delivery.send(done, claim_it=False))
    return True
