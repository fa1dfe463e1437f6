"""The HTTP side of ``MeetingsClient``: retries, typed errors, one logical call at a time.

One ``requests.Session`` (connection reuse) with urllib3's ``Retry`` mounted, connect and read
timeouts on every call, and a typed error for every failure: the network's
(:class:`~django_vonage_meetings.exceptions.MeetingsConnectionError`) and the service's, in
either of its two error shapes (:func:`error_from_response`).
"""

from __future__ import annotations

import logging
import platform
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NoReturn, cast
from urllib.parse import SplitResult, urlsplit

import requests
from requests.auth import AuthBase
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import InvalidHeader, MaxRetryError, ProtocolError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from .. import __version__
from ..exceptions import (
    DeadlineExceededError,
    MeetingsAPIError,
    MeetingsConnectionError,
    ResponseTooLargeError,
    api_error_class,
)
from .deadline import Deadline, DeadlineReached, watching
from .deadline import current as current_deadline

__all__ = [
    "IDEMPOTENT_METHODS",
    "USER_AGENT",
    "Limits",
    "MeetingsRetry",
    "WithoutAuthorization",
    "error_from_response",
    "s3_error",
    "send",
]

logger = logging.getLogger("django_vonage_meetings.client")

USER_AGENT: Final = f"django-vonage-meetings/{__version__} python/{platform.python_version()}"
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
#: PATCH is retried too: every PATCH of the API sets the given keys to the given values
#: (``update_details``), so sending it twice leaves the same state as sending it once.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
BODY_EXCERPT: Final = 500
#: Bytes read from a body at a time (decoded): the deadline and the size cap are checked
#: between chunks.
CHUNK: Final = 64 * 1024


class MeetingsRetry(Retry):
    """urllib3's ``Retry`` with the rules the service needs on top.

    - GET, PUT, DELETE and PATCH are retried on 429/500/502/503/504, read errors and connect
      errors. PATCH counts as idempotent here because every PATCH of this API replaces the
      given keys with the given values (``update_details``); a replay lands in the same state.
    - A non-idempotent request (POST) is retried only on 429, which the service answers before
      doing anything, and on connection errors raised before the request was sent (urllib3
      counts those as ``connect`` errors for every method). A 5xx or a read timeout on a POST
      may mean the room exists already, so it is never replayed.
    - A ``Retry-After`` (on 429, or on a 5xx that would be retried) longer than
      ``retry_after_limit`` is not waited for: the response is handed back and the client raises
      ``RateLimitError`` (or ``ServerError``) carrying the hint. A ``Retry-After`` that cannot
      be parsed is ignored in favour of the backoff rather than failing the call.
    """

    def __init__(self, *args: Any, retry_after_limit: float = 60.0, **kwargs: Any) -> None:
        # Not urllib3's own ``retry_after_max`` (2.6+), which waits the capped time and retries;
        # a service asking for a longer pause than the caller accepts should fail fast instead.
        self.retry_after_limit = retry_after_limit
        super().__init__(*args, **kwargs)

    def new(self, **kw: Any) -> MeetingsRetry:
        new = super().new(**kw)
        new.retry_after_limit = self.retry_after_limit
        return new

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code not in RETRY_STATUSES:
            return False
        if method.upper() not in IDEMPOTENT_METHODS and status_code != 429:
            return False
        return not (self.total is not None and self.total < 1)

    def _is_method_retryable(self, method: str) -> bool:
        # Read errors (the request may have been processed) are retried for idempotent methods
        # only; status retries are decided in is_retry above.
        return method.upper() in IDEMPOTENT_METHODS

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None

    def increment(
        self, method: str | None = None, url: str | None = None, *args: Any, **kwargs: Any
    ) -> MeetingsRetry:
        deadline = current_deadline()
        if deadline is not None:
            deadline.check()  # no retry past the call's deadline
        response = kwargs.get("response")
        if response is not None:
            retry_after = self.get_retry_after(response)
            if retry_after is not None and retry_after > self.retry_after_limit:
                # Give up now: with raise_on_status=False urllib3 hands the response back and
                # the client raises the typed error carrying the hint.
                pool = cast("ConnectionPool", kwargs.get("_pool"))
                raise MaxRetryError(pool, url or "", ResponseError("Retry-After too long"))
        return super().increment(method, url, *args, **kwargs)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        deadline = current_deadline()
        if deadline is not None:
            pause = self.get_retry_after(response) if response is not None else None
            if (pause or self.get_backoff_time()) >= deadline.remaining():
                raise DeadlineReached  # the retry would start after the deadline
        super().sleep(response)


class WithoutAuthorization(AuthBase):
    """Request auth that removes ``Authorization`` (the S3 step must not carry credentials).

    Set as the request's auth it also keeps a session's own ``auth`` and ``~/.netrc`` away.
    """

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.pop("Authorization", None)
        return request


def error_from_response(response: requests.Response, *, method: str, url: str) -> MeetingsAPIError:
    """Build the typed error for an error response, from either of the service's two shapes."""
    status = response.status_code
    cls = api_error_class(status)
    retry_after = _retry_after_seconds(response)
    fields: dict[str, Any] = {}
    body_text: str | None = None
    try:
        body = response.json()
    except ValueError:
        body = None
        body_text = (response.text or "").strip()[:BODY_EXCERPT] or None
    if isinstance(body, Mapping):
        if "message" in body or "name" in body:
            errors = body.get("errors")
            fields = {
                "name": _opt_str(body.get("name")),
                "message": _opt_str(body.get("message")),
                "errors": errors if isinstance(errors, list) else ([errors] if errors else None),
            }
        if "title" in body or "detail" in body:
            fields.update(
                title=_opt_str(body.get("title")),
                detail=_opt_str(body.get("detail")),
                type=_opt_str(body.get("type")),
                instance=_opt_str(body.get("instance")),
            )
        if not fields:
            body_text = str(body)[:BODY_EXCERPT]
    elif body is not None:
        body_text = str(body)[:BODY_EXCERPT]
    return cls(status, method=method, url=url, body=body_text, retry_after=retry_after, **fields)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _retry_after_seconds(response: requests.Response) -> float | None:
    header = response.headers.get("Retry-After")
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True)
class Limits:
    """The client's own bounds on one call (None: unbounded)."""

    deadline: float | None = None
    max_bytes: int | None = None


