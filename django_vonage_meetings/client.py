"""``MeetingsClient``: the Meetings API over HTTP, and nothing else.

It returns the API's decoded JSON (snake_case dicts, ``_links`` kept) and knows nothing of models;
``services.py`` turns answers into rows. It speaks the wire exactly as the service did and reads
it as leniently as the service answered (see ``../shared/meetings-api.md`` in the project).

Robustness lives in the transport: one ``requests.Session`` (connection reuse) with urllib3's
``Retry`` mounted, connect and read timeouts on every call, and typed errors for every failure.
"""

from __future__ import annotations

import logging
import platform
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, cast
from urllib.parse import parse_qs, quote, urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import InvalidHeader, MaxRetryError, ProtocolError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from . import __version__, validation
from .auth import ApplicationJWTAuth, ApplicationTokenSource
from .conf import load_private_key, meetings_settings
from .exceptions import (
    LogoUploadError,
    MeetingsAPIError,
    MeetingsConfigurationError,
    MeetingsConnectionError,
    MeetingsValidationError,
    api_error_class,
)

__all__ = ["MeetingsClient", "MeetingsRetry", "error_from_response"]

logger = logging.getLogger("django_vonage_meetings.client")

USER_AGENT: Final = f"django-vonage-meetings/{__version__} python/{platform.python_version()}"
API_PREFIX: Final = "/v1/meetings"
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
#: PATCH is retried too: every PATCH of the API sets the given keys to the given values
#: (``update_details``), so sending it twice leaves the same state as sending it once.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
_BODY_EXCERPT: Final = 500


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
        response = kwargs.get("response")
        if response is not None:
            retry_after = self.get_retry_after(response)
            if retry_after is not None and retry_after > self.retry_after_limit:
                # Give up now: with raise_on_status=False urllib3 hands the response back and
                # the client raises the typed error carrying the hint.
                pool = cast("ConnectionPool", kwargs.get("_pool"))
                raise MaxRetryError(pool, url or "", ResponseError("Retry-After too long"))
        return super().increment(method, url, *args, **kwargs)


class _WithoutAuthorization(AuthBase):
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
        body_text = (response.text or "").strip()[:_BODY_EXCERPT] or None
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
            body_text = str(body)[:_BODY_EXCERPT]
    elif body is not None:
        body_text = str(body)[:_BODY_EXCERPT]
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


def _segment(name: str, value: Any) -> str:
    """One path segment from an id, quoted so an id can never reach another endpoint."""
    text = str(value) if value is not None else ""
    if not text.strip():
        raise MeetingsValidationError({name: ["This field is required."]})
    return quote(text, safe="")


def _normalise_room(room: dict[str, Any]) -> dict[str, Any]:
    """The service answered ``joinApprovalLevel`` in early 2023; hand out one spelling."""
    if "joinApprovalLevel" in room:
        room.setdefault("join_approval_level", room.pop("joinApprovalLevel"))
    return room


