"""How a callback proves it came from the API: a signed JWT, or a signed URL.

1. **The Vonage signed-webhook JWT.** ``Authorization: Bearer <JWT>``, HS256 with the signature
   secret; claims ``iat``, ``jti``, ``payload_hash`` (SHA-256 hex of the raw body), usually
   ``iss`` and ``application_id``. Any one of ``SIGNATURE_SECRETS`` verifies it (rotation); its
   ``iat`` must lie within ``WEBHOOK_MAX_AGE`` (``WEBHOOK_CLOCK_SKEW`` in the future at most); its
   ``jti`` must not have been seen within that window (checked by the view, which stores it).
2. **A signed URL** whose token carries its scope (one room, or the application): see
   :mod:`~django_vonage_meetings.webhooks.tokens`, re-exported here.

Which of them a callback must carry is ``WEBHOOK_PROOF``; a request with an ``Authorization``
header is always held to its JWT. Failures raise
:class:`~django_vonage_meetings.exceptions.WebhookAuthenticationError` with a stable ``reason``
code (``missing_auth``, ``bad_signature``, ``stale_iat`` ...) for the 401 body and the security
log, never with the token or a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from .. import credentials
from ..conf import meetings_settings
from ..exceptions import WebhookAuthenticationError
from .tokens import (
    CallbackScope,
    make_url_token,
    signed_webhook_url,
    verify_application_token,
    verify_url_token,
)

__all__ = [
    "CallbackScope",
    "Proof",
    "authenticate",
    "make_url_token",
    "signed_webhook_url",
    "verify_jwt",
    "verify_url_token",
]

MAX_JTI_LENGTH = 255


@dataclass(frozen=True)
class Proof:
    """What a callback proved: the application it is for (its settings name), its JWT's claims
    and its URL token's scope (each None when absent)."""

    application: str
    claims: dict[str, Any] | None
    scope: CallbackScope | None

    @property
    def method(self) -> str:
        """For the stored event: ``jwt``, ``signed_url`` or ``jwt+signed_url``."""
        parts = ["jwt" if self.claims is not None else "", "signed_url" if self.scope else ""]
        return "+".join(p for p in parts if p)


def authenticate(authorization: str | None, token: str | None, body: bytes) -> Proof:
    """Check every proof the request carries, then that ``WEBHOOK_PROOF`` is satisfied.

    An ``Authorization`` header is always verified, whatever the URL (a bad JWT is never
    excused by a good URL token); a URL token is always verified, and its scope is checked by
    the view once the payload is read. Each proof names its application: the token's ``app``,
    the JWT's ``application_id`` claim (or, without one, the application whose secret signed
    it). Both proofs must name the same one.
    """
    application = scope = None
    if token is not None:
        application, scope = verify_application_token(token)
    claims = None
    if authorization is not None or token is None:
        signed_by, claims = _verify_jwt_of_any(authorization, body)
        if application is not None and signed_by != application:
            raise WebhookAuthenticationError(
                "wrong_application", "The URL and the token are for different applications."
            )
        application = signed_by
    assert application is not None
    required = meetings_settings.WEBHOOK_PROOF
    if required == "jwt" and claims is None:
        raise WebhookAuthenticationError(
            "jwt_required", "WEBHOOK_PROOF is 'jwt': a signed Authorization header is required."
        )
    if required == "url_token" and scope is None:
        raise WebhookAuthenticationError(
            "url_token_required", "WEBHOOK_PROOF is 'url_token': use a signed callback URL."
        )
    return Proof(application=application, claims=claims, scope=scope)


