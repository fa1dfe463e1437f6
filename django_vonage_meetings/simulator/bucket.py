"""The fake S3 bucket's presigned POST: the policy first, the file after, never past the cap.

The endpoint takes unauthenticated uploads (the policy in the form is the credential), so it
must not read what it will refuse: a body whose ``Content-Length`` is over the bucket's cap is
refused before a byte of it is read; the multipart body is parsed as a stream, the policy is
checked on the form fields that precede the file (S3 wants the file last), and the file is kept
in memory only up to the cap. Parsing stops at the first refusal without reading on.
"""

from __future__ import annotations

import uuid
from typing import IO, Any, cast

from django.core.exceptions import BadRequest
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError

from .logos import BUCKET_MAX_BYTES, S3Error, check_policy, store_upload, too_large
from .models import Application

__all__ = ["receive_upload"]

#: Room for the form fields around the file when judging ``Content-Length``.
FIELDS_ALLOWANCE = 64 * 1024
#: Form fields sent as file parts (the Python SDK 3.x does that) are read up to this size.
SMALL_PART = 4096


def _malformed() -> S3Error:
    return S3Error(
        400,
        "MalformedPOSTRequest",
        "The body of your POST request is not well-formed multipart/form-data.",
    )


class BucketUpload(FileUploadHandler):
    """Checks the policy when the file part starts; keeps the file in memory up to the cap."""

    def __init__(self, request: HttpRequest, bucket: str) -> None:
        super().__init__(request)
        self.bucket = bucket
        self.parser: MultiPartParser | None = None
        self.small: dict[str, bytearray] = {}
        self.part = ""
        self.size = 0
        self.error: S3Error | None = None
        self.application: Application | None = None
        self.fields: dict[str, str] = {}
        self.content: bytearray | None = None

    def form_fields(self) -> dict[str, str]:
        # The form fields the parser has read so far (the policy comes before the file). The
        # parser keeps them in ``_post`` until it returns; without it nothing verifies.
        post: QueryDict = getattr(self.parser, "_post", None) or QueryDict()
        fields = {key: str(post.get(key, "")) for key in post}
        for name, data in self.small.items():
            fields.setdefault(name, data.decode("utf-8", "replace"))
        return fields

    def refuse(self, error: S3Error) -> None:
        self.error = error
        raise StopUpload(connection_reset=True)  # stop reading: nothing more is wanted

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.part, self.size = field_name, 0
        if field_name == "file":
            if self.content is not None:
                self.refuse(S3Error(400, "InvalidArgument", "POST requires exactly one file."))
            self.fields = self.form_fields()
            try:
                self.application = check_policy(self.bucket, self.fields)
            except S3Error as exc:
                self.refuse(exc)
            except (KeyError, ValueError, TypeError):
                self.refuse(_malformed())
            self.content = bytearray()
        else:
            self.small[field_name] = bytearray()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        if self.part == "file" and self.content is not None:
            if self.size > BUCKET_MAX_BYTES:
                self.refuse(too_large())
            self.content += raw_data
        elif self.size <= SMALL_PART:
            self.small[self.part] += raw_data
        else:
            self.small.pop(self.part, None)  # a large non-file part is no form field

    def file_complete(self, file_size: int) -> None:
        return None  # the content stays here; nothing goes to request.FILES


def _xml(error: S3Error, request_id: str) -> HttpResponse:
    return HttpResponse(error.xml(request_id), status=error.status, content_type="application/xml")


def receive_upload(request: HttpRequest, bucket: str) -> HttpResponse:
    """Answer a presigned POST to the bucket (204, or S3's XML error)."""
    request_id = uuid.uuid4().hex[:16].upper()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _xml(_malformed(), request_id)
    if declared > BUCKET_MAX_BYTES + FIELDS_ALLOWANCE:
        return _xml(too_large(), request_id)  # before reading a byte of it
    handler = BucketUpload(request, bucket)
    try:
        if request.content_type == "multipart/form-data":
            stream = cast("IO[bytes]", request)  # an HttpRequest reads like a file
            parser = MultiPartParser(request.META, stream, [handler], request.encoding)
            handler.parser = parser
            parser.parse()
        else:
            # No file part can come this way; the fields still say which error S3 gives.
            handler.fields = {key: str(request.POST.get(key, "")) for key in request.POST}
    except (MultiPartParserError, BadRequest, ValueError, TypeError):
        return _xml(handler.error or _malformed(), request_id)
    if handler.error is not None:
        return _xml(handler.error, request_id)
    try:
        if handler.application is None:  # no file part: the policy decides what to say
            handler.fields = handler.fields or handler.form_fields()
            handler.application = check_policy(bucket, handler.fields)
        content = bytes(handler.content) if handler.content is not None else None
        with transaction.atomic():
            store_upload(handler.application, bucket, handler.fields, content)
    except S3Error as exc:
        return _xml(exc, request_id)
    except (KeyError, ValueError, TypeError):
        return _xml(_malformed(), request_id)
    return HttpResponse(status=204)
