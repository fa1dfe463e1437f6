"""Application JWTs that authenticate requests to the Meetings API.

Every request carries ``Authorization: Bearer <JWT>``, signed RS256 with the application's
private key (claims ``application_id``, ``iat``, ``jti`` and a short ``exp``). Signing costs an
RSA operation, so one token is reused until shortly before it expires; the source is thread-safe
because one client is shared by every request thread of a process.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from requests import PreparedRequest
from requests.auth import AuthBase

__all__ = ["ApplicationJWTAuth", "ApplicationTokenSource", "make_application_jwt"]

#: The service refused application JWTs that lived longer than a day.
MAX_JWT_TTL = 24 * 60 * 60
MIN_JWT_TTL = 60


def make_application_jwt(
    application_id: str,
    private_key: RSAPrivateKey,
    *,
    ttl: int,
    now: float | None = None,
    jti: str | None = None,
) -> str:
    """Sign an application JWT as the Vonage SDKs did: RS256; application_id, iat, jti, exp."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "application_id": application_id,
        "iat": issued,
        "jti": jti or str(uuid.uuid4()),
        "exp": issued + ttl,
    }
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"typ": "JWT"})


class ApplicationTokenSource:
    """Hands out an application JWT, minting a new one only when the current one nears expiry.

    The margin (10 % of the lifetime, at most 30 s) covers clock skew and the time a request
    spends in flight and in retries, so the service never sees a token that expired on the way.
    """

    def __init__(
        self,
        application_id: str,
        private_key: RSAPrivateKey,
        *,
        ttl: int = 300,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not MIN_JWT_TTL <= ttl <= MAX_JWT_TTL:
            raise ValueError(
                f"ttl must be between {MIN_JWT_TTL} and {MAX_JWT_TTL} seconds "
                f"(the service refused JWTs living longer than a day), got {ttl}"
            )
        self.application_id = application_id
        self._private_key = private_key
        self.ttl = ttl
        self._clock = clock
        self._margin = min(30.0, ttl * 0.1)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def token(self, min_valid: float = 0.0) -> str:
        """The current token, or a new one if it expires within the margin or ``min_valid``.

        ``min_valid`` (capped at half the lifetime) lets a caller whose request may be resent
        for a while (retries resend the same header) ask for a token that outlives them.
        """
        margin = max(self._margin, min(min_valid, self.ttl / 2))
        now = self._clock()
        with self._lock:
            if self._token is None or now >= self._expires_at - margin:
                self._token = make_application_jwt(
                    self.application_id, self._private_key, ttl=self.ttl, now=now
                )
                self._expires_at = int(now) + self.ttl
            return self._token

    def __repr__(self) -> str:
        return f"<ApplicationTokenSource application_id={self.application_id!r} ttl={self.ttl}>"


class ApplicationJWTAuth(AuthBase):
    """``requests`` auth that sets ``Authorization: Bearer <application JWT>``.

    Given as the ``auth`` of each request (rather than as a header) so that neither a session's
    own ``auth`` nor a ``~/.netrc`` entry can replace the token: requests applies request auth
    last and skips netrc when it is set.
    """

    def __init__(self, tokens: ApplicationTokenSource, *, min_valid: float = 0.0) -> None:
        self.tokens = tokens
        self.min_valid = min_valid

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.tokens.token(self.min_valid)}"
        return request

    def __repr__(self) -> str:
        return f"<ApplicationJWTAuth application_id={self.tokens.application_id!r}>"
