"""Signed callback URLs whose token carries its scope: one room, or the whole application.

The Meetings service never signed its callbacks, so the token in the URL is the one proof real
callbacks carry; it should open as little as possible. A token is ``django.core.signing`` over
a small versioned JSON object, made with the newest of ``SIGNATURE_SECRETS`` and verified with
any of them (``fallback_keys``), under a salt of its own:

``{"v": 1}``
    application scope: any callback of the application. What :func:`signed_webhook_url` returns
    (and ``meetings_webhook_url`` prints) for the application-level settings.
``{"v": 1, "room": "<room id>"}``
    one room, by its id: callbacks about that room, its sessions and recordings. Issued when the
    room already exists (``meetings_reissue_callback_urls``, the admin action).
``{"v": 1, "key": "<random key>"}``
    one room, by a key made when the room is created. The room id is only known once the API
    answers, and an instant room cannot be updated afterwards, so ``services.create_room`` puts a
    fresh key into the new room's URLs; the API keeps them in the room's ``callback_urls`` and the
    mirror stores that answer, which is what binds the key to the room (see ``scope``).

Every token names its application (``"app": "<settings name>"``) and is made with that
application's secrets; a token without it (made before several applications existed) means the
default application. Unknown keys or versions are refused rather than ignored: a restriction
this code does not understand must not be dropped.

Tokens made before scopes existed (the value ``vonage-meetings-callbacks`` under the old salt)
verify as application scope while the secret that made them is in ``SIGNATURE_SECRETS``; they
stop working when it leaves, like every other token.
"""

from __future__ import annotations

import json
import re
import secrets as random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from .. import credentials
from ..exceptions import MeetingsConfigurationError, WebhookAuthenticationError

__all__ = [
    "CallbackScope",
    "make_url_token",
    "mask_tokens",
    "peek_url_token",
    "room_callback_url",
    "signed_webhook_url",
    "token_in_url",
    "verify_application_token",
    "verify_url_token",
]

URL_SALT: Final = "django_vonage_meetings.webhooks.url-token"
TOKEN_VERSION: Final = 1
#: What the first version signed (one token for everything), under its own salt.
LEGACY_SALT: Final = "django_vonage_meetings.webhooks.url"
LEGACY_VALUE: Final = "vonage-meetings-callbacks"
#: Longest room id or key a token may name (room ids are UUIDs; keys are 16 random bytes).
MAX_NAME: Final = 64
#: The token segment of a callback URL: this app's route is ``.../webhooks/<token>/``. Quotes,
#: brackets and backslashes end it too, so it can be found inside JSON, HTML and log lines.
URL_TOKEN = re.compile(r"/webhooks/([^/?#\s\"'<>\\]+)")


#: A token on its own (see :func:`mask_tokens`).
BARE_TOKEN = re.compile(
    rf"(?:eyJ[A-Za-z0-9_-]+|{LEGACY_VALUE}):[A-Za-z0-9_-]{{43}}(?![A-Za-z0-9_-])"
)


@dataclass(frozen=True)
class CallbackScope:
    """What a URL token lets in: everything of the application, or one room."""

    #: The room's id, when it was known as the token was made.
    room: str | None = None
    #: A key made with a new room, bound to it by the room's own ``callback_urls``.
    key: str | None = None
    #: Made by the first version (application scope, no payload).
    legacy: bool = False
    #: The application's settings name; None: the default application.
    application: str | None = None

    @classmethod
    def for_new_room(cls, application: str | None = None) -> CallbackScope:
        return cls(key=random.token_urlsafe(16), application=application)

    @property
    def is_application(self) -> bool:
        return self.room is None and self.key is None

    @property
    def kind(self) -> str:
        return "application" if self.is_application else "room"

    def claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {"v": TOKEN_VERSION}
        if self.application is not None:
            claims["app"] = self.application
        if self.room is not None:
            claims["room"] = self.room
        if self.key is not None:
            claims["key"] = self.key
        return claims

    @classmethod
    def from_claims(cls, claims: Any) -> CallbackScope:
        """The scope a token's payload names; ValueError for anything this version did not
        make."""
        if not isinstance(claims, dict) or claims.get("v") != TOKEN_VERSION:
            raise ValueError("unknown token version")
        if set(claims) - {"v", "room", "key", "app"}:
            raise ValueError("unknown token keys")
        names = [claims.get(name) for name in ("room", "key", "app")]
        for value in names:
            if value is not None and (not isinstance(value, str) or not 0 < len(value) <= MAX_NAME):
                raise ValueError("malformed scope")
        if names[0] is not None and names[1] is not None:
            raise ValueError("a token names one room, one way")
        return cls(room=claims.get("room"), key=claims.get("key"), application=claims.get("app"))

    def describe(self) -> str:
        """For people (the admin shows it, translated): which callbacks this token lets in
        (never the token itself)."""
        if self.legacy:
            return gettext("application scope (a token of the first version)")
        if self.room is not None:
            return gettext("room scope: room %(room)s") % {"room": self.room}
        if self.key is not None:
            return gettext("room scope: the room created with it")
        return gettext("application scope")


def make_url_token(secrets: Sequence[str], scope: CallbackScope | None = None) -> str:
    """The path token for a signed callback URL, made with the newest secret."""
    if not secrets:
        raise WebhookAuthenticationError(
            "no_secret", "VONAGE_MEETINGS['SIGNATURE_SECRETS'] is empty: nothing to sign with."
        )
    claims = (scope or CallbackScope()).claims()
    return signing.Signer(key=secrets[0], salt=URL_SALT).sign_object(claims)


