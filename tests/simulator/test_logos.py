"""Logo upload as the service did it: presigned forms, the fake bucket, finalizeLogos' rules."""

from __future__ import annotations

import base64
import io
import json

import pytest
import requests
from PIL import Image

from django_vonage_meetings.simulator.models import StoredObject

FIELDS = [
    "Content-Type",
    "key",
    "logoType",
    "bucket",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Security-Token",
    "Policy",
    "X-Amz-Signature",
]


def png(width: int, height: int, *, transparent: bool = True, mode: str = "RGBA") -> bytes:
    image = Image.new(
        mode,
        (width, height),
        (255, 0, 0, 0 if transparent else 255) if mode == "RGBA" else (255, 0, 0),
    )
    if mode == "RGBA":
        image.putpixel((width // 2, height // 2), (10, 20, 30, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def forms(app):
    response = app.call("GET", "/themes/logos-upload-urls")
    assert response.status_code == 200
    return {f["fields"]["logoType"]: f for f in response.json()}


def upload(form, content: bytes, fields: dict | None = None):
    data = {**form["fields"], **(fields or {})}
    return requests.post(
        form["url"], data=data, files={"file": ("logo.png", content, "image/png")}, timeout=10
    )


def theme(app):
    return app.call("POST", "/themes", json={"main_color": "#fff", "brand_text": "b"}).json()


def finalize(app, theme_id, *keys):
    return app.call("PUT", f"/themes/{theme_id}/finalizeLogos", json={"keys": list(keys)})


def test_upload_forms(simulator_app):
    by_type = forms(simulator_app)
    assert set(by_type) == {"white", "colored", "favicon"}
    for kind, form in by_type.items():
        assert list(form["fields"]) == FIELDS
        assert form["url"] == f"{simulator_app.api_host}/_s3/roomservice-whitelabel-logos-prod"
        assert form["fields"]["key"].startswith(f"auto-expiring-temp/logos/{kind}/")
        assert form["fields"]["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
        policy = json.loads(base64.b64decode(form["fields"]["Policy"]))
        assert policy["expiration"].endswith("Z")
        assert {"key": form["fields"]["key"]} in policy["conditions"]


def test_upload_and_finalize(simulator_app):
    t = theme(simulator_app)
    by_type = forms(simulator_app)
    images = {"white": png(200, 50), "colored": png(300, 300), "favicon": png(32, 32)}
    for kind, content in images.items():
        response = upload(by_type[kind], content)
        assert response.status_code == 204, response.text
    keys = [by_type[k]["fields"]["key"] for k in images]
    response = finalize(simulator_app, t["theme_id"], *keys)
    assert response.status_code == 200
    assert response.text == "OK"
    updated = simulator_app.call("GET", f"/themes/{t['theme_id']}").json()
    for field, url_field, kind in (
        ("brand_image_white", "brand_image_white_url", "white"),
        ("brand_image_colored", "brand_image_colored_url", "colored"),
        ("branded_favicon", "branded_favicon_url", "favicon"),
    ):
        assert updated[field].startswith(f"logos/{t['theme_id']}/{kind}/")
        served = requests.get(updated[url_field], timeout=10)
        assert served.status_code == 200
        assert served.headers["Content-Type"] == "image/png"
        assert served.content == images[kind]


def test_expired_policy(simulator_app, settings):
    settings.VONAGE_MEETINGS_SIMULATOR = {
        **settings.VONAGE_MEETINGS_SIMULATOR,
        "LOGO_POLICY_TTL": -1,
    }
    form = forms(simulator_app)["white"]
    response = upload(form, png(10, 10))
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text
    assert "Invalid according to Policy: Policy expired." in response.text
    assert not StoredObject.objects.exists()


def test_tampered_policy_or_signature(simulator_app):
    form = forms(simulator_app)["white"]
    response = upload(form, png(10, 10), {"X-Amz-Signature": "0" * 64})
    assert response.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text
    policy = json.loads(base64.b64decode(form["fields"]["Policy"]))
    policy["expiration"] = "2999-01-01T00:00:00.000Z"
    forged = base64.b64encode(json.dumps(policy).encode()).decode()
    assert "SignatureDoesNotMatch" in upload(form, png(10, 10), {"Policy": forged}).text


def test_key_must_match_the_policy(simulator_app):
    form = forms(simulator_app)["white"]
    response = upload(form, png(10, 10), {"key": "auto-expiring-temp/logos/white/mine"})
    assert response.status_code == 403
    assert "Policy Condition failed" in response.text


def test_file_part_is_required(simulator_app):
    form = forms(simulator_app)["white"]
    response = requests.post(form["url"], data=form["fields"], timeout=10)
    assert response.status_code == 400
    assert "<Code>InvalidArgument</Code>" in response.text


def test_unknown_key(simulator_app):
    t = theme(simulator_app)
    response = finalize(simulator_app, t["theme_id"], "auto-expiring-temp/logos/white/nope")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "name": "BadRequestError",
        "message": "could not finalize logos",
        "errors": [{"logoKey": "auto-expiring-temp/logos/white/nope", "code": "key_not_found"}],
    }


@pytest.mark.parametrize(
    ("kind", "content", "problem"),
    [
        ("white", b"GIF89a" + b"\x00" * 100, "type"),
        ("white", png(301, 20), "dimensions"),
        ("colored", png(20, 301), "dimensions"),
        ("favicon", png(32, 16), "dimensions"),
        ("favicon", png(33, 33), "dimensions"),
        ("favicon", png(15, 15), "dimensions"),
        ("white", png(50, 50, transparent=False), "transparent_bg"),
        ("white", png(50, 50, mode="RGB"), "transparent_bg"),
    ],
)
def test_image_rules(simulator_app, kind, content, problem):
    t = theme(simulator_app)
    form = forms(simulator_app)[kind]
    assert upload(form, content).status_code == 204
    response = finalize(simulator_app, t["theme_id"], form["fields"]["key"])
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "logoKey": form["fields"]["key"],
            "code": "invalid_logo_properties",
            "invalidProperty": problem,
        }
    ]
    assert simulator_app.call("GET", f"/themes/{t['theme_id']}").json()["brand_image_white"] is None


