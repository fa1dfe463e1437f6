"""The webhook endpoint: authenticate -> store once -> process -> 204.

``/vonage/meetings/webhooks/`` takes every event type, signed with the Vonage JWT;
``/vonage/meetings/webhooks/<token>/`` takes callbacks whose URL carries a token signed from the
same secrets (what :func:`signed_webhook_url` returns and the services put into rooms'
``callback_urls``). Nothing is written before authentication passes. Each refusal is a JSON
body with a stable ``code`` and one ``django_vonage_meetings.webhooks`` log line (never the token
or a secret), so "which check failed" is answerable from either end.

The view is exempt from CSRF and from ``ATOMIC_REQUESTS``: storing the event, applying it, and
recording a failure are separate transactions, so a failed event stays visible (dj-stripe #889)
and the 500 makes the sender retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.http.request import HttpHeaders
from django.utils.decorators import method_decorator
from django.utils.log import log_response
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from rest_framework import serializers

from .. import credentials
from ..conf import meetings_settings
from ..exceptions import WebhookAuthenticationError, WebhookScopeError
from ..logging import masked_request
from ..models import UNASSIGNED, WebhookEvent
from .body import BadBody, has_nul, parse_body
from .handlers import parse_payload
from .inbox import Delivery, ReplayedToken, accept, dedupe_key, prune_nonces, store_failed_delivery
from .processing import announce_failure, record_failure
from .scope import check_application, check_scope
from .signing import authenticate
from .tokens import mask_tokens

__all__ = ["WebhookView"]

logger = logging.getLogger("django_vonage_meetings.webhooks")

#: Request headers worth keeping with an event (never Authorization or cookies).
USEFUL_HEADERS = (
    "User-Agent",
    "Content-Type",
    "Content-Length",
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Forwarded-Host",
    "X-Real-Ip",
    "X-Request-Id",
    "X-Vonage-Meetings-Metadata",
)


def _meta_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    return key if key in HttpHeaders.UNPREFIXED_HEADERS else f"HTTP_{key}"


#: Where each useful header sits in ``request.META``: reading those keys directly spares
#: every callback building ``request.headers`` from the whole environ.
_USEFUL_META = tuple((name, _meta_key(name)) for name in USEFUL_HEADERS)


def _refuse(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, "code": code, **extra}, status=status)


def _owner(application: str) -> tuple[str, bool]:
    """The Vonage id of the application a callback authenticated as, and whether several
    applications are configured (then its rows are checked to be that application's)."""
    return credentials.of(application).configured_id or UNASSIGNED, credentials.several()


def _remote_addr(request: HttpRequest) -> str | None:
    value = request.META.get("REMOTE_ADDR") or ""
    try:
        validate_ipv46_address(value)
    except Exception:  # unix sockets, empty (gunicorn; dj-stripe #648)
        return None
    return value


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class WebhookView(View):
    """One endpoint for every callback event type: authenticate -> store -> process -> 204."""

    http_method_names = ["post", "options"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        if isinstance(response, HttpResponse) and response.status_code >= 400:
            # Django's request logger would print the path (token and all) and mail the request
            # to the admins; log the same line here, masked, and mark the response as logged.
            log_response(
                "%s: %s",
                response.reason_phrase,
                mask_tokens(request.path),
                response=response,
                request=masked_request(request),
            )
        return response

    def http_method_not_allowed(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response = _refuse(405, "method_not_allowed", "Callbacks are POSTed.")
        response["Allow"] = "POST"
        return response

    def post(self, request: HttpRequest, token: str | None = None) -> HttpResponse:
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return _refuse(415, "unsupported_media_type", "Callbacks must be application/json.")
        limit = meetings_settings.WEBHOOK_MAX_BODY_SIZE
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return _refuse(413, "too_large", f"The body is larger than {limit} bytes.")
        body = request.read(limit + 1)
        if len(body) > limit:
            return _refuse(413, "too_large", f"The body is larger than {limit} bytes.")

        try:
            proof = authenticate(request.META.get("HTTP_AUTHORIZATION"), token, body)
        except WebhookAuthenticationError as exc:
            return self.refuse_auth(request, token, exc.reason, str(exc))

        try:
            payload = parse_body(body, max_depth=meetings_settings.WEBHOOK_MAX_JSON_DEPTH)
        except BadBody as exc:
            return _refuse(400, exc.code, str(exc))
        if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
            return _refuse(400, "invalid_payload", 'The body must be a JSON object with "event".')
        # PostgreSQL cannot store U+0000 in JSON; no real callback carries it. JSON carries it
        # only as the escape \\u0000, so the payload is walked only when the body holds that
        # escape or a zero byte (UTF-16 and UTF-32 bodies are full of them).
        if (b"\\u0000" in body or b"\x00" in body) and has_nul(payload):
            return _refuse(400, "invalid_payload", "The payload contains a NUL character.")
        try:
            fields = parse_payload(payload)
        except serializers.ValidationError as exc:
            return _refuse(
                400, "invalid_payload", "The payload is not a valid event.", details=exc.detail
            )
        owner, several = _owner(proof.application)
        try:
            if proof.scope is not None:
                check_scope(proof.scope, payload)
            if several:
                check_application(owner, payload)
        except WebhookScopeError as exc:
            return self.refuse_auth(request, token, exc.reason, str(exc), status=403)
        delivery = Delivery(
            payload=payload,
            fields=fields,
            application_id=owner,
            dedupe_key=dedupe_key(payload, owner if several else None),
            jti=str(proof.claims["jti"]) if proof.claims is not None else None,
            auth_method=proof.method,
            remote_addr=_remote_addr(request),
            headers={name: request.META[key] for name, key in _USEFUL_META if key in request.META},
        )
        return self.receive(request, token, delivery)

    def receive(self, request: HttpRequest, token: str | None, delivery: Delivery) -> HttpResponse:
        """Store (and, inline, apply and announce) in one transaction; or queue the work."""
        try:
            outcome = accept(delivery, inline=meetings_settings.WEBHOOK_PROCESSING == "inline")
        except ReplayedToken:
            return self.refuse_auth(request, token, "replayed_jti", "This token was already used.")
        except Exception as exc:
            # Everything of this delivery rolled back: store the failed attempt afresh.
            return self.failed(exc, partial(store_failed_delivery, delivery, exc))
        if not outcome.new:
            # Only redeliveries leave nonces (a first delivery's token is on its event).
            prune_nonces()
        if outcome.pending:
            try:
                from ..tasks import enqueue_event

                enqueue_event(outcome.event.pk)
            except Exception as exc:
                # Stored but not queued: a failed event is what retries and the admin look for.
                record = partial(record_failure, outcome.event.pk, exc, attempt=False)
                return self.failed(exc, record)
        return HttpResponse(status=204)

    def failed(self, exc: Exception, record: Callable[[], WebhookEvent]) -> HttpResponse:
        """Record the failure on the event, announce it and answer 500 so the sender retries."""
        try:
            failed = record()
        except Exception:
            # The database itself failed (or the event vanished): nothing stored to point at.
            logger.exception("could not record a failed webhook delivery")
            return _refuse(500, "processing_failed", "The event could not be stored or applied.")
        announce_failure(failed, exc)
        return _refuse(
            500,
            "processing_failed",
            "The event was stored but could not be applied.",
            event_id=failed.pk,
        )

    def refuse_auth(
        self,
        request: HttpRequest,
        token: str | None,
        reason: str,
        message: str,
        *,
        status: int = 401,
    ) -> HttpResponse:
        logger.warning(
            "webhook refused: reason=%s remote=%s path=%s",
            reason,
            _remote_addr(request),
            mask_tokens(request.path),
        )
        return _refuse(status, reason, message)
