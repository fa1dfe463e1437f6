"""A ``requests`` adapter that answers the client's calls with the simulator, in process.

Mounted on a ``MeetingsClient``'s session for the simulator's URL prefix while
``VONAGE_MEETINGS["SIMULATE"]`` is on. It keeps what the client relies on over HTTP: the same
``MeetingsRetry`` decides retries on 429/5xx with the same backoff and ``Retry-After`` rules, an
answer slower than the read timeout (the simulator's injected delays) counts as a read timeout
and is retried only where HTTP would retry it, and ``response.raw.retries`` holds the history.
After every call the callbacks it caused are delivered, so their signals have fired when the
client returns.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPHeaderDict
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.response import HTTPResponse
from urllib3.util.retry import Retry

from .dispatch import serve

__all__ = ["InProcessAdapter"]


class InProcessAdapter(BaseAdapter):
    """Serve requests with this project's URLconf instead of a socket."""

    def __init__(
        self,
        retry: Retry,
        *,
        origin: str,
        after_call: Callable[[], object] | None = None,
        before_call: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        self.retry = retry
        self.origin = origin
        self.after_call = after_call
        self.before_call = before_call

    def send(  # noqa: PLR0917 - requests' adapter interface passes these positionally
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        method = str(request.method or "GET")
        url = str(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        retries = self.retry.new() if isinstance(self.retry, Retry) else Retry.from_int(self.retry)
        if self.before_call is not None:
            self.before_call()
        try:
            while True:
                started = time.monotonic()
                served = serve(method, url, dict(request.headers), body, origin=self.origin)
                raw = HTTPResponse(
                    body=io.BytesIO(served.body),
                    headers=HTTPHeaderDict(served.headers),
                    status=served.status,
                    reason=served.reason,
                    preload_content=False,
                    retries=retries,
                )
                if read_timeout is not None and time.monotonic() - started > read_timeout:
                    error = ReadTimeoutError(
                        cast(Any, None), url, f"Read timed out. ({read_timeout})"
                    )
                    try:
                        retries = retries.increment(method, url, error=error)
                    except MaxRetryError:
                        raise requests.exceptions.ReadTimeout(error, request=request) from None
                    except ReadTimeoutError:  # not retried for this method
                        raise requests.exceptions.ReadTimeout(error, request=request) from None
                    retries.sleep()
                    continue
                if retries.is_retry(method, served.status, "Retry-After" in raw.headers):
                    try:
                        retries = retries.increment(method, url, response=raw)
                    except MaxRetryError:
                        return self._response(request, served, raw)
                    retries.sleep(raw)
                    continue
                return self._response(request, served, raw)
        finally:
            if self.after_call is not None:
                self.after_call()

    def _response(
        self, request: requests.PreparedRequest, served: Any, raw: HTTPResponse
    ) -> requests.Response:
        response = requests.Response()
        response.status_code = served.status
        response.reason = served.reason
        response.headers = CaseInsensitiveDict(served.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        # The body is read from raw, as from a socket: streamed (with the client's deadline and
        # size cap) or all at once.
        response.raw = raw
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass
