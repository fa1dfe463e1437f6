"""Every method writes exactly what the service expected and reads what it answered."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from django_vonage_meetings.exceptions import LogoUploadError, MeetingsValidationError
from tests.fixtures.client import TINY_PNG, Reply, presigned_forms

ROOM = {"id": "r1", "display_name": "Weekly", "type": "instant"}
THEME = {"theme_id": "t1", "theme_name": "Brand", "main_color": "#12f64e", "brand_text": "Acme"}
PNG = TINY_PNG


@pytest.mark.parametrize("status", [200, 201])
def test_create_room_accepts_200_or_201(make_client, scripted_server, status):
    scripted_server.script("POST", "/v1/meetings/rooms", Reply(status, ROOM))
    assert make_client().create_room({"display_name": "Weekly"}) == ROOM
    sent = scripted_server.requests[0]
    assert sent.json() == {"display_name": "Weekly"}
    assert sent.headers["Content-Type"] == "application/json"


def test_create_long_term_room_sends_iso_utc(make_client, scripted_server):
    scripted_server.script("POST", "/v1/meetings/rooms", Reply(201, ROOM))
    when = dt.datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    make_client().create_room(
        {
            "display_name": "Board",
            "type": "long_term",
            "expires_at": when,
            "joinApprovalLevel": "explicit_approval",
            "ui_settings": {"language": "ES"},
            "recording_options": {"auto_record": True, "record_only_owner": False},
        }
    )
    assert scripted_server.requests[0].json() == {
        "display_name": "Board",
        "type": "long_term",
        "expires_at": "2031-05-06T05:08:09.123Z",
        "join_approval_level": "explicit_approval",
        "ui_settings": {"language": "es"},
        "recording_options": {"auto_record": True, "record_only_owner": False},
    }


def test_get_room_normalises_camel_case(make_client, scripted_server):
    scripted_server.script(
        "GET", "/v1/meetings/rooms/r1", Reply(200, {**ROOM, "joinApprovalLevel": "none"})
    )
    assert make_client().get_room("r1")["join_approval_level"] == "none"


@pytest.mark.parametrize("given", [{"theme_id": "t1"}, {"update_details": {"theme_id": "t1"}}])
def test_update_room_wraps_in_update_details(make_client, scripted_server, given):
    scripted_server.script("PATCH", "/v1/meetings/rooms/r1", Reply(200, ROOM))
    make_client().update_room("r1", given)
    assert scripted_server.requests[0].json() == {"update_details": {"theme_id": "t1"}}


@pytest.mark.parametrize("body", [[], {}])
def test_empty_theme_list_in_both_forms(make_client, scripted_server, body):
    scripted_server.script("GET", "/v1/meetings/themes", Reply(200, body))
    assert make_client().get_themes() == []


def test_theme_crud(make_client, scripted_server):
    scripted_server.script("GET", "/v1/meetings/themes", Reply(200, [THEME]))
    scripted_server.script("POST", "/v1/meetings/themes", Reply(201, THEME))
    scripted_server.script("GET", "/v1/meetings/themes/t1", Reply(200, THEME))
    scripted_server.script("PATCH", "/v1/meetings/themes/t1", Reply(200, THEME))
    client = make_client()
    assert client.get_themes() == [THEME]
    assert client.create_theme({"main_color": "#12f64e", "brand_text": "Acme"}) == THEME
    assert client.get_theme("t1") == THEME
    client.update_theme("t1", {"brand_text": "Acme 2"})
    posted, patched = scripted_server.calls("POST")[0], scripted_server.calls("PATCH")[0]
    assert posted.json() == {"main_color": "#12f64e", "brand_text": "Acme"}
    assert patched.json() == {"update_details": {"brand_text": "Acme 2"}}


@pytest.mark.parametrize(("force", "query"), [(False, {}), (True, {"force": ["true"]})])
@pytest.mark.parametrize("status", [200, 204])
def test_delete_theme_force_only_when_asked(make_client, scripted_server, force, query, status):
    scripted_server.script(
        "DELETE", "/v1/meetings/themes/t1", Reply(status, {} if status == 200 else None)
    )
    assert make_client().delete_theme("t1", force=force) is None
    assert scripted_server.requests[0].query == query


def test_set_default_theme(make_client, scripted_server):
    answer = {"application_id": "app-123", "account_id": "acc", "default_theme_id": "t1"}
    scripted_server.script("PATCH", "/v1/meetings/applications", Reply(200, answer))
    assert make_client().set_default_theme("t1") == answer
    assert scripted_server.requests[0].json() == {"update_details": {"default_theme_id": "t1"}}


def test_recordings_and_numbers(make_client, scripted_server):
    rec = {"id": "rec1", "session_id": "s1", "status": "uploaded"}
    scripted_server.script("GET", "/v1/meetings/recordings/rec1", Reply(200, rec))
    scripted_server.script("DELETE", "/v1/meetings/recordings/rec1", Reply(204))
    scripted_server.script(
        "GET",
        "/v1/meetings/sessions/s1/recordings",
        Reply(200, {"_embedded": {"recordings": [rec]}}),
    )
    numbers = [{"number": "442381924626", "locale": "en-GB", "display_name": "United Kingdom"}]
    scripted_server.script("GET", "/v1/meetings/dial-in-numbers", Reply(200, numbers))
    client = make_client()
    assert client.get_recording("rec1") == rec
    assert client.delete_recording("rec1") is None
    assert client.get_session_recordings("s1") == [rec]
    assert client.get_dial_in_numbers() == numbers


def test_upload_icon_in_three_steps(make_client, scripted_server, tmp_path):
    s3 = f"{scripted_server.url}/s3/bucket"
    scripted_server.script(
        "GET", "/v1/meetings/themes/logos-upload-urls", Reply(200, presigned_forms(s3))
    )
    scripted_server.script("POST", "/s3/bucket", Reply(204))
    scripted_server.script("PUT", "/v1/meetings/themes/t1/finalizeLogos", Reply(200, "OK"))
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    key = make_client().upload_icon("t1", "colored", logo)
    assert key == "auto-expiring-temp/logos/colored/abc"

    upload = scripted_server.calls("POST", "/s3/bucket")[0]
    assert "Authorization" not in upload.headers
    content_type = upload.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=")[1].encode()
    parts = [p for p in upload.body.split(b"--" + boundary) if p.strip(b"-\r\n")]
    names = [p.split(b'name="')[1].split(b'"')[0].decode() for p in parts]
    assert names == [
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
        "file",
    ]
    assert b'name="logoType"\r\n\r\ncolored\r\n' in parts[2]
    assert b'filename="logo.png"' in parts[-1]
    assert b"Content-Type: image/png" in parts[-1]
    assert parts[-1].rstrip(b"\r\n").endswith(PNG)
    assert all(b"filename=" not in p for p in parts[:-1])
    # And byte for byte: every field as a plain part in the form's order, then the file.
    fields = presigned_forms(s3)[1]["fields"]
    expected = b"".join(
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary, name.encode(), value.encode())
        for name, value in fields.items()
    )
    expected += (
        b'--%s\r\nContent-Disposition: form-data; name="file"; filename="logo.png"\r\n'
        b"Content-Type: image/png\r\n\r\n%s\r\n--%s--\r\n" % (boundary, PNG, boundary)
    )
    assert upload.body == expected
    assert upload.headers["Content-Length"] == str(len(expected))

    finalize = scripted_server.calls("PUT")[0]
    assert finalize.json() == {"keys": ["auto-expiring-temp/logos/colored/abc"]}
    assert finalize.headers["Authorization"].startswith("Bearer ")


def test_s3_xml_error_is_clear(make_client, scripted_server):
    s3 = f"{scripted_server.url}/s3/bucket"
    scripted_server.script(
        "GET", "/v1/meetings/themes/logos-upload-urls", Reply(200, presigned_forms(s3))
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
        "<Message>Invalid according to Policy: Policy expired.</Message>"
        "<RequestId>1</RequestId></Error>"
    )
    scripted_server.script(
        "POST", "/s3/bucket", Reply(403, xml, {"Content-Type": "application/xml"})
    )
    with pytest.raises(LogoUploadError) as info:
        make_client().upload_icon("t1", "white", io.BytesIO(PNG))
    assert info.value.status_code == 403
    assert info.value.name == "AccessDenied"
    assert "Policy expired" in str(info.value)
    assert scripted_server.calls("PUT") == []


@pytest.mark.parametrize(
    ("content", "logo_type", "message"),
    [
        (b"GIF89a....", "white", "is not a PNG"),
        (PNG + b"\x00" * (1024 * 1024), "white", "larger than 1 MB"),
        (PNG, "purple", "Must be one of white, colored, favicon"),
    ],
)
def test_logo_checked_locally_first(make_client, scripted_server, content, logo_type, message):
    with pytest.raises(MeetingsValidationError, match=message):
        make_client().upload_icon("t1", logo_type, io.BytesIO(content))
    assert scripted_server.requests == []


def test_missing_logo_file(make_client, scripted_server, tmp_path):
    with pytest.raises(MeetingsValidationError, match="No file at"):
        make_client().upload_icon("t1", "white", tmp_path / "nope.png")
    assert scripted_server.requests == []


def test_ids_are_one_quoted_path_segment(make_client, scripted_server):
    scripted_server.script("GET", "/v1/meetings/rooms/a%2F..%2Fthemes%3Fx", Reply(200, ROOM))
    assert make_client().get_room("a/../themes?x") == ROOM
    assert scripted_server.requests[0].path == "/v1/meetings/rooms/a%2F..%2Fthemes%3Fx"
    assert scripted_server.requests[0].query == {}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.get_room(""), "room_id"),
        (lambda c: c.update_room(" ", {"theme_id": None}), "room_id"),
        (lambda c: c.get_theme(""), "theme_id"),
        (lambda c: c.delete_theme(None), "theme_id"),
        (lambda c: list(c.get_rooms_for_theme("")), "theme_id"),
        (lambda c: c.finalize_logos("", ["k"]), "theme_id"),
        (lambda c: c.get_recording(""), "recording_id"),
        (lambda c: c.delete_recording(""), "recording_id"),
        (lambda c: c.get_session_recordings(""), "session_id"),
    ],
)
def test_an_empty_id_is_refused_before_sending(make_client, scripted_server, call, field):
    # Without the check, GET /rooms/ would list rooms and DELETE /themes/ hit the collection.
    with pytest.raises(MeetingsValidationError) as info:
        call(make_client())
    assert field in info.value.errors
    assert scripted_server.requests == []


@pytest.mark.parametrize("body", ["<html>captive portal</html>", [ROOM]], ids=["html", "array"])
def test_an_object_endpoint_answering_something_else_is_an_error(
    make_client, scripted_server, body
):
    from django_vonage_meetings.exceptions import MeetingsAPIError

    scripted_server.script("GET", "/v1/meetings/rooms/r1", Reply(200, body))
    with pytest.raises(MeetingsAPIError, match="expected a JSON object"):
        make_client().get_room("r1")


def test_text_mode_logo_is_refused(make_client, scripted_server, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    with logo.open(encoding="latin-1") as handle:
        with pytest.raises(MeetingsValidationError, match="text mode"):
            make_client().upload_icon("t1", "white", handle)
    assert scripted_server.requests == []
