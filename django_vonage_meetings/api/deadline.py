"""An overall deadline for one API call: connect, headers, body and every retry in between.

``requests``' read timeout bounds each ``recv`` on the socket, not the call: a server that
sends one byte a second never trips a 2-second read timeout, in the status line and headers
(read line by line inside ``http.client``) as well as in the body. So every call runs under a
:class:`Deadline` (:func:`watching`), and

- the connection classes mounted by the client register each connection a call uses with the
  deadline of the thread making the call;
- a timer shuts those sockets down when the deadline passes, so a read blocked anywhere in the
  stack returns at once;
- the retry policy stops retrying (and never sleeps) past the deadline;
- the transport reads the body in chunks and checks the deadline between them.

The timer only shuts the socket down (it never closes it from another thread), so the thread
making the call sees a broken connection and cleans up as it would after any network error.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["Deadline", "DeadlineAdapter", "DeadlineReached", "current", "watching"]

_local = threading.local()


class DeadlineReached(Exception):
    """Raised inside the transport when the call's deadline has passed (never escapes it)."""


class Deadline:
    """When one call must be over, and the connections it is using meanwhile."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self.fired = False

    def remaining(self) -> float:
        return self.at - time.monotonic()

    @property
    def expired(self) -> bool:
        return self.fired or self.remaining() <= 0

    def check(self) -> None:
        if self.expired:
            raise DeadlineReached

    def attach(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            fired = self.fired
        if fired:
            _shut(connection)

    def fire(self) -> None:
        """Shut down every socket the call uses (the timer's thread)."""
        with self._lock:
            self.fired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)


def _shut(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        # socket.socket's own shutdown, also for TLS sockets: SSLSocket.shutdown would drop its
        # SSL object under the reading thread's feet.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def current() -> Deadline | None:
    """The deadline of the call this thread is making, if any."""
    return getattr(_local, "deadline", None)


@contextlib.contextmanager
def watching(seconds: float | None) -> Iterator[Deadline | None]:
    """Run one call under a deadline of ``seconds`` (None: no deadline)."""
    if seconds is None:
        yield None
        return
    deadline = Deadline(seconds)
    previous = current()
    _local.deadline = deadline
    timer = threading.Timer(max(0.0, seconds), deadline.fire)
    timer.daemon = True
    timer.start()
    try:
        yield deadline
    finally:
        timer.cancel()
        _local.deadline = previous


def _attach(connection: HTTPConnection) -> None:
    deadline = current()
    if deadline is not None:
        deadline.attach(connection)


class WatchedHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)


class WatchedHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """``requests``' adapter whose connections the call's deadline can shut down."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": WatchedHTTPConnectionPool,
            "https": WatchedHTTPSConnectionPool,
        }
