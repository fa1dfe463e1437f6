"""Serve a request with this project's own URLconf, in process, the way Django's test client
handler does, minus what would disturb the caller's database connection.

Used for the client's calls to the simulator and the simulator's callbacks to the app's webhook
view while ``VONAGE_MEETINGS["SIMULATE"]`` is on. Three things matter:

- ``request_started`` and ``request_finished`` are not sent (nor is ``HttpResponse.close()``
  called, which sends the latter): their receiver ``close_old_connections`` would close the
  connection the caller is using, in the middle of its transaction (a test's, say).
- ``BaseHandler.get_response`` leaves the URLconf of the request set on the thread; the
  caller's is restored after every call, so nested calls (a signal receiver calling the API
  while its callback is being delivered) each see their own.
- The request was never on a network, so its host is the one the caller named rather than one
  ``ALLOWED_HOSTS`` has to permit, and it carries a WSGI environ key (which no HTTP header can
  produce) that says it came from this process.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.urls import get_urlconf, set_urlconf

from ..conf import IN_PROCESS

__all__ = ["IN_PROCESS", "ORIGIN", "Served", "in_process", "post_in_process", "serve"]

#: WSGI environ key with the origin the simulator builds links on ("" for site-relative links).
ORIGIN = "django_vonage_meetings.origin"


class _Request(WSGIRequest):
    """A request built here: its host is what the caller named, not something to validate."""

    def __init__(self, environ: dict[str, Any], host: str) -> None:
        super().__init__(environ)
        self._in_process_host = host
        # Like the test client: CSRF protects browsers' cookies, and there are none here.
        self._dont_enforce_csrf_checks = True

    def get_host(self) -> str:
        return self._in_process_host


class _Handler(BaseHandler):
    pass


_handlers: dict[tuple[str, ...], _Handler] = {}
_handlers_lock = threading.Lock()


def _handler() -> _Handler:
    """One handler per middleware list (tests may change ``MIDDLEWARE``)."""
    key = tuple(settings.MIDDLEWARE)
    handler = _handlers.get(key)
    if handler is None:
        with _handlers_lock:
            handler = _handlers.get(key)
            if handler is None:
                handler = _Handler()
                handler.load_middleware()
                _handlers[key] = handler
    return handler


class Served:
    """What the project answered: status, headers and the whole body."""

    def __init__(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body


def serve(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    origin: str | None = None,
) -> Served:
    """Answer one request with the project's URLconf and middleware, in this thread."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    host = parts.netloc or "localhost"
    port = str(parts.port or (443 if secure else 80))
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method.upper(),
        "SCRIPT_NAME": "",
        # WSGI carries the path as bytes decoded as latin-1.
        "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("iso-8859-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https" if secure else "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multiprocess": False,
        "wsgi.multithread": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
        IN_PROCESS: True,
    }
    if origin is not None:
        environ[ORIGIN] = origin
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        elif value is not None:
            environ[f"HTTP_{key}"] = value
    request = _Request(environ, host)
    previous = get_urlconf()
    try:
        response = _handler().get_response(request)
        content = _content(response)
    finally:
        set_urlconf(previous)
    return Served(response.status_code, response.reason_phrase, list(response.items()), content)


def _content(response: HttpResponseBase) -> bytes:
    """The whole body; then release what the response holds, as ``close()`` would, without
    the ``request_finished`` signal."""
    try:
        if isinstance(response, StreamingHttpResponse):
            # Sync views answer sync iterators; the simulator has no async views.
            return b"".join(bytes(chunk) for chunk in response)
        if isinstance(response, HttpResponse):
            return response.content
        return b""
    finally:
        for closer in getattr(response, "_resource_closers", []):
            with contextlib.suppress(Exception):  # as HttpResponseBase.close() does
                closer()
        response.closed = True


def post_in_process(url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
    """Deliver a callback in process: its status code and an error text ("" when accepted).

    As over HTTP, what the receiver answered is not kept, only whether it accepted.
    """
    served = serve("POST", url, headers, body)
    if 200 <= served.status < 300:
        return served.status, ""
    return served.status, f"HTTP {served.status}"


def in_process(request: Any) -> bool:
    """Whether a request was made here rather than received over a network."""
    return bool(getattr(request, "META", {}).get(IN_PROCESS))
