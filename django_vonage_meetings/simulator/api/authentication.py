"""Request authentication as the service's gateway did it: an RS256 application JWT.

The token names its application (``application_id`` claim); the registered public key of that
application must verify it; ``iat`` and ``jti`` are required; a token without ``exp`` lives
15 minutes and none may live longer than 24 hours (the Vonage JWT rules). Anything else is a
401 in the gateway shape.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Any

import jwt
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from ..errors import missing_auth, unauthorized
from ..models import Application

DEFAULT_LIFETIME = 15 * 60
MAX_LIFETIME = 24 * 60 * 60
LEEWAY = 30


@functools.lru_cache(maxsize=64)
def _public_key(pem: str) -> Any:
    """Parsed public keys, cached by their PEM text (parsing on every call is wasted work)."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(pem.encode())


def authenticate(authorization: str | None) -> Application:
    """Return the application whose JWT this is, or raise the gateway's 401."""
    if not authorization:
        raise missing_auth()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    token = token.strip()
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise unauthorized() from None
    application_id = unverified.get("application_id")
    if not isinstance(application_id, str) or not application_id:
        raise unauthorized()
    application = Application.objects.filter(application_id=application_id).first()
    if application is None:
        raise unauthorized()
    try:
        claims = jwt.decode(
            token,
            _public_key(application.public_key),
            algorithms=["RS256"],
            options={"require": ["iat", "jti", "application_id"]},
            leeway=LEEWAY,
        )
    except (jwt.PyJWTError, ValueError):
        raise unauthorized() from None
    now = time.time()
    issued = claims["iat"]
    if not isinstance(issued, int | float) or issued > now + LEEWAY:
        raise unauthorized()
    expires = claims.get("exp", issued + DEFAULT_LIFETIME)
    if expires - issued > MAX_LIFETIME or expires < now - LEEWAY:
        raise unauthorized()
    return application


@dataclass(frozen=True)
class ApplicationUser:
    """``request.user`` of an authenticated API call: the calling application, not a person."""

    application: Application
    is_authenticated = True
    is_anonymous = False

    def __str__(self) -> str:
        return self.application.application_id


class ApplicationJWTAuthentication(BaseAuthentication):
    """DRF authentication: the gateway's RS256 application JWT, or the gateway's 401.

    Every failure raises :class:`~.errors.GatewayError` (not DRF's ``AuthenticationFailed``) so
    the body has the gateway's shape and messages; ``request.auth`` is the :class:`Application`.
    """

    def authenticate(self, request: Request) -> tuple[ApplicationUser, Application]:
        application = authenticate(request.META.get("HTTP_AUTHORIZATION"))
        return ApplicationUser(application), application

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"
