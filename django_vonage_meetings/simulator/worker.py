"""The simulator's one background thread per process: it delivers due callbacks and ticks the
simulator's clock (expiring rooms, finishing uploads), as the service did on its own.

It starts with the first simulator request of a process and wakes as soon as a transaction
queued callbacks (the outbox's ``callbacks_queued``, connected in the app config).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import close_old_connections

from .conf import sim_setting
from .delivery import deliver_due
from .lifecycle import catch_up

__all__ = ["ensure_worker", "stop_worker", "wake_worker"]

logger = logging.getLogger("django_vonage_meetings.simulator.delivery")


class _Holder:
    """The process's one worker (class attributes instead of module globals)."""

    lock = threading.Lock()
    worker: _Worker | None = None


class _Worker(threading.Thread):
    """One daemon thread per process: delivers callbacks and ticks the simulator's clock."""

    def __init__(self) -> None:
        super().__init__(name="vonage-meetings-simulator", daemon=True)
        self.wake = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.wake.wait(float(sim_setting("TICK_INTERVAL")))
            self.wake.clear()
            if self.stopping.is_set():
                break
            try:
                close_old_connections()
                if sim_setting("TIMER"):
                    catch_up()
                if sim_setting("DELIVERY") == "thread":
                    deliver_due()
            except Exception:  # keep the worker alive whatever one round did
                logger.exception("simulator worker round failed")
            finally:
                close_old_connections()


def ensure_worker() -> None:
    """Start the worker if it is not running (first simulator request of the process)."""
    if sim_setting("DELIVERY") != "thread" and not sim_setting("TIMER"):
        return
    with _Holder.lock:
        if _Holder.worker is None or not _Holder.worker.is_alive():
            _Holder.worker = _Worker()
            _Holder.worker.start()


def wake_worker(**kwargs: Any) -> None:
    """Wake the worker (a ``callbacks_queued`` receiver); start it if needed."""
    if sim_setting("DELIVERY") != "thread":
        return
    ensure_worker()
    worker = _Holder.worker
    if worker is not None:
        worker.wake.set()


def stop_worker(timeout: float = 5.0) -> None:
    """Stop the worker (tests call this before the database goes away)."""
    with _Holder.lock:
        worker, _Holder.worker = _Holder.worker, None
    if worker is not None:
        worker.stopping.set()
        worker.wake.set()
        worker.join(timeout)
