"""What every call of ``MeetingsClient`` goes through: its application JWT, one
``requests.Session`` with the retrying, deadline-keeping adapter, and the decoding of an answer
into JSON or a typed error. The endpoints themselves are in ``api.client``."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from ..conf import load_private_key
from ..exceptions import MeetingsAPIError, MeetingsConfigurationError, MeetingsValidationError
from .auth import ApplicationJWTAuth, ApplicationTokenSource
from .deadline import DeadlineAdapter
from .pages import walk_pages
from .transport import (
    BODY_EXCERPT,
    RETRY_STATUSES,
    USER_AGENT,
    Limits,
    MeetingsRetry,
    error_from_response,
    send,
)

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["API_PREFIX", "ClientBase"]

logger = logging.getLogger("django_vonage_meetings.client")

API_PREFIX: Final = "/v1/meetings"


class ClientBase:
    """The plumbing of :class:`~django_vonage_meetings.client.MeetingsClient`: credentials,
    session, retries, limits, and one request turned into decoded JSON or a typed error."""

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
        deadline: float | None = 120.0,
        max_pages: int | None = 10_000,
        max_response_bytes: int | None = 32 * 1024 * 1024,
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
        # Bounds of one call and of one listing (None: unbounded); see api.deadline.
        self.limits = Limits(deadline=deadline, max_bytes=max_response_bytes)
        self.max_pages = max_pages
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
        self._adapter = DeadlineAdapter(max_retries=self.retry, pool_connections=4, pool_maxsize=16)
        #: Answered in this process (the embedded simulator): callers that would fetch in a
        #: second thread (the sync's prefetch) must not, as that thread's database connection
        #: would not see the caller's transaction.
        self.in_process = False
        self.session.mount("https://", self._adapter)
        self.session.mount("http://", self._adapter)

    def __repr__(self) -> str:
        return f"<MeetingsClient application_id={self.application_id!r} api_host={self.api_host!r}>"

    def close(self) -> None:
        """Release pooled connections (and the session, when the client made it)."""
        if self._owns_session:
            self.session.close()
        else:
            self._adapter.close()

    def __enter__(self) -> Self:
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
        return send(
            self.session,
            method,
            url,
            timeout=self.timeout,
            retries=self.retry.total,
            limits=self.limits,
            **kwargs,
        )

    def _object(self, answer: Any, method: str, path: str) -> dict[str, Any]:
        """The JSON object an endpoint answers; anything else (an HTML page from a proxy) is
        an error rather than a string handed on as if it were a room."""
        if isinstance(answer, dict):
            return answer
        raise MeetingsAPIError(
            200,
            method=method,
            url=self.url(path),
            message=f"expected a JSON object, got {str(answer)[:BODY_EXCERPT]!r}",
        )

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        def fetch(query: dict[str, Any]) -> dict[str, Any]:
            return self._object(self._request("GET", path, params=query), "GET", path)

        return walk_pages(fetch, params, max_pages=self.max_pages)
