"""The fake S3 bucket refuses before reading what it will refuse.

Issue 15: the bucket endpoint read a 150 MB unauthenticated upload into memory before checking
the policy. Now an over-large ``Content-Length`` is refused before a byte of the body is read,
and a bad policy is refused as soon as the file part starts. Each test sends only the start of
its body over a raw socket to the live server on 127.0.0.1, then waits for the answer: a server
that read on would wait for bytes that never come.
"""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from django_vonage_meetings.simulator.models import StoredObject

BOUNDARY = "----simulator-test-boundary"


def upload_form(simulator_app) -> dict:
    forms = simulator_app.call("GET", "/themes/logos-upload-urls").json()
    return next(f for f in forms if f["fields"]["logoType"] == "white")


def multipart_head(fields: dict[str, str]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        'filename="logo.png"\r\nContent-Type: image/png\r\n\r\n'
    )
    return "".join(parts).encode()


def post_partially(url: str, declared: int, first: bytes) -> tuple[int, str, float]:
    """POST with ``Content-Length: declared`` but send only ``first``; the answer, and how long
    it took to come."""
    parts = urlsplit(url)
    started = time.monotonic()
    assert parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        head = (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {declared}\r\nConnection: close\r\n\r\n"
        ).encode()
        sock.sendall(head + first)
        answer = b""
        while b"\r\n\r\n" not in answer or b"</Error>" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    text = answer.decode("utf-8", "replace")
    return int(text.split(" ", 2)[1]), text, time.monotonic() - started


def test_an_over_large_content_length_is_refused_before_reading(simulator_app):
    form = upload_form(simulator_app)
    status, text, took = post_partially(
        form["url"], 150 * 1024 * 1024, multipart_head(form["fields"]) + b"\x89PNG" * 256
    )
    assert status == 400
    assert "<Code>EntityTooLarge</Code>" in text
    assert took < 5
    assert not StoredObject.objects.exists()


def test_a_bad_policy_is_refused_before_the_file_is_read(simulator_app):
    form = upload_form(simulator_app)
    fields = {**form["fields"], "X-Amz-Signature": "0" * 64}
    head = multipart_head(fields)
    declared = len(head) + 9 * 1024 * 1024 + len(f"\r\n--{BOUNDARY}--\r\n")
    status, text, took = post_partially(form["url"], declared, head + b"\x00" * 65536)
    assert status == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in text
    assert took < 5
    assert not StoredObject.objects.exists()


def test_an_upload_within_the_rules_still_works(simulator_app):
    form = upload_form(simulator_app)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048
    response = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("logo.png", png, "image/png")},
        timeout=10,
    )
    assert response.status_code == 204
    assert bytes(StoredObject.objects.get().content) == png


def test_fields_sent_as_file_parts_still_count(simulator_app):
    """The Python SDK 3.x sends every form field as a file part."""
    form = upload_form(simulator_app)
    files: list[tuple[str, tuple[str, Any, str]]] = [
        (name, (f"{name}.txt", value, "text/plain")) for name, value in form["fields"].items()
    ]
    files.append(("file", ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")))
    response = requests.post(form["url"], files=files, timeout=10)
    assert response.status_code == 204, response.text