def test_over_one_megabyte_is_refused_at_finalize(simulator_app):
    """S3 took it; finalizeLogos refused it with exceeds_size, as the service did."""
    t = theme(simulator_app)
    form = forms(simulator_app)["white"]
    content = png(10, 10) + b"\x00" * (1024 * 1024)
    assert upload(form, content).status_code == 204
    response = finalize(simulator_app, t["theme_id"], form["fields"]["key"])
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "logoKey": form["fields"]["key"],
            "code": "invalid_logo_properties",
            "invalidProperty": "exceeds_size",
        }
    ]


def test_too_large_for_the_bucket(simulator_app):
    from django_vonage_meetings.simulator.logos import BUCKET_MAX_BYTES

    form = forms(simulator_app)["white"]
    policy = json.loads(base64.b64decode(form["fields"]["Policy"]))
    assert ["content-length-range", 0, BUCKET_MAX_BYTES] in policy["conditions"]
    response = upload(form, b"\x89PNG\r\n\x1a\n" + b"\x00" * BUCKET_MAX_BYTES)
    assert response.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in response.text
    assert not StoredObject.objects.exists()


def test_malformed_multipart_gets_an_s3_error(simulator_app):
    url = forms(simulator_app)["white"]["url"]
    for content_type in ("multipart/form-data", "multipart/form-data; boundary=\x00"):
        response = requests.post(
            url, data=b"--x\r\nbroken", headers={"Content-Type": content_type}, timeout=10
        )
        assert response.status_code == 400
        assert "<Code>MalformedPOSTRequest</Code>" in response.text


def test_a_new_logo_replaces_the_old_one(simulator_app):
    t = theme(simulator_app)
    first = forms(simulator_app)["white"]
    assert upload(first, png(20, 20)).status_code == 204
    assert finalize(simulator_app, t["theme_id"], first["fields"]["key"]).status_code == 200
    old = simulator_app.call("GET", f"/themes/{t['theme_id']}").json()
    second = forms(simulator_app)["white"]
    assert upload(second, png(30, 30)).status_code == 204
    assert finalize(simulator_app, t["theme_id"], second["fields"]["key"]).status_code == 200
    new = simulator_app.call("GET", f"/themes/{t['theme_id']}").json()
    assert new["brand_image_white"] != old["brand_image_white"]
    assert requests.get(old["brand_image_white_url"], timeout=10).status_code == 404
    assert requests.get(new["brand_image_white_url"], timeout=10).status_code == 200
    # A temporary key is used up by finalizing it.
    again = finalize(simulator_app, t["theme_id"], second["fields"]["key"])
    assert again.json()["errors"][0]["code"] == "key_not_found"
    # Deleting the theme removes its images.
    assert simulator_app.call("DELETE", f"/themes/{t['theme_id']}").status_code == 204
    assert requests.get(new["brand_image_white_url"], timeout=10).status_code == 404
    assert not StoredObject.objects.exists()


def test_keys_of_another_application_are_not_found(simulator_app, other_simulator_app):
    form = forms(other_simulator_app)["white"]
    assert upload(form, png(20, 20)).status_code == 204
    t = theme(simulator_app)
    response = finalize(simulator_app, t["theme_id"], form["fields"]["key"])
    assert response.json()["errors"] == [
        {"logoKey": form["fields"]["key"], "code": "key_not_found"}
    ]


def test_finalize_key_must_be_strings(simulator_app):
    t = theme(simulator_app)
    response = simulator_app.call(
        "PUT", f"/themes/{t['theme_id']}/finalizeLogos", json={"keys": ["ok", 5]}
    )
    assert response.status_code == 400
    assert response.json()["message"] == '"keys[1]" must be a string'


def test_finalize_unknown_theme_and_bad_body(simulator_app):
    missing = "0b6e1c0e-9d33-4a53-9e05-0b2f0e3f5a6b"
    assert finalize(simulator_app, missing, "k").status_code == 404
    t = theme(simulator_app)
    response = simulator_app.call(
        "PUT", f"/themes/{t['theme_id']}/finalizeLogos", json={"keys": []}
    )
    assert response.status_code == 400
    assert response.json()["name"] == "InputValidationError"