def verify_application_token(token: str) -> tuple[str, CallbackScope]:
    """The application (settings name) and scope of a URL token, verified with the secrets of
    the application it names (the default one when it names none)."""
    named = peek_url_token(token)
    try:
        found = credentials.of(named.application if named is not None else None)
    except MeetingsConfigurationError:
        raise _bad_token() from None  # an application no longer configured
    scope = verify_url_token(token, found.signature_secrets)
    if scope.application is not None and scope.application != found.name:
        raise _bad_token()
    return found.name, scope


def verify_url_token(token: str, secrets: Sequence[str]) -> CallbackScope:
    """The scope of a token signed with any of the secrets (constant-time comparison inside)."""
    if not secrets:
        raise WebhookAuthenticationError("no_secret", "No signature secret is configured.")
    fallback: list[str | bytes] = list(secrets[1:])
    try:
        signer = signing.Signer(key=secrets[0], fallback_keys=fallback, salt=URL_SALT)
        claims = signer.unsign_object(token)
    except signing.BadSignature:
        pass
    except ValueError:  # signed by us, yet not JSON: nothing this version made
        raise _bad_token() from None
    else:
        try:
            return CallbackScope.from_claims(claims)
        except ValueError:
            raise _bad_token() from None
    try:
        legacy = signing.Signer(key=secrets[0], fallback_keys=fallback, salt=LEGACY_SALT)
        value = legacy.unsign(token)
    except signing.BadSignature:
        raise _bad_token() from None
    if value != LEGACY_VALUE:
        raise _bad_token()
    return CallbackScope(legacy=True)


def _bad_token() -> WebhookAuthenticationError:
    return WebhookAuthenticationError(
        "bad_url_token", "The signed callback URL's token does not verify."
    )


def peek_url_token(token: str) -> CallbackScope | None:
    """The scope a token names, read WITHOUT checking its signature.

    Only for telling people what a stored URL is for, and for finding which room a key was
    given to in the room's own stored ``callback_urls`` (written from the API's answers). Never
    for deciding whether a callback is let in: that is :func:`verify_url_token`.
    """
    value, sep, _signature = token.rpartition(":")
    if not sep:
        return None
    if value == LEGACY_VALUE:
        return CallbackScope(legacy=True)
    try:
        return CallbackScope.from_claims(json.loads(signing.b64_decode(value.encode())))
    except (ValueError, TypeError):
        return None


def token_in_url(url: Any) -> str | None:
    """The token segment of one of this app's callback URLs; None for any other URL."""
    if not isinstance(url, str):
        return None
    match = URL_TOKEN.search(url)
    return match.group(1) if match else None


def mask_tokens(text: str, *, describe: bool = False) -> str:
    """``text`` with the token of every callback URL in it replaced by ``<token>`` (or, with
    ``describe``, by what it lets in, e.g. ``<room token>``), for pages and log lines.

    Tokens outside a URL (a view's ``token`` argument in a traceback's variables) are found by
    their shape: a signed JSON object (base64 of ``{"`` is ``eyJ``) or the first version's
    value, then ``:`` and a 43-character HMAC-SHA256.
    """
    if "/webhooks/" in text:

        def masked(match: re.Match[str]) -> str:
            if not describe:
                return "/webhooks/<token>"
            scope = peek_url_token(match.group(1))
            return f"/webhooks/<{scope.kind if scope else 'unreadable'} token>"

        text = URL_TOKEN.sub(masked, text)
    if "eyJ" in text or LEGACY_VALUE in text:
        text = BARE_TOKEN.sub("<token>", text)
    return text


def _callback_url(scope: CallbackScope) -> str | None:
    base = credentials.webhook_base_url(scope.application)
    if not base:
        return None
    secrets = credentials.signature_secrets(scope.application)
    if not secrets:
        raise ImproperlyConfigured(
            "VONAGE_MEETINGS['SIGNATURE_SECRETS'] is empty, so no signed callback URL can be made."
        )
    try:
        path = reverse("vonage_meetings:webhook-signed", args=[make_url_token(secrets, scope)])
    except NoReverseMatch:
        raise ImproperlyConfigured(
            "The webhook URL cannot be built: include django_vonage_meetings.urls in your "
            'URLconf, e.g. path("vonage/meetings/", include("django_vonage_meetings.urls")).'
        ) from None
    return f"{base}{path}"


def signed_webhook_url(application: Any = None) -> str | None:
    """The absolute application-scope callback URL of an application (a settings name, an
    ``Application`` row; the default one when omitted), from ``WEBHOOK_BASE_URL``; None when
    that is unset.

    Paste it into the Vonage application's Meetings callback settings: it lets in callbacks
    about any room of the application. Rooms created through the services get narrower URLs
    (:func:`room_callback_url`). It changes when the newest signature secret does.
    """
    return _callback_url(CallbackScope(application=credentials.of(application).name))


def room_callback_url(scope: CallbackScope) -> str | None:
    """The absolute callback URL for one room (by id, or by a new room's key)."""
    if scope.is_application:
        raise ValueError("a room callback URL needs a room or a key")
    return _callback_url(scope)
