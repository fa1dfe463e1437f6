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

import datetime as dt
import hashlib
import json
import logging
import random
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.validators import validate_ipv46_address
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from rest_framework import serializers

from . import signals
from .conf import meetings_settings
from .enums import EventType
from .exceptions import WebhookAuthenticationError
from .models import WebhookEvent, WebhookEventStatus, WebhookNonce
from .serializers.events import PAYLOADS, parse_payload
from .signing import make_url_token, verify_jwt, verify_url_token

__all__ = ["WebhookView", "dedupe_key", "signed_webhook_url"]

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


def dedupe_key(payload: dict[str, Any]) -> str:
    """Identify a callback by its content: the same callback delivered twice has one key.

    Callbacks carry no event id. Each one describes one fact (this session started at that
    time; this recording was uploaded with that URL), so the canonical JSON of the payload is
    the fact's identity; redeliveries (freshly signed, byte-identical or re-serialised) share
    it. ``recording:ready`` is the old name of ``recording:uploaded`` and counts as the same.
    """
    normalised = dict(payload)
    if normalised.get("event") == EventType.RECORDING_READY:
        normalised["event"] = EventType.RECORDING_UPLOADED.value
    canonical = json.dumps(normalised, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _refuse(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, "code": code, **extra}, status=status)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _remote_addr(request: HttpRequest) -> str | None:
    value = request.META.get("REMOTE_ADDR") or ""
    try:
        validate_ipv46_address(value)
    except Exception:  # unix sockets, empty (gunicorn; dj-stripe #648)
        return None
    return value


