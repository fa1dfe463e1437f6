"""Signed callbacks for tests of your own receivers: what a delivery would carry."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

import jwt
from django.test import Client
from django.urls import reverse

from .. import credentials
from ..exceptions import MeetingsConfigurationError

__all__ = ["post_callback", "signed_callback"]


def signed_callback(
    payload: dict[str, Any], *, secret: str | None = None, **claims: Any
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of ``payload`` delivered as the service signs callbacks.

    Signed (HS256) with ``secret``, by default the newest configured signature secret (the
    simulator's while ``SIMULATE`` is on). ``claims`` override the token's claims (``iat``,
    ``jti``, ``application_id``...); a claim given as None is left out.
    """
    body = json.dumps(payload).encode()
    if secret is None:
        configured = credentials.signature_secrets()
        if not configured:
            raise ValueError(
                "No signature secret to sign with: set VONAGE_MEETINGS['SIGNATURE_SECRETS'] "
                "(or SIMULATE), or pass secret=."
            )
        secret = configured[0]
    values: dict[str, Any] = {
        "iat": int(time.time()),
        "jti": str(uuid.uuid4()),
        "iss": "Vonage",
        "application_id": _application_id(),
        "payload_hash": hashlib.sha256(body).hexdigest(),
    }
    values.update(claims)
    token = jwt.encode(
        {k: v for k, v in values.items() if v is not None}, secret, algorithm="HS256"
    )
    return body, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def post_callback(
    client: Client, payload: dict[str, Any], *, secret: str | None = None, **claims: Any
) -> Any:
    """POST ``payload``, signed, to this site's webhook with Django's test ``client``; return
    the response (204 when it was stored and applied)."""
    body, headers = signed_callback(payload, secret=secret, **claims)
    return client.post(
        reverse("vonage_meetings:webhook"),
        data=body,
        content_type="application/json",
        headers={"Authorization": headers["Authorization"]},
    )


def _application_id() -> str | None:
    try:
        return credentials.application_id()
    except MeetingsConfigurationError:
        return None  # no application configured: the claim is optional