def _verify_jwt_of_any(authorization: str | None, body: bytes) -> tuple[str, dict[str, Any]]:
    """The application whose secrets verify the JWT, and its claims.

    The token's ``application_id`` claim, when it has one, chooses the application; a token
    without it is tried with each configured application's secrets (the default first).
    """
    claimed = _claimed_application(authorization)
    everyone = [credentials.of(name) for name in credentials.names()]
    if claimed is not None:
        found = next((one for one in everyone if one.configured_id == claimed), None)
        if found is None and len(everyone) == 1 and everyone[0].configured_id is None:
            found = everyone[0]  # no application id configured: nothing to compare the claim to
        if found is None:
            raise WebhookAuthenticationError(
                "wrong_application", "The token was issued for an application not configured here."
            )
        candidates = [found]
    else:
        candidates = everyone
    for index, found in enumerate(candidates):
        try:
            claims = verify_jwt(
                authorization,
                body,
                found.signature_secrets,
                max_age=meetings_settings.WEBHOOK_MAX_AGE,
                clock_skew=meetings_settings.WEBHOOK_CLOCK_SKEW,
                application_id=found.configured_id,
            )
        except WebhookAuthenticationError as exc:
            if exc.reason in ("bad_signature", "no_secret") and index + 1 < len(candidates):
                continue
            raise
        return found.name, claims
    raise AssertionError("no candidate application")  # candidates is never empty


def _claimed_application(authorization: str | None) -> str | None:
    """The ``application_id`` a JWT claims, read without verifying it: it only chooses which
    secrets verify the token."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        claims = jwt.decode(token.strip(), options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    claimed = claims.get("application_id") if isinstance(claims, dict) else None
    return claimed if isinstance(claimed, str) and claimed else None


def verify_jwt(
    authorization: str | None,
    body: bytes,
    secrets: Sequence[str],
    *,
    max_age: int,
    clock_skew: int,
    application_id: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Verify the Bearer JWT of a callback against its raw body; return its claims."""
    if authorization is None:
        raise WebhookAuthenticationError(
            "missing_auth",
            "No Authorization header (a proxy may have stripped it) and no signed URL.",
        )
    if not authorization.strip():
        raise WebhookAuthenticationError("bad_scheme", "Authorization is empty.")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise WebhookAuthenticationError("bad_scheme", "Authorization is not a Bearer token.")
    if not secrets:
        raise WebhookAuthenticationError("no_secret", "No signature secret is configured.")
    claims = _decode(token, secrets)
    moment = time.time() if now is None else now
    if claims.get("iat") is None:
        raise WebhookAuthenticationError("missing_iat", "The token has no iat claim.")
    # PyJWT decodes NaN and Infinity; NaN compares false with everything, so it would pass
    # both window checks below.
    issued = _finite_time(claims["iat"])
    if issued is None:
        raise WebhookAuthenticationError("invalid_iat", "The token's iat is not a finite number.")
    if issued > moment + clock_skew:
        raise WebhookAuthenticationError("future_iat", "The token was issued in the future.")
    if moment - issued > max_age:
        raise WebhookAuthenticationError("stale_iat", "The token is older than WEBHOOK_MAX_AGE.")
    if claims.get("exp") is not None:
        expires = _finite_time(claims["exp"])
        if expires is None:
            raise WebhookAuthenticationError(
                "invalid_exp", "The token's exp is not a finite number."
            )
        if expires < moment - clock_skew:
            raise WebhookAuthenticationError("expired_token", "The token's exp has passed.")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI_LENGTH:
        raise WebhookAuthenticationError("missing_jti", "The token has no usable jti claim.")
    expected = claims.get("payload_hash")
    if not isinstance(expected, str) or not expected:
        raise WebhookAuthenticationError(
            "missing_payload_hash", "The token has no payload_hash claim."
        )
    actual = hashlib.sha256(body).hexdigest()
    if not hmac.compare_digest(expected.lower().encode(), actual.encode()):
        raise WebhookAuthenticationError(
            "payload_hash_mismatch", "The body does not match the token's payload_hash."
        )
    claimed_app = claims.get("application_id")
    if application_id and claimed_app is not None and claimed_app != application_id:
        raise WebhookAuthenticationError(
            "wrong_application", "The token was issued for another application."
        )
    return claims


def _finite_time(value: Any) -> float | None:
    """A NumericDate claim as a number; None unless it is a finite int or float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond any float
        return None
    return number if math.isfinite(number) else None


def _decode(token: str, secrets: Sequence[str]) -> dict[str, Any]:
    for secret in secrets:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                # iat, exp and nbf are judged by the caller with the configured window.
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            raise WebhookAuthenticationError(
                "malformed_token", "The Authorization token is not a valid HS256 JWT."
            ) from None
        return claims
    raise WebhookAuthenticationError(
        "bad_signature", "The token's signature matches none of SIGNATURE_SECRETS."
    )