def _safe_path(request: HttpRequest, token: str | None) -> str:
    return request.path.replace(token, "<token>") if token else request.path


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class WebhookView(View):
    """One endpoint for every callback event type."""

    http_method_names = ["post", "options"]

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
            claims = self.authenticate(request, body, token)
        except WebhookAuthenticationError as exc:
            logger.warning(
                "webhook refused: reason=%s remote=%s path=%s",
                exc.reason,
                _remote_addr(request),
                _safe_path(request, token),
            )
            return _refuse(401, exc.reason, str(exc))

        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _refuse(400, "invalid_json", "The body is not valid JSON.")
        if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
            return _refuse(400, "invalid_payload", 'The body must be a JSON object with "event".')
        if _has_nul(payload):
            # PostgreSQL cannot store U+0000 in JSON; no real callback carries it.
            return _refuse(400, "invalid_payload", "The payload contains a NUL character.")
        try:
            fields = parse_payload(payload)
        except serializers.ValidationError as exc:
            return _refuse(
                400, "invalid_payload", "The payload is not a valid event.", details=exc.detail
            )
        return self.receive(request, payload, fields, claims, token)

    def receive(
        self,
        request: HttpRequest,
        payload: dict[str, Any],
        fields: dict[str, Any] | None,
        claims: dict[str, Any] | None,
        token: str | None,
    ) -> HttpResponse:
        """Store the callback once and, inline, apply it: one transaction for both.

        A duplicate delivered at the same moment waits on the event row's unique key until this
        transaction ends, then finds the event processed. When applying fails, everything of
        this delivery rolls back and the failure is recorded in a transaction of its own.
        """
        from .events import apply_event, mark_failed

        inline = meetings_settings.WEBHOOK_PROCESSING == "inline"
        key = dedupe_key(payload)
        applied = False
        try:
            with transaction.atomic():
                if not self.remember_jti(claims):
                    logger.warning(
                        "webhook refused: reason=replayed_jti remote=%s path=%s",
                        _remote_addr(request),
                        _safe_path(request, token),
                    )
                    return _refuse(401, "replayed_jti", "This token was already used.")
                event, is_new = self.store(
                    request, payload, key, signed=claims is not None, processed=inline
                )
                if is_new:
                    signals.webhook_received.send(sender=WebhookEvent, event=event)
                if inline and is_new and fields is not None:
                    apply_event(event, fields, marked=True)
                    applied = True
                done = event.status in (WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED)
                if inline and not done:
                    apply_event(event)
                    applied = event.status == WebhookEventStatus.PROCESSED
                    done = True
        except Exception as exc:
            # Everything of this delivery rolled back; record the failed attempt on its own.
            with transaction.atomic():
                self.remember_jti(claims)
                failed, _new = self.store(request, payload, key, signed=claims is not None)
                failed = mark_failed(failed, exc)
            signals.webhook_failed.send(sender=WebhookEvent, event=failed, exception=exc)
            return _refuse(
                500,
                "processing_failed",
                "The event was stored but could not be applied.",
                event_id=failed.pk,
            )
        if applied:
            signals.webhook_processed.send(sender=WebhookEvent, event=event)
        elif not done and not inline:
            from .tasks import enqueue_event

            enqueue_event(event.pk)
        return HttpResponse(status=204)

    def authenticate(
        self, request: HttpRequest, body: bytes, token: str | None
    ) -> dict[str, Any] | None:
        secrets = meetings_settings.SIGNATURE_SECRETS
        if token is not None:
            verify_url_token(token, secrets)
            return None
        return verify_jwt(
            request.META.get("HTTP_AUTHORIZATION"),
            body,
            secrets,
            max_age=meetings_settings.WEBHOOK_MAX_AGE,
            clock_skew=meetings_settings.WEBHOOK_CLOCK_SKEW,
            application_id=_application_id(),
        )

    def remember_jti(self, claims: dict[str, Any] | None) -> bool:
        """Record the token's ``jti``; False when it was seen before (a replayed request)."""
        if claims is None:
            return True
        try:
            with transaction.atomic():
                WebhookNonce.objects.create(jti=str(claims["jti"]))
        except IntegrityError:
            return False
        self._prune_nonces()
        return True

    def store(
        self,
        request: HttpRequest,
        payload: dict[str, Any],
        key: str,
        *,
        signed: bool,
        processed: bool = False,
    ) -> tuple[WebhookEvent, bool]:
        """Store the event once (in the caller's transaction), locked; return it and is_new.

        ``processed`` inserts a new event already marked processed, for a caller that applies
        it in this same transaction (a failure rolls the insert back too).
        """
        event_type = str(payload["event"])
        known = event_type in PAYLOADS
        if not known:
            status = WebhookEventStatus.IGNORED
        elif processed:
            status = WebhookEventStatus.PROCESSED
        else:
            status = WebhookEventStatus.RECEIVED
        try:
            with transaction.atomic():
                event = WebhookEvent.objects.create(
                    event_type=event_type,
                    payload=payload,
                    dedupe_key=key,
                    status=status,
                    attempts=1 if processed and known else 0,
                    processed_at=timezone.now() if status != WebhookEventStatus.RECEIVED else None,
                    auth_method="jwt" if signed else "signed_url",
                    remote_addr=_remote_addr(request),
                    headers={
                        name: request.headers[name]
                        for name in USEFUL_HEADERS
                        if name in request.headers
                    },
                )
            return event, True
        except IntegrityError:
            pass
        existing = WebhookEvent.objects.select_for_update().get(dedupe_key=key)
        WebhookEvent.objects.filter(pk=existing.pk).update(deliveries=F("deliveries") + 1)
        existing.deliveries += 1
        return existing, False

    @staticmethod
    def _prune_nonces() -> None:
        # Nonces are only needed for the replay window; prune now and then, cheaply.
        if random.random() < 0.02:  # noqa: S311 - sampling, not security
            window = meetings_settings.WEBHOOK_MAX_AGE + meetings_settings.WEBHOOK_CLOCK_SKEW
            cutoff = timezone.now() - dt.timedelta(seconds=2 * window)
            WebhookNonce.objects.filter(seen_at__lt=cutoff).delete()


def _application_id() -> str | None:
    raw = meetings_settings.raw().get("APPLICATION_ID")
    return raw if isinstance(raw, str) and raw else None