def _embedded_rooms(page: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``_embedded`` is an array in reality; the spec (and PHP) showed ``{"rooms": [...]}``."""
    embedded = page.get("_embedded")
    if isinstance(embedded, Mapping):
        embedded = embedded.get("rooms")
    if not isinstance(embedded, list):
        return []
    return [_normalise_room(room) for room in embedded if isinstance(room, dict)]


def _next_query(page: Mapping[str, Any]) -> dict[str, str] | None:
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


class MeetingsClient:
    """A client for the Vonage Meetings API (method names follow the official Node SDK).

    Build it from settings with :meth:`from_settings`, or directly::

        client = MeetingsClient(application_id="...", private_key="/path/private.key")
        room = client.create_room({"display_name": "Weekly", "type": "instant"})

    One client may be shared between threads. Close it (or use it as a context manager) to
    release pooled connections.
    """

    def __init__(
        self,
        application_id: str,
        private_key: str | bytes | Path | RSAPrivateKey,
        api_host: str = "https://api-eu.vonage.com",
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        max_retries: int = 3,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        retry_after_max: float = 60.0,
        jwt_ttl: int = 300,
        session: requests.Session | None = None,
    ) -> None:
        if not isinstance(application_id, str) or not application_id.strip():
            raise MeetingsValidationError({"application_id": ["This field is required."]})
        host = urlsplit(api_host.strip()) if isinstance(api_host, str) else None
        if host is None or host.scheme not in ("http", "https") or not host.netloc:
            raise MeetingsValidationError(
                {"api_host": ["Must be an http(s) URL such as 'https://api-eu.vonage.com'."]}
            )
        try:
            key = load_private_key("PRIVATE_KEY", private_key)
        except MeetingsConfigurationError as exc:
            # The loader speaks of the setting; here it was an argument.
            raise MeetingsValidationError({"private_key": [exc.problem]}) from None
        self.application_id = application_id.strip()
        self.api_host = api_host.strip().rstrip("/")
        self.timeout = (connect_timeout, timeout)
        self._tokens = ApplicationTokenSource(self.application_id, key, ttl=jwt_ttl)
        # urllib3 resends the same Authorization header on every retry, so the token must
        # outlive the longest the retries may take (the source caps this at half its life).
        retry_window = max_retries * max(retry_after_max, backoff_max) + (max_retries + 1) * (
            connect_timeout + timeout
        )
        self._auth = ApplicationJWTAuth(self._tokens, min_valid=retry_window)
        self.retry = MeetingsRetry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=0,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            status_forcelist=sorted(RETRY_STATUSES),
            allowed_methods=None,
            respect_retry_after_header=True,
            raise_on_status=False,
            retry_after_limit=retry_after_max,
        )
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self._adapter = HTTPAdapter(max_retries=self.retry, pool_connections=4, pool_maxsize=16)
        self.session.mount("https://", self._adapter)
        self.session.mount("http://", self._adapter)

    @classmethod
    def from_settings(cls, **overrides: Any) -> MeetingsClient:
        """A client configured from ``settings.VONAGE_MEETINGS`` (read now, validated)."""
        s = meetings_settings
        options: dict[str, Any] = {
            "application_id": s.APPLICATION_ID,
            "private_key": s.PRIVATE_KEY,
            "api_host": s.API_HOST,
            "timeout": s.TIMEOUT,
            "connect_timeout": s.CONNECT_TIMEOUT,
            "max_retries": s.MAX_RETRIES,
            "backoff_factor": s.RETRY_BACKOFF,
            "retry_after_max": s.RETRY_AFTER_MAX,
            "jwt_ttl": s.JWT_TTL,
        }
        options.update(overrides)
        return cls(**options)

    def __repr__(self) -> str:
        return f"<MeetingsClient application_id={self.application_id!r} api_host={self.api_host!r}>"

    def close(self) -> None:
        """Release pooled connections (and the session, when the client made it)."""
        if self._owns_session:
            self.session.close()
        else:
            self._adapter.close()

    def __enter__(self) -> MeetingsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.api_host}{API_PREFIX}{path}"

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        url = self.url(path)
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if json is not None:
            headers["Content-Type"] = "application/json"
        response = self._send(
            method, url, headers=headers, params=params, json=json, auth=self._auth
        )
        if response.status_code >= 400:
            raise error_from_response(response, method=method, url=url)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            # finalizeLogos answered a plain "OK"; anything else non-JSON on success is odd
            # but not an error of the request.
            return response.text

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One logical call (urllib3 retries inside it); network failures become typed errors.

        The DEBUG log line names method, path, status, attempts and time, never headers or
        query strings (presigned forms and tokens stay out of logs).
        """
        started = time.monotonic()
        parts = urlsplit(url)
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.RequestException as exc:
            elapsed = (time.monotonic() - started) * 1000
            logger.debug("%s %s failed in %.0f ms: %s", method, parts.path, elapsed, type(exc))
            if isinstance(exc, requests.exceptions.Timeout):
                which = "connect" if isinstance(exc, requests.exceptions.ConnectTimeout) else "read"
                raise MeetingsConnectionError(
                    f"{method} {parts.path} on {parts.netloc} timed out ({which} timeout; "
                    f"connect {self.timeout[0]}s, read {self.timeout[1]}s, "
                    f"up to {self.retry.total} retries)"
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
                f"could not reach {parts.netloc} ({method} {parts.path}, up to "
                f"{self.retry.total} retries): {exc}"
            ) from exc
        retries = getattr(response.raw, "retries", None)
        attempts = len(retries.history) + 1 if isinstance(retries, Retry) else 1
        logger.debug(
            "%s %s -> %s after %d attempt(s) in %.0f ms",
            method,
            parts.path,
            response.status_code,
            attempts,
            (time.monotonic() - started) * 1000,
        )
        return response

    def _object(self, answer: Any, method: str, path: str) -> dict[str, Any]:
        """The JSON object an endpoint answers; anything else (an HTML page from a proxy) is
        an error rather than a string handed on as if it were a room."""
        if isinstance(answer, dict):
            return answer
        raise MeetingsAPIError(
            200,
            method=method,
            url=self.url(path),
            message=f"expected a JSON object, got {str(answer)[:_BODY_EXCERPT]!r}",
        )

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        seen: set[tuple[tuple[str, str], ...]] = set()
        query: dict[str, Any] = {k: v for k, v in params.items() if v is not None}
        while True:
            key = tuple(sorted((k, str(v)) for k, v in query.items()))
            if key in seen:
                return
            seen.add(key)
            page = self._object(self._request("GET", path, params=query), "GET", path)
            rooms = _embedded_rooms(page)
            yield page
            if not rooms:
                return
            nxt = _next_query(page)
            if nxt is None:
                return
            if "page_size" in query and "page_size" not in nxt:
                nxt["page_size"] = query["page_size"]
            query = nxt

    # -- rooms -------------------------------------------------------------------------------

    def get_room_page(
        self,
        page_size: int | None = None,
        start_id: int | str | None = None,
        end_id: int | str | None = None,
    ) -> dict[str, Any]:
        params = {"page_size": page_size, "start_id": start_id, "end_id": end_id}
        page = self._request(
            "GET", "/rooms", params={k: v for k, v in params.items() if v is not None}
        )
        return _normalise_page(self._object(page, "GET", "/rooms"))

    def get_rooms(self, page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Every room, page by page, following ``_links.next`` until there is none."""
        for page in self._pages("/rooms", {"page_size": page_size}):
            yield from _embedded_rooms(page)

    def iter_room_pages(self, page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Every page of rooms (for callers that work a page at a time, like the sync)."""
        for page in self._pages("/rooms", {"page_size": page_size}):
            yield _normalise_page(page)

    def get_room(self, room_id: str) -> dict[str, Any]:
        path = f"/rooms/{_segment('room_id', room_id)}"
        return _normalise_room(self._object(self._request("GET", path), "GET", path))

    def create_room(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Create a room (checked locally first). Never retried after it may have arrived."""
        body = validation.validate_room_create(data)
        answer = self._request("POST", "/rooms", json=body)
        return _normalise_room(self._object(answer, "POST", "/rooms"))

    def update_room(self, room_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH a room; ``data`` is wrapped in ``update_details`` unless it already is."""
        path = f"/rooms/{_segment('room_id', room_id)}"
        body = {"update_details": validation.validate_room_update(_unwrap(data))}
        answer = self._request("PATCH", path, json=body)
        return _normalise_room(self._object(answer, "PATCH", path))

    # -- themes ------------------------------------------------------------------------------

    def get_themes(self) -> list[dict[str, Any]]:
        answer = self._request("GET", "/themes")
        # An application without themes got `{}` from the service (and `[]` from Node's stubs).
        return list(answer) if isinstance(answer, list) else []

    def get_theme(self, theme_id: str) -> dict[str, Any]:
        path = f"/themes/{_segment('theme_id', theme_id)}"
        return self._object(self._request("GET", path), "GET", path)

    def create_theme(self, data: Mapping[str, Any]) -> dict[str, Any]:
        body = validation.validate_theme_create(data)
        return self._object(self._request("POST", "/themes", json=body), "POST", "/themes")

    def update_theme(self, theme_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH a theme; ``data`` is wrapped in ``update_details`` unless it already is."""
        path = f"/themes/{_segment('theme_id', theme_id)}"
        body = {"update_details": validation.validate_theme_update(_unwrap(data))}
        return self._object(self._request("PATCH", path, json=body), "PATCH", path)

    def delete_theme(self, theme_id: str, force: bool = False) -> None:
        """Delete a theme; ``force=True`` (sent only then) also detaches it from rooms."""
        params = {"force": "true"} if force else None
        self._request("DELETE", f"/themes/{_segment('theme_id', theme_id)}", params=params)

    def get_rooms_for_theme_page(
        self,
        theme_id: str,
        page_size: int | None = None,
        start_id: int | str | None = None,
        end_id: int | str | None = None,
    ) -> dict[str, Any]:
        path = f"/themes/{_segment('theme_id', theme_id)}/rooms"
        params = {"page_size": page_size, "start_id": start_id, "end_id": end_id}
        page = self._request("GET", path, params={k: v for k, v in params.items() if v is not None})
        return _normalise_page(self._object(page, "GET", path))

    def get_rooms_for_theme(
        self, theme_id: str, page_size: int | None = None
    ) -> Iterator[dict[str, Any]]:
        path = f"/themes/{_segment('theme_id', theme_id)}/rooms"
        for page in self._pages(path, {"page_size": page_size}):
            yield from _embedded_rooms(page)

    def set_default_theme(self, theme_id: str | None) -> dict[str, Any]:
        """Make a theme the application's default (``None`` clears it); returns the application."""
        body = {"update_details": {"default_theme_id": theme_id}}
        answer = self._request("PATCH", "/applications", json=body)
        return self._object(answer, "PATCH", "/applications")

    # -- logos -------------------------------------------------------------------------------

    def get_logo_upload_urls(self) -> list[dict[str, Any]]:
        answer = self._request("GET", "/themes/logos-upload-urls")
        return list(answer) if isinstance(answer, list) else []

    def upload_logo_to_s3(
        self, form: Mapping[str, Any], content: bytes, filename: str = "logo.png"
    ) -> None:
        """POST the image to the presigned form: every field first, the file last, no auth."""
        url = str(form["url"])
        fields = form.get("fields") or {}
        parts: list[tuple[str, tuple[str | None, Any, str | None]]] = [
            (str(name), (None, str(value), None)) for name, value in fields.items()
        ]
        parts.append(("file", (filename, content, "image/png")))
        # A presigned form authenticates itself: no Authorization header, no session auth.
        response = self._send(
            "POST",
            url,
            files=parts,
            headers={"User-Agent": USER_AGENT, "Authorization": None},
            auth=_WithoutAuthorization(),
        )
        if response.status_code in (200, 201, 204):
            return
        code, message = _s3_error(response.text)
        raise LogoUploadError(
            response.status_code,
            method="POST",
            url=url.split("?", maxsplit=1)[0],
            name=code or "S3Error",
            message=message or f"the logo upload was refused with HTTP {response.status_code}",
        )

    def finalize_logos(self, theme_id: str, keys: list[str]) -> None:
        """Attach uploaded logos to a theme (the service answered a bare ``OK``)."""
        path = f"/themes/{_segment('theme_id', theme_id)}/finalizeLogos"
        self._request("PUT", path, json={"keys": list(keys)})

    def upload_icon(self, theme_id: str, logo_type: str, file: str | Path | IO[bytes]) -> str:
        """Upload one logo to a theme in the service's three steps; return its storage key."""
        content, filename = validation.read_logo(file, logo_type)
        forms = self.get_logo_upload_urls()
        form = next(
            (f for f in forms if (f.get("fields") or {}).get("logoType") == logo_type), None
        )
        if form is None:
            raise MeetingsAPIError(
                200,
                method="GET",
                url=self.url("/themes/logos-upload-urls"),
                message=f"the service offered no upload form for logo type {logo_type!r}",
            )
        self.upload_logo_to_s3(form, content, filename)
        key = str(form["fields"]["key"])
        self.finalize_logos(theme_id, [key])
        return key

    # -- recordings, sessions, numbers -------------------------------------------------------

    def get_recording(self, recording_id: str) -> dict[str, Any]:
        path = f"/recordings/{_segment('recording_id', recording_id)}"
        return self._object(self._request("GET", path), "GET", path)

    def delete_recording(self, recording_id: str) -> None:
        self._request("DELETE", f"/recordings/{_segment('recording_id', recording_id)}")

    def get_session_recordings(self, session_id: str) -> list[dict[str, Any]]:
        path = f"/sessions/{_segment('session_id', session_id)}/recordings"
        answer = self._request("GET", path)
        embedded = answer.get("_embedded") if isinstance(answer, Mapping) else None
        recordings = embedded.get("recordings") if isinstance(embedded, Mapping) else embedded
        return list(recordings) if isinstance(recordings, list) else []

    def get_dial_in_numbers(self) -> list[dict[str, Any]]:
        answer = self._request("GET", "/dial-in-numbers")
        return list(answer) if isinstance(answer, list) else []


def _normalise_page(page: dict[str, Any]) -> dict[str, Any]:
    embedded = page.get("_embedded")
    if isinstance(embedded, Mapping):
        embedded = embedded.get("rooms")
    if isinstance(embedded, list):
        for room in embedded:
            if isinstance(room, dict):
                _normalise_room(room)
    return page


def _unwrap(data: Mapping[str, Any]) -> dict[str, Any]:
    """Accept a body already wrapped in ``update_details`` (as PY3 callers wrote it)."""
    if set(data) == {"update_details"} and isinstance(data["update_details"], Mapping):
        return dict(data["update_details"])
    return dict(data)


def _s3_error(text: str) -> tuple[str | None, str | None]:
    """``<Error><Code>..</Code><Message>..</Message></Error>`` -> (code, message)."""
    if not text or "<" not in text:
        return None, (text or "").strip()[:_BODY_EXCERPT] or None
    try:
        root = ET.fromstring(text[:65536])  # noqa: S314 - S3's error XML has no entities
    except ET.ParseError:
        return None, text.strip()[:_BODY_EXCERPT]
    return root.findtext("Code"), root.findtext("Message")
