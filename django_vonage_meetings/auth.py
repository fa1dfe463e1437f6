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

__all__ = ["ApplicationTokenSource", "make_application_jwt"]


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
        if ttl < 60:
            raise ValueError("ttl must be at least 60 seconds")
        self.application_id = application_id
        self._private_key = private_key
        self.ttl = ttl
        self._clock = clock
        self._margin = min(30.0, ttl * 0.1)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def token(self) -> str:
        now = self._clock()
        with self._lock:
            if self._token is None or now >= self._expires_at - self._margin:
                self._token = make_application_jwt(
                    self.application_id, self._private_key, ttl=self.ttl, now=now
                )
                self._expires_at = int(now) + self.ttl
            return self._token

    def __repr__(self) -> str:
        return f"<ApplicationTokenSource application_id={self.application_id!r} ttl={self.ttl}>"
