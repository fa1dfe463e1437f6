"""How a callback proves it came from the API: a signed JWT, or a signed URL.

1. **The Vonage signed-webhook JWT.** ``Authorization: Bearer <JWT>``, HS256 with the signature
   secret; claims ``iat``, ``jti``, ``payload_hash`` (SHA-256 hex of the raw body), usually
   ``iss`` and ``application_id``. Any one of ``SIGNATURE_SECRETS`` verifies it (rotation); its
   ``iat`` must lie within ``WEBHOOK_MAX_AGE`` (``WEBHOOK_CLOCK_SKEW`` in the future at most); its
   ``jti`` must not have been seen within that window (checked by the view, which stores it).
2. **A signed URL.** The service never documented signing Meetings callbacks, so the URLs this
   app gives the API (rooms' ``callback_urls``, the application settings) carry a token made with
   ``django.core.signing`` from the same secrets: ``/vonage/meetings/webhooks/<token>/``.

Failures raise :class:`~django_vonage_meetings.exceptions.WebhookAuthenticationError` with a
stable ``reason`` code (``missing_auth``, ``bad_signature``, ``stale_iat`` ...) for the 401 body
and the security log, never with the token or a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Sequence
from typing import Any

import jwt
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

from ..conf import meetings_settings
from ..exceptions import WebhookAuthenticationError

__all__ = ["make_url_token", "signed_webhook_url", "verify_jwt", "verify_url_token"]

URL_SIGNING_SALT = "django_vonage_meetings.webhooks.url"
URL_SIGNED_VALUE = "vonage-meetings-callbacks"
MAX_JTI_LENGTH = 255


def make_url_token(secrets: Sequence[str]) -> str:
    """The path token for signed callback URLs, made with the newest secret."""
    if not secrets:
        raise WebhookAuthenticationError(
            "no_secret", "VONAGE_MEETINGS['SIGNATURE_SECRETS'] is empty: nothing to sign with."
        )
    return signing.Signer(key=secrets[0], salt=URL_SIGNING_SALT).sign(URL_SIGNED_VALUE)


def signed_webhook_url() -> str | None:
    """The absolute signed callback URL, from ``WEBHOOK_BASE_URL``; None when that is unset.

    Paste it into the Vonage application's Meetings callback settings; the services put it into
    the ``callback_urls`` of rooms they create. It changes when the newest signature secret does.
    """
    base = meetings_settings.WEBHOOK_BASE_URL
    if not base:
        return None
    secrets = meetings_settings.SIGNATURE_SECRETS
    if not secrets:
        raise ImproperlyConfigured(
            "VONAGE_MEETINGS['SIGNATURE_SECRETS'] is empty, so no signed callback URL can be made."
        )
    try:
        path = reverse("vonage_meetings:webhook-signed", args=[make_url_token(secrets)])
    except NoReverseMatch:
        raise ImproperlyConfigured(
            "The webhook URL cannot be built: include django_vonage_meetings.urls in your "
            'URLconf, e.g. path("vonage/meetings/", include("django_vonage_meetings.urls")).'
        ) from None
    return f"{base}{path}"


def verify_url_token(token: str, secrets: Sequence[str]) -> None:
    """Accept a URL token signed with any of the secrets (constant-time comparison inside)."""
    if not secrets:
        raise WebhookAuthenticationError("no_secret", "No signature secret is configured.")
    signer = signing.Signer(key=secrets[0], fallback_keys=list(secrets[1:]), salt=URL_SIGNING_SALT)
    try:
        value = signer.unsign(token)
    except signing.BadSignature:
        raise WebhookAuthenticationError(
            "bad_url_token", "The signed callback URL's token does not verify."
        ) from None
    if value != URL_SIGNED_VALUE:
        raise WebhookAuthenticationError("bad_url_token", "The callback URL's token is not ours.")


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
    if not authorization:
        raise WebhookAuthenticationError(
            "missing_auth",
            "No Authorization header (a proxy may have stripped it) and no signed URL.",
        )
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
