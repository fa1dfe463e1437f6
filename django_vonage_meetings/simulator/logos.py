"""Logo upload as the service did it: presigned S3 POST forms, a fake bucket, finalizeLogos.

The forms carry the exact field names and casing of the service's (``Content-Type``, ``key``,
``logoType``, ``bucket``, ``X-Amz-*``, ``Policy``); the policy is base64 JSON with an
``expiration`` and conditions, signed with a key derived for the application, and the bucket
endpoint refuses an expired or tampered policy with S3's own XML errors.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from django_vonage_meetings import rules
from django_vonage_meetings.enums import LogoType

from .conf import sim_setting
from .errors import bad_request
from .models import Application, StoredObject, Theme
from .urlnames import sim_reverse
from .wire import signing_key

TEMP_PREFIX = "auto-expiring-temp/logos/"
#: The bucket's own cap on a POST (the policy's ``content-length-range``). It is above the logo
#: rule on purpose: the service let S3 take larger files and refused them at finalizeLogos with
#: ``invalidProperty: exceeds_size`` (the Java SDK's fixture), so that error must be reachable.
BUCKET_MAX_BYTES = 10 * 1024 * 1024
FIELD_FOR_TYPE = {
    LogoType.WHITE: "brand_image_white",
    LogoType.COLORED: "brand_image_colored",
    LogoType.FAVICON: "branded_favicon",
}


def _sign(application: Application, policy_b64: str) -> str:
    return hmac.new(signing_key("s3", application), policy_b64.encode(), hashlib.sha256).hexdigest()


def upload_forms(application: Application, origin: str) -> list[dict[str, Any]]:
    bucket = sim_setting("BUCKET")
    now = timezone.now().astimezone(dt.timezone.utc)
    expires = now + dt.timedelta(seconds=float(sim_setting("LOGO_POLICY_TTL")))
    url = origin + sim_reverse("s3-bucket", args=[bucket])
    forms = []
    for logo_type in (LogoType.WHITE, LogoType.COLORED, LogoType.FAVICON):
        key = f"{TEMP_PREFIX}{logo_type}/{uuid.uuid4()}"
        credential = f"ASIASIMULATOR/{now:%Y%m%d}/us-east-1/s3/aws4_request"
        policy = {
            "expiration": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conditions": [
                {"Content-Type": "image/png"},
                {"key": key},
                {"logoType": str(logo_type)},
                {"bucket": bucket},
                ["content-length-range", 0, BUCKET_MAX_BYTES],
                {"X-Amz-Algorithm": "AWS4-HMAC-SHA256"},
                {"X-Amz-Credential": credential},
                {"X-Amz-Date": f"{now:%Y%m%dT%H%M%SZ}"},
            ],
        }
        policy_b64 = base64.b64encode(json.dumps(policy).encode()).decode()
        forms.append(
            {
                "url": url,
                "fields": {
                    "Content-Type": "image/png",
                    "key": key,
                    "logoType": str(logo_type),
                    "bucket": bucket,
                    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                    "X-Amz-Credential": credential,
                    "X-Amz-Date": f"{now:%Y%m%dT%H%M%SZ}",
                    "X-Amz-Security-Token": base64.b64encode(
                        f"simulator:{application.application_id}".encode()
                    ).decode(),
                    "Policy": policy_b64,
                    "X-Amz-Signature": _sign(application, policy_b64),
                },
            }
        )
    return forms


class S3Error(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(message)

    def xml(self, request_id: str) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{_escape(self.message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>simulator</HostId></Error>"
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def check_policy(bucket: str, fields: dict[str, str]) -> Application:
    """Check a presigned POST's form fields like S3 would; the application that signed it.

    Only the fields are needed, so the bucket endpoint runs this before it reads the file.
    """
    policy_b64 = fields.get("Policy") or fields.get("policy")
    signature = fields.get("X-Amz-Signature") or fields.get("x-amz-signature")
    if not policy_b64 or not signature:
        raise S3Error(403, "AccessDenied", "Access Denied")
    token = fields.get("X-Amz-Security-Token", "")
    try:
        app_id = base64.b64decode(token).decode().removeprefix("simulator:")
        policy = json.loads(base64.b64decode(policy_b64))
    except (ValueError, UnicodeDecodeError):
        raise S3Error(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    application = Application.objects.filter(application_id=app_id).first()
    if application is None or not hmac.compare_digest(_sign(application, policy_b64), signature):
        raise S3Error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
    expiration = dt.datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%S.000Z").replace(
        tzinfo=dt.timezone.utc
    )
    if expiration <= timezone.now():
        raise S3Error(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    for condition in policy.get("conditions", []):
        if isinstance(condition, dict):
            for name, expected in condition.items():
                if fields.get(name) != expected:
                    raise S3Error(
                        403,
                        "AccessDenied",
                        f"Invalid according to Policy: Policy Condition failed: "
                        f'["eq", "${name}", "{expected}"]',
                    )
    if fields.get("bucket") != bucket:
        raise S3Error(403, "AccessDenied", "Invalid according to Policy: bucket mismatch")
    return application


def too_large() -> S3Error:
    return S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")


def store_upload(
    application: Application, bucket: str, fields: dict[str, str], file_bytes: bytes | None
) -> None:
    """Store the file of a POST whose policy :func:`check_policy` accepted, under its key."""
    if file_bytes is None:
        raise S3Error(400, "InvalidArgument", "POST requires exactly one file upload per request.")
    if len(file_bytes) > BUCKET_MAX_BYTES:
        raise too_large()
    StoredObject.objects.update_or_create(
        key=fields["key"],
        defaults={
            "bucket": bucket,
            "application": application,
            "content": file_bytes,
            "content_type": fields.get("Content-Type", "image/png"),
            "uploaded_at": timezone.now(),
        },
    )


def _logo_type_of(key: str) -> str | None:
    if not key.startswith(TEMP_PREFIX):
        return None
    kind = key[len(TEMP_PREFIX) :].split("/", 1)[0]
    return kind if kind in LogoType.values else None


def image_problem(content: bytes, logo_type: str) -> str | None:
    """The service's ``invalidProperty`` for an image, or None when it follows the rules."""
    if len(content) > rules.LOGO_MAX_BYTES:
        return "exceeds_size"
    if not content.startswith(rules.PNG_SIGNATURE):
        return "type"
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError(
            "The simulator checks logo images with Pillow: pip install "
            "'django-vonage-meetings[simulator]'"
        ) from exc
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            width, height = image.size
            if logo_type == LogoType.FAVICON:
                if width != height or not (rules.FAVICON_MIN_PX <= width <= rules.FAVICON_MAX_PX):
                    return "dimensions"
            elif not (
                rules.LOGO_MIN_PX <= width <= rules.LOGO_MAX_PX
                and rules.LOGO_MIN_PX <= height <= rules.LOGO_MAX_PX
            ):
                return "dimensions"
            rgba = image.convert("RGBA")
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            corners = [(0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)]
            if not has_alpha or any(_alpha(rgba.getpixel(c)) != 0 for c in corners):
                return "transparent_bg"
    except (OSError, ValueError):
        return "type"
    return None


