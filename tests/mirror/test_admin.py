"""The admin as the place to run meetings, against the simulator, with and without permissions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import requests
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from django_vonage_meetings import services
from django_vonage_meetings.models import (
    Application,
    DialInNumber,
    Participant,
    Recording,
    Room,
    Session,
    Theme,
    WebhookEvent,
)
from django_vonage_meetings.simulator import controls

ROOMS = "/admin/vonage_meetings/room/"
THEMES = "/admin/vonage_meetings/theme/"
RECORDINGS = "/admin/vonage_meetings/recording/"


def msgs(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def png(size: int, transparent: bool = True) -> io.BytesIO:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0 if transparent else 255))
    image.putpixel((0, 0) if not transparent else (size // 2, size // 2), (255, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    return buffer


def room_form(**overrides):
    data = {
        "display_name": "Planning",
        "type": "instant",
        "join_approval_level": "none",
        "microphone_state": "default",
        "language": "default",
        "is_recording_available": "on",
        "is_chat_available": "on",
        "is_whiteboard_available": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def as_admin(simulator_settings, superuser, admin_client_for):
    return admin_client_for(superuser)


# -- rooms -----------------------------------------------------------------------------------


def test_add_room_creates_it_on_the_api(as_admin, meetings_client):
    response = as_admin.post(f"{ROOMS}add/", room_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    room = Room.objects.get()
    assert room.display_name == "Planning"
    assert meetings_client.get_room(room.vonage_id)["display_name"] == "Planning"


def test_add_long_term_room_with_theme(as_admin):
    theme = services.create_theme({"main_color": "#00ff00", "brand_text": "Green"})
    expires = (timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    response = as_admin.post(
        f"{ROOMS}add/",
        room_form(
            type="long_term",
            expires_at=expires,
            theme=theme.vonage_id,
            join_approval_level="explicit_approval",
            language="de",
        ),
    )
    assert response.status_code == 302
    room = Room.objects.get()
    assert (room.type, room.theme_id, room.join_approval_level, room.language) == (
        "long_term",
        theme.vonage_id,
        "explicit_approval",
        "de",
    )


def test_refusals_are_form_errors_and_store_nothing(as_admin):
    soon = (timezone.now() + dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    response = as_admin.post(f"{ROOMS}add/", room_form(type="long_term", expires_at=soon))
    assert response.status_code == 200
    assert "more than 10 minutes in the future" in response.content.decode()
    response = as_admin.post(f"{ROOMS}add/", room_form(type="long_term"))
    assert "needs an expiry" in response.content.decode()
    assert Room.objects.count() == 0


def test_api_errors_are_shown_not_500(as_admin, simulator_settings):
    controls.set_faults(simulator_settings.application_id, script=[500])
    response = as_admin.post(f"{ROOMS}add/", room_form())
    assert response.status_code == 200
    assert "Vonage refused this" in response.content.decode()
    assert "Internal Server Error" in response.content.decode()
    assert Room.objects.count() == 0


def test_change_long_term_room(as_admin, meetings_client):
    room = services.create_room(
        {
            "display_name": "Board",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=3),
        }
    )
    page = as_admin.get(f"{ROOMS}{room.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="display_name"' not in html  # fixed after creation: read-only
    assert 'name="join_approval_level"' in html
    form = {
        "expires_at": room.expires_at.strftime("%Y-%m-%d %H:%M:%S"),
        "theme": "",
        "join_approval_level": "after_owner_only",
        "microphone_state": "default",
        "language": "default",
        "is_recording_available": "on",
        "is_chat_available": "on",
        "is_whiteboard_available": "on",
    }
    response = as_admin.post(f"{ROOMS}{room.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert meetings_client.get_room(room.vonage_id)["join_approval_level"] == "after_owner_only"
    assert Room.objects.get(pk=room.pk).join_approval_level == "after_owner_only"


def test_instant_room_page_is_read_only(as_admin):
    room = services.create_room({"display_name": "Quick"})
    html = as_admin.get(f"{ROOMS}{room.pk}/change/").content.decode()
    assert "Instant rooms cannot be changed on Vonage" in html
    assert 'name="join_approval_level"' not in html
    assert "Raw payload" in html
    assert room.vonage_id in html


def test_changelist_links_and_search(as_admin):
    room = services.create_room({"display_name": "Findable"})
    services.create_room({"display_name": "Other"})
    html = as_admin.get(ROOMS, {"q": room.meeting_code}).content.decode()
    assert "Findable" in html
    assert "Other" not in html
    assert f'href="{room.host_url}"'.replace("&", "&amp;") in html
    assert 'target="_blank"' in html


def _make(url: str, count: int, prefix: str, theme: Theme) -> None:
    now = timezone.now()
    if url == ROOMS:
        Room.objects.bulk_create(
            Room(
                vonage_id=f"{prefix}{n}",
                display_name=f"Room {n}",
                theme_id=theme.vonage_id,
                host_url="https://h",
                guest_url="https://g",
                created_at=now,
            )
            for n in range(count)
        )
    elif url == THEMES:
        Theme.objects.bulk_create(
            Theme(vonage_id=f"{prefix}{n}", theme_name=f"T{n}") for n in range(count)
        )
        Application.objects.get_or_create(
            vonage_id="app", defaults={"default_theme_id": f"{prefix}0"}
        )
    elif url == RECORDINGS:
        Recording.objects.bulk_create(
            Recording(
                vonage_id=f"{prefix}{n}",
                session_id=f"s{n}",
                room_id=f"r{n}",
                status="uploaded",
                url="https://f",
            )
            for n in range(count)
        )
    elif url.endswith("/participant/"):
        Participant.objects.bulk_create(
            Participant(vonage_id=f"{prefix}{n}", session_id=f"s{n}", name=f"P{n}")
            for n in range(count)
        )
    elif url.endswith("/dialinnumber/"):
        DialInNumber.objects.bulk_create(
            DialInNumber(vonage_id=f"{prefix}{n}", display_name=f"Country {n}")
            for n in range(count)
        )
    elif url.endswith("/session/"):
        Session.objects.bulk_create(
            Session(vonage_id=f"{prefix}{n}", room_id=f"r{n}") for n in range(count)
        )
    else:
        WebhookEvent.objects.bulk_create(
            WebhookEvent(event_type="room:expired", payload={}, dedupe_key=f"{prefix}{n}")
            for n in range(count)
        )


@pytest.mark.parametrize(
    "url",
    [
        ROOMS,
        THEMES,
        RECORDINGS,
        "/admin/vonage_meetings/session/",
        "/admin/vonage_meetings/participant/",
        "/admin/vonage_meetings/dialinnumber/",
        "/admin/vonage_meetings/webhookevent/",
    ],
)
def test_changelist_queries_do_not_grow_with_rows(as_admin, url):
    theme = Theme.objects.create(vonage_id="theme-x", theme_name="X")
    _make(url, 10, "small-", theme)
    as_admin.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert as_admin.get(url).status_code == 200
    _make(url, 1000, "large-", theme)
    with CaptureQueriesContext(connection) as large:
        assert as_admin.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"][:80] for q in large]


def test_lists_never_call_the_api(as_admin, simulator_settings):
    controls.set_faults(simulator_settings.application_id, ratios={"500": 1.0})
    for url in (
        ROOMS,
        THEMES,
        RECORDINGS,
        "/admin/vonage_meetings/session/",
        "/admin/vonage_meetings/dialinnumber/",
    ):
        assert as_admin.get(url).status_code == 200


def test_sync_now(as_admin, simulator_settings):
    controls.seed(simulator_settings.application_id, 7, themes=2)
    assert as_admin.get(f"{ROOMS}sync/").status_code == 405
    response = as_admin.post(f"{ROOMS}sync/")
    assert response.status_code == 302
    assert msgs(response) == [
        "Synced themes: 2 created, 0 updated, 0 unchanged; rooms: 7 created, 0 updated, 0 unchanged."
    ]
    assert Room.objects.count() == 7
    assert 'data-testid="sync-now"' in as_admin.get(ROOMS).content.decode()


def test_sync_now_reports_api_errors(as_admin, simulator_settings):
    controls.set_faults(simulator_settings.application_id, ratios={"500": 1.0})
    response = as_admin.post(f"{ROOMS}sync/", follow=True)
    assert response.status_code == 200
    assert any(m.startswith("Vonage said: 500") for m in msgs(response))


def test_refresh_action(as_admin, meetings_client):
    room = services.create_room(
        {
            "display_name": "Board",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=3),
        }
    )
    meetings_client.update_room(room.vonage_id, {"join_approval_level": "explicit_approval"})
    response = as_admin.post(
        ROOMS, {"action": "refresh_from_vonage", "_selected_action": [room.pk]}
    )
    assert response.status_code == 302
    assert Room.objects.get(pk=room.pk).join_approval_level == "explicit_approval"


def test_rooms_cannot_be_deleted(as_admin):
    room = services.create_room({"display_name": "Forever"})
    assert as_admin.get(f"{ROOMS}{room.pk}/delete/").status_code == 403


# -- permissions -----------------------------------------------------------------------------


def test_view_only_staff(simulator_settings, staff_with, admin_client_for):
    client = admin_client_for(staff_with("view_room", "view_theme"))
    room = services.create_room({"display_name": "Seen"})
    assert client.get(ROOMS).status_code == 200
    assert 'data-testid="sync-now"' not in client.get(ROOMS).content.decode()
    assert client.post(f"{ROOMS}sync/").status_code == 403
    assert client.get(f"{ROOMS}add/").status_code == 403
    page = client.get(f"{ROOMS}{room.pk}/change/")
    assert page.status_code == 200
    assert 'name="join_approval_level"' not in page.content.decode()
    refused = client.post(ROOMS, {"action": "refresh_from_vonage", "_selected_action": [room.pk]})
    # The action is not offered without "change": Django redisplays the list, calls nothing.
    assert refused.status_code == 200
    assert 'value="refresh_from_vonage"' not in refused.content.decode()
    assert msgs(refused) == []


def test_no_permission_at_all(simulator_settings, staff_with, admin_client_for):
    client = admin_client_for(staff_with())
    for url in (ROOMS, THEMES, RECORDINGS, f"{ROOMS}add/"):
        assert client.get(url).status_code == 403
    assert client.post(f"{THEMES}sync/").status_code == 403


# -- themes ----------------------------------------------------------------------------------


def test_theme_add_and_edit(as_admin, meetings_client):
    response = as_admin.post(
        f"{THEMES}add/", {"theme_name": "Brand", "main_color": "#ff0000", "brand_text": "Acme"}
    )
    assert response.status_code == 302
    theme = Theme.objects.get()
    assert meetings_client.get_theme(theme.vonage_id)["brand_text"] == "Acme"
    response = as_admin.post(
        f"{THEMES}{theme.pk}/change/",
        {
            "theme_name": "Brand",
            "main_color": "#ff0000",
            "brand_text": "Acme 2",
            "short_company_url": "",
        },
    )
    assert response.status_code == 302
    assert meetings_client.get_theme(theme.vonage_id)["brand_text"] == "Acme 2"


def test_theme_conflict_is_a_form_error(as_admin):
    services.create_theme({"theme_name": "Taken", "main_color": "#fff", "brand_text": "x"})
    response = as_admin.post(
        f"{THEMES}add/", {"theme_name": "Taken", "main_color": "#000000", "brand_text": "y"}
    )
    assert response.status_code == 200
    assert "theme_name already exists in application" in response.content.decode()
    assert Theme.objects.count() == 1


def test_theme_delete_offers_force(as_admin, meetings_client):
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Used"})
    room = services.create_room({"display_name": "Using", "theme_id": theme.vonage_id})
    page = as_admin.get(f"{THEMES}{theme.pk}/delete/")
    assert "1 room here uses it" in page.content.decode()
    refused = as_admin.post(f"{THEMES}{theme.pk}/delete/")
    html = refused.content.decode()
    assert refused.status_code == 200
    assert f"Theme {theme.vonage_id} is used by 1 room" in html
    assert 'data-testid="force-delete"' in html
    assert Theme.objects.filter(pk=theme.pk).exists()
    forced = as_admin.post(f"{THEMES}{theme.pk}/delete/", {"force": "1"})
    assert forced.status_code == 302
    assert not Theme.objects.exists()
    assert Room.objects.get(pk=room.pk).theme_id is None
    assert meetings_client.get_themes() == []


def test_make_default(as_admin):
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Default"})
    response = as_admin.post(THEMES, {"action": "make_default", "_selected_action": [theme.pk]})
    assert response.status_code == 302
    assert Application.objects.get().default_theme_id == theme.vonage_id
    assert "icon-yes" in as_admin.get(THEMES).content.decode()


def test_logo_form(as_admin):
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Logos"})
    url = f"{THEMES}{theme.pk}/logos/"
    assert as_admin.get(url).status_code == 200
    bad = as_admin.post(url, {"favicon": png(64)})
    assert bad.status_code == 200
    assert "favicon must be square, 16x16 to 32x32" in bad.content.decode()
    not_png = io.BytesIO(b"GIF89a....")
    not_png.name = "x.gif"
    assert "Not a PNG image" in as_admin.post(url, {"white": not_png}).content.decode()
    opaque = as_admin.post(url, {"white": png(50, transparent=False)})
    assert "Vonage refused it: the background must be transparent." in opaque.content.decode()
    ok = as_admin.post(url, {"white": png(100), "favicon": png(32)})
    assert ok.status_code == 302
    theme.refresh_from_db()
    assert theme.brand_image_white_url
    assert theme.branded_favicon_url
    assert "<img" in as_admin.get(THEMES).content.decode()


# -- recordings, sessions, events ------------------------------------------------------------


def test_delete_recordings_on_vonage(as_admin):
    room = services.create_room({"display_name": "rec"})
    uploaded = services.refresh_recording(
        str(controls.create_recording(room.vonage_id).recording_id)
    )
    started = services.refresh_recording(
        str(controls.create_recording(room.vonage_id, status="started").recording_id)
    )
    confirm = as_admin.post(
        RECORDINGS, {"action": "delete_on_vonage", "_selected_action": [uploaded.pk, started.pk]}
    )
    assert confirm.status_code == 200
    assert "Vonage only deletes uploaded recordings" in confirm.content.decode()
    done = as_admin.post(
        RECORDINGS,
        {
            "action": "delete_on_vonage",
            "_selected_action": [uploaded.pk, started.pk],
            "post": "yes",
        },
    )
    assert done.status_code == 302
    messages = msgs(done)
    assert any("Can only delete recordings in 'uploaded' status" in m for m in messages)
    assert "Deleted 1 recording on Vonage." in messages
    assert list(Recording.objects.values_list("pk", flat=True)) == [started.pk]


def test_delete_on_vonage_needs_delete_permission(simulator_settings, staff_with, admin_client_for):
    client = admin_client_for(staff_with("view_recording", "change_recording"))
    Recording.objects.create(vonage_id="rec-x", status="uploaded")
    html = client.get(RECORDINGS).content.decode()
    assert "refresh_from_vonage" in html
    assert "delete_on_vonage" not in html


def test_session_page_shows_participants_and_recordings(as_admin):
    session = Session.objects.create(
        vonage_id="2_MX4page-fg", room_id="r1", started_at=timezone.now()
    )
    session.participants.create(vonage_id="p1", name="Ada", is_host=True, joined_at=timezone.now())
    Recording.objects.create(
        vonage_id="rec-1", session_id=session.vonage_id, status="uploaded", url="https://f/x.mp4"
    )
    html = as_admin.get(f"/admin/vonage_meetings/session/{session.pk}/change/").content.decode()
    assert "Ada" in html
    assert "rec-1" in html
    recording = Recording.objects.get()
    assert (
        f'href="{RECORDINGS}{recording.pk}/download/"' in html
    )  # a fresh link, not the stored one
    assert "https://f/x.mp4" not in html
    assert 'name="_save"' not in html


def test_webhook_event_reprocess(as_admin, webhook_settings, settings):
    event = WebhookEvent.objects.create(
        event_type="session:started",
        dedupe_key="k",
        status="failed",
        payload={"event": "session:started", "session_id": "s-re", "room_id": "r"},
    )
    page = as_admin.get(f"/admin/vonage_meetings/webhookevent/{event.pk}/change/").content.decode()
    assert "session:started" in page
    assert 'name="_save"' not in page
    response = as_admin.post(
        "/admin/vonage_meetings/webhookevent/",
        {"action": "reprocess", "_selected_action": [event.pk]},
    )
    assert response.status_code == 302
    assert msgs(response) == ["1 processed, 0 failed again, 0 already done."]
    event.refresh_from_db()
    assert event.status == "processed"
    assert as_admin.get("/admin/vonage_meetings/webhookevent/add/").status_code == 403


def png_bytes(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    return buffer


def test_logo_form_checks_what_it_can_before_uploading(as_admin, simulator_settings):
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Logos"})
    url = f"{THEMES}{theme.pk}/logos/"
    controls.set_faults(simulator_settings.application_id, ratios={"500": 1.0})  # no API call
    broken = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10)
    broken.name = "broken.png"
    response = as_admin.post(url, {"colored": broken})
    assert response.status_code == 200
    assert "Not a readable PNG image." in response.content.decode()
    no_alpha = png_bytes(Image.new("RGB", (40, 40), (255, 255, 255)))
    response = as_admin.post(url, {"colored": no_alpha})
    assert "this image has no transparency" in response.content.decode()
    big = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024))
    big.name = "big.png"
    assert "Larger than 1 MB" in as_admin.post(url, {"white": big}).content.decode()
    assert "Choose at least one image." in as_admin.post(url, {}).content.decode()
    theme.refresh_from_db()
    assert theme.brand_image_colored_url == ""


def test_logo_form_uploads_what_vonage_accepts_and_says_what_it_refused(as_admin):
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Logos"})
    url = f"{THEMES}{theme.pk}/logos/"
    response = as_admin.post(url, {"white": png(100), "colored": png(40, transparent=False)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vonage refused it: the background must be transparent." in html
    assert msgs(response) == ["Uploaded: White logo."]
    theme.refresh_from_db()
    assert theme.brand_image_white_url
    assert theme.brand_image_colored_url == ""
    assert theme.brand_image_white_url in html  # the preview shows what went through


def test_theme_edit_clears_the_short_company_url(as_admin, meetings_client):
    theme = services.create_theme(
        {
            "theme_name": "Acme",
            "main_color": "#ff0000",
            "brand_text": "A",
            "short_company_url": "acme",
        }
    )
    form = {
        "theme_name": "Acme",
        "main_color": "#ff0000",
        "brand_text": "A",
        "short_company_url": "",
    }
    response = as_admin.post(f"{THEMES}{theme.pk}/change/", form)
    assert response.status_code == 302
    assert meetings_client.get_theme(theme.vonage_id)["short_company_url"] is None
    assert Theme.objects.get(pk=theme.pk).short_company_url == ""
    cleared_name = as_admin.post(f"{THEMES}{theme.pk}/change/", {**form, "theme_name": ""})
    assert cleared_name.status_code == 200
    assert "This field is required." in cleared_name.content.decode()
    assert meetings_client.get_theme(theme.vonage_id)["theme_name"] == "Acme"


def test_theme_refresh_action(as_admin, meetings_client):
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Old"})
    meetings_client.update_theme(theme.vonage_id, {"brand_text": "New"})
    response = as_admin.post(
        THEMES, {"action": "refresh_from_vonage", "_selected_action": [theme.pk]}
    )
    assert response.status_code == 302
    assert msgs(response) == ["Refreshed 1 theme."]
    assert Theme.objects.get(pk=theme.pk).brand_text == "New"


def test_download_asks_the_api_for_a_fresh_url(as_admin):
    room = services.create_room({"display_name": "rec"})
    local = services.refresh_recording(str(controls.create_recording(room.vonage_id).recording_id))
    # What a sync stored an hour ago: presigned, expired.
    Recording.objects.filter(pk=local.pk).update(url="https://expired.example/archive.mp4?X=1")
    listed = as_admin.get(RECORDINGS).content.decode()
    assert f'href="{RECORDINGS}{local.pk}/download/"' in listed
    assert "expired.example" not in listed

    response = as_admin.get(f"{RECORDINGS}{local.pk}/download/")
    assert response.status_code == 302
    fresh = response["Location"]
    assert fresh.startswith(room.data["_links"]["host_url"]["href"].split("/simulator/")[0])
    assert "X-Amz-Signature=" in fresh
    file = requests.get(fresh, timeout=10)
    assert file.status_code == 200
    assert file.headers["Content-Type"] == "video/mp4"


def test_download_of_a_recording_not_uploaded_says_why(as_admin):
    room = services.create_room({"display_name": "rec"})
    made = controls.create_recording(room.vonage_id, status="started")
    local = services.refresh_recording(str(made.recording_id))
    response = as_admin.get(f"{RECORDINGS}{local.pk}/download/")
    assert response.status_code == 302
    assert response["Location"] == RECORDINGS
    assert msgs(response) == [
        f"Vonage said: recording {made.recording_id} has no download link yet (status: started)"
    ]


def test_download_needs_view_permission(simulator_settings, staff_with, admin_client_for):
    recording = Recording.objects.create(vonage_id="rec-d", status="uploaded", url="https://f/x")
    client = admin_client_for(staff_with("view_room"))
    assert client.get(f"{RECORDINGS}{recording.pk}/download/").status_code == 404
    assert client.get(f"{RECORDINGS}999999/download/").status_code == 404


def test_recording_refresh_action(as_admin):
    room = services.create_room({"display_name": "rec"})
    made = controls.create_recording(room.vonage_id)
    Recording.objects.create(vonage_id=str(made.recording_id), status="started")
    local = Recording.objects.get()
    response = as_admin.post(
        RECORDINGS,
        {"action": "refresh_from_vonage", "_selected_action": [local.pk, local.pk]},
    )
    assert response.status_code == 302
    assert msgs(response) == ["Refreshed 1 recording."]
    local.refresh_from_db()
    assert (local.status, local.session_id) == ("uploaded", made.session.session_id)
    assert local.url


def test_instant_room_cannot_be_posted(as_admin):
    room = services.create_room({"display_name": "Quick"})
    before = Room.objects.values().get(pk=room.pk)
    page = as_admin.get(f"{ROOMS}{room.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert as_admin.post(f"{ROOMS}{room.pk}/change/", {}).status_code == 403
    assert Room.objects.values().get(pk=room.pk) == before


def test_add_room_with_misconfigured_webhooks_is_a_form_error(as_admin, settings):
    settings.VONAGE_MEETINGS = {
        **settings.VONAGE_MEETINGS,
        "WEBHOOK_BASE_URL": "https://app.example.com",
        "SIGNATURE_SECRETS": [],
    }
    response = as_admin.post(f"{ROOMS}add/", room_form())
    assert response.status_code == 200
    assert "Vonage Meetings is not configured" in response.content.decode()
    assert Room.objects.count() == 0


def test_sync_now_syncs_only_what_the_user_may_change(
    simulator_settings, staff_with, admin_client_for
):
    controls.seed(simulator_settings.application_id, 4, themes=2)
    client = admin_client_for(staff_with("view_room", "change_room", "view_theme"))
    response = client.post(f"{ROOMS}sync/")
    assert response.status_code == 302
    assert msgs(response) == ["Synced rooms: 4 created, 0 updated, 0 unchanged."]
    assert Room.objects.count() == 4
    assert Theme.objects.count() == 0  # themes need change_theme
    assert client.post(f"{THEMES}sync/").status_code == 403


def test_theme_pages_without_change_or_delete_permission(
    simulator_settings, staff_with, admin_client_for
):
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Guarded"})
    client = admin_client_for(staff_with("view_theme"))
    html = client.get(THEMES).content.decode()
    assert 'value="make_default"' not in html
    assert 'data-testid="sync-now"' not in html
    refused = client.post(THEMES, {"action": "make_default", "_selected_action": [theme.pk]})
    assert refused.status_code == 200
    assert Application.objects.get().default_theme_id is None
    assert client.get(f"{THEMES}add/").status_code == 403
    assert client.get(f"{THEMES}{theme.pk}/logos/").status_code == 403
    assert client.post(f"{THEMES}{theme.pk}/logos/", {"white": png(10)}).status_code == 403
    assert client.get(f"{THEMES}{theme.pk}/delete/").status_code == 403
    assert client.post(f"{THEMES}{theme.pk}/delete/", {"force": "1"}).status_code == 403
    page = client.get(f"{THEMES}{theme.pk}/change/").content.decode()
    assert 'data-testid="upload-logos"' not in page
    assert 'name="brand_text"' not in page
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_recordings_without_change_permission(simulator_settings, staff_with, admin_client_for):
    client = admin_client_for(staff_with("view_recording"))
    recording = Recording.objects.create(vonage_id="rec-v", status="uploaded")
    html = client.get(RECORDINGS).content.decode()
    assert "refresh_from_vonage" not in html
    assert "delete_on_vonage" not in html
    for action in ("refresh_from_vonage", "delete_on_vonage"):
        client.post(
            RECORDINGS, {"action": action, "_selected_action": [recording.pk], "post": "yes"}
        )
    assert Recording.objects.filter(pk=recording.pk).exists()
    assert client.post(f"{RECORDINGS}sync/").status_code == 403


def test_view_only_staff_sees_a_long_term_room_read_only(
    simulator_settings, staff_with, admin_client_for
):
    client = admin_client_for(staff_with("view_room"))
    room = services.create_room(
        {
            "display_name": "Board",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=3),
        }
    )
    page = client.get(f"{ROOMS}{room.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Board" in html
    assert 'name="join_approval_level"' not in html
    assert 'name="_save"' not in html
    assert client.post(f"{ROOMS}{room.pk}/change/", {}).status_code == 403


def test_room_change_refused_is_a_form_error_and_changes_nothing(as_admin, meetings_client):
    room = services.create_room(
        {
            "display_name": "Board",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=3),
        }
    )
    before = Room.objects.values().get(pk=room.pk)
    soon = (timezone.now() + dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    response = as_admin.post(
        f"{ROOMS}{room.pk}/change/",
        {
            "expires_at": soon,
            "theme": "",
            "join_approval_level": "explicit_approval",
            "microphone_state": "default",
            "language": "default",
            "is_recording_available": "on",
            "is_chat_available": "on",
            "is_whiteboard_available": "on",
        },
    )
    assert response.status_code == 200
    assert "more than 10 minutes in the future" in response.content.decode()
    assert Room.objects.values().get(pk=room.pk) == before
    assert meetings_client.get_room(room.vonage_id)["join_approval_level"] == "none"


def test_theme_rename_conflict_changes_nothing(as_admin):
    services.create_theme({"theme_name": "Taken", "main_color": "#fff", "brand_text": "x"})
    mine = services.create_theme({"theme_name": "Mine", "main_color": "#fff", "brand_text": "y"})
    before = Theme.objects.values().get(pk=mine.pk)
    response = as_admin.post(
        f"{THEMES}{mine.pk}/change/",
        {
            "theme_name": "Taken",
            "main_color": "#ffffff",
            "brand_text": "y",
            "short_company_url": "",
        },
    )
    assert response.status_code == 200
    assert "Vonage refused this" in response.content.decode()
    assert Theme.objects.values().get(pk=mine.pk) == before


def test_make_default_refused_is_a_message(as_admin, simulator_settings):
    theme = services.create_theme({"main_color": "#fff", "brand_text": "Default"})
    controls.set_faults(simulator_settings.application_id, ratios={"500": 1.0})
    response = as_admin.post(THEMES, {"action": "make_default", "_selected_action": [theme.pk]})
    assert response.status_code == 302
    assert any(m.startswith("Vonage said: 500") for m in msgs(response))
    # The application's row exists (it owns the theme), with no default theme set.
    assert Application.objects.get().default_theme_id is None