def _read_body(response: requests.Response, deadline: Deadline | None, limit: int | None) -> None:
    """Read the whole body now, in chunks, within the deadline and the size cap."""
    declared = response.headers.get("Content-Length", "")
    if limit is not None and declared.isdigit() and int(declared) > limit:
        raise ResponseTooLargeError(
            f"the answer announces {declared} bytes, more than {limit}",
            setting="MAX_RESPONSE_BYTES",
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:
            raise ResponseTooLargeError(
                f"the answer is larger than {limit} bytes", setting="MAX_RESPONSE_BYTES"
            )
        chunks.append(chunk)
        if deadline is not None:
            deadline.check()
    # requests has no public way to keep a body read in chunks: .content, .text and .json()
    # read these two attributes (as its own .content does); the stubs omit the second.
    response._content = b"".join(chunks)
    response._content_consumed = True  # type: ignore[attr-defined]


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: tuple[float, float],
    retries: int | bool | None,
    limits: Limits = Limits(),
    **kwargs: Any,
) -> requests.Response:
    """One logical call (urllib3 retries inside it); network failures become typed errors.

    The whole call, retries included, runs under ``limits.deadline`` (see ``api.deadline``),
    and the body is read here in chunks up to ``limits.max_bytes``.

    The DEBUG log line names method, path, status, attempts and time, never headers or
    query strings (presigned forms and tokens stay out of logs).
    """
    started = time.monotonic()
    parts = urlsplit(url)
    with watching(limits.deadline) as deadline:
        try:
            return _send(
                session,
                method,
                url,
                timeout=timeout,
                deadline=deadline,
                limits=limits,
                started=started,
                kwargs=kwargs,
            )
        except DeadlineReached:
            raise _too_slow(method, parts, limits) from None
        except requests.exceptions.RequestException as exc:
            if deadline is not None and deadline.expired:
                raise _too_slow(method, parts, limits) from exc
            _raise_connection_error(
                exc, method, parts, timeout=timeout, retries=retries, started=started
            )


def _too_slow(method: str, parts: SplitResult, limits: Limits) -> DeadlineExceededError:
    return DeadlineExceededError(
        f"{method} {parts.path} on {parts.netloc} did not finish within {limits.deadline}s",
        setting="CALL_DEADLINE",
    )


def _send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: tuple[float, float],
    deadline: Deadline | None,
    limits: Limits,
    started: float,
    kwargs: dict[str, Any],
) -> requests.Response:
    if deadline is not None:
        # No single wait may outlast the call either.
        left = max(deadline.remaining(), 0.001)
        timeout = (min(timeout[0], left), min(timeout[1], left))
    response = session.request(method, url, timeout=timeout, stream=True, **kwargs)
    try:
        _read_body(response, deadline, limits.max_bytes)
    finally:
        response.close()  # the body is read (or abandoned): the connection goes back
    history = getattr(response.raw, "retries", None)
    attempts = len(history.history) + 1 if isinstance(history, Retry) else 1
    logger.debug(
        "%s %s -> %s after %d attempt(s) in %.0f ms",
        method,
        urlsplit(url).path,
        response.status_code,
        attempts,
        (time.monotonic() - started) * 1000,
    )
    return response


def _raise_connection_error(
    exc: requests.exceptions.RequestException,
    method: str,
    parts: SplitResult,
    *,
    timeout: tuple[float, float],
    retries: int | bool | None,
    started: float,
) -> NoReturn:
    """The typed error for a network failure (after urllib3's retries)."""
    elapsed = (time.monotonic() - started) * 1000
    logger.debug("%s %s failed in %.0f ms: %s", method, parts.path, elapsed, type(exc))
    if isinstance(exc, requests.exceptions.Timeout):
        which = "connect" if isinstance(exc, requests.exceptions.ConnectTimeout) else "read"
        raise MeetingsConnectionError(
            f"{method} {parts.path} on {parts.netloc} timed out ({which} timeout; "
            f"connect {timeout[0]}s, read {timeout[1]}s, "
            f"up to {retries} retries)"
        ) from exc
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    if isinstance(reason, ProtocolError):
        replay = "retried" if method.upper() in IDEMPOTENT_METHODS else "not replayed"
        raise MeetingsConnectionError(
            f"the connection to {parts.netloc} broke during {method} {parts.path}; the "
            f"service may have received the request ({replay}): {reason}"
        ) from exc
    raise MeetingsConnectionError(
        f"could not reach {parts.netloc} ({method} {parts.path}, up to {retries} retries): {exc}"
    ) from exc


def s3_error(text: str) -> tuple[str | None, str | None]:
    """``<Error><Code>..</Code><Message>..</Message></Error>`` -> (code, message)."""
    if not text or "<" not in text:
        return None, (text or "").strip()[:BODY_EXCERPT] or None
    try:
        root = ET.fromstring(text[:65536])  # noqa: S314 - S3's error XML has no entities
    except ET.ParseError:
        return None, text.strip()[:BODY_EXCERPT]
    return root.findtext("Code"), root.findtext("Message")