def _alpha(pixel: Any) -> int:
    return int(pixel[3]) if isinstance(pixel, tuple) and len(pixel) == 4 else 255


def finalize_logos(theme: Theme, keys: list[str]) -> None:
    """Check every key, then attach them all to the theme (all or nothing)."""
    errors: list[dict[str, str]] = []
    found: list[tuple[StoredObject, str]] = []
    for key in keys:
        logo_type = _logo_type_of(key)
        stored = StoredObject.objects.filter(key=key, application=theme.application).first()
        if stored is None or logo_type is None:
            errors.append({"logoKey": key, "code": "key_not_found"})
            continue
        problem = image_problem(bytes(stored.content), logo_type)
        if problem:
            errors.append(
                {"logoKey": key, "code": "invalid_logo_properties", "invalidProperty": problem}
            )
            continue
        found.append((stored, logo_type))
    if errors:
        raise bad_request("could not finalize logos", errors)
    with transaction.atomic():
        replaced = []
        for stored, logo_type in found:
            final_key = f"logos/{theme.theme_id}/{logo_type}/{uuid.uuid4()}.png"
            StoredObject.objects.filter(pk=stored.pk).update(key=final_key)
            field = FIELD_FOR_TYPE[LogoType(logo_type)]
            replaced.append(getattr(theme, field))
            setattr(theme, field, final_key)
        theme.save()
        # The images they replace are no longer served (nothing else points at them).
        StoredObject.objects.filter(key__in=[k for k in replaced if k]).delete()
