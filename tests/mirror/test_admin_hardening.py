"""Odd API data and odd admin URLs: a message or a 404, never a 500; links only for http(s).

Issue 15: "Sync now" raised KeyError (500) when the API answered a theme without ``theme_id``;
``.../theme/abc/logos/`` and ``.../theme/abc/delete/`` raised ValueError (500); ``javascript:``
URLs from API data were rendered as links.

What the simulator cannot answer (a theme without its id, a ``javascript:`` download link) comes
from the scripted HTTP server.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from django_vonage_meetings import services
from django_vonage_meetings.admin.display import safe_href
from django_vonage_meetings.exceptions import MeetingsAPIError
from django_vonage_meetings.models import Recording, Room, Theme
from tests.fixtures.client import Reply

ROOMS = "/admin/vonage_meetings/room/"
THEMES = "/admin/vonage_meetings/theme/"
RECORDINGS = "/admin/vonage_meetings/recording/"
EVIL = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/\\evil.example/x",
    "/\t/evil.example/x",
    "https:/\t/evil.example",
    "ftp://files.example/x",
    "http:evil.example",
]


def msgs(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def scripted_settings(settings, scripted_server, key_pair, db):
    settings.VONAGE_MEETINGS = {
        "APPLICATION_ID": "app-123",
        "PRIVATE_KEY": key_pair.private_pem,
        "API_HOST": scripted_server.url,
        "SIGNATURE_SECRETS": ["a-signature-secret-of-32-bytes-or-more"],
        "MAX_RETRIES": 0,
    }
    return scripted_server


@pytest.fixture
def as_admin(superuser, admin_client_for):
    return admin_client_for(superuser)


# -- answers without their id -------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer", [{"theme_name": "No id"}, {"theme_id": None}, {"theme_id": ""}, {"theme_id": []}]
)
def test_a_theme_without_its_id_is_a_typed_error(scripted_settings, answer):
    scripted_settings.script("GET", "/v1/meetings/themes", Reply(200, [answer]))
    with pytest.raises(MeetingsAPIError, match="theme_id"):
        services.sync_themes()
    assert Theme.objects.count() == 0


def test_a_room_without_its_id_is_a_typed_error(scripted_settings):
    scripted_settings.script(
        "POST", "/v1/meetings/rooms", Reply(201, {"display_name": "x", "type": "instant"})
    )
    with pytest.raises(MeetingsAPIError, match="room without its id"):
        services.create_room({"display_name": "x"})
    assert Room.objects.count() == 0


def test_a_recording_without_its_id_is_a_typed_error(scripted_settings):
    scripted_settings.script("GET", "/v1/meetings/recordings/r-1", Reply(200, {"status": "x"}))
    with pytest.raises(MeetingsAPIError, match="recording without its id"):
        services.refresh_recording("r-1")
    assert Recording.objects.count() == 0


def test_sync_now_with_a_theme_without_its_id_is_an_admin_message(scripted_settings, as_admin):
    scripted_settings.script("GET", "/v1/meetings/themes", Reply(200, [{"theme_name": "No id"}]))
    response = as_admin.post(f"{THEMES}sync/")
    assert response.status_code == 302
    (message,) = msgs(response)
    assert message.startswith("Vonage said:")
    assert "theme_id" in message
    assert Theme.objects.count() == 0


# -- malformed ids in admin URLs ---------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["logos/", "delete/"])
@pytest.mark.parametrize("object_id", ["abc", "1.5", "-", "%20", "9" * 40])
def test_a_malformed_theme_id_is_404(as_admin, suffix, object_id):
    assert as_admin.get(f"{THEMES}{object_id}/{suffix}").status_code == 404
    assert as_admin.post(f"{THEMES}{object_id}/{suffix}", {"force": "1"}).status_code == 404


def test_an_unknown_theme_id_is_404(as_admin):
    assert as_admin.get(f"{THEMES}987654/logos/").status_code == 404
    assert as_admin.get(f"{THEMES}987654/delete/").status_code == 404


# -- links only for http(s) and site-relative paths -------------------------------------------


@pytest.mark.parametrize("url", EVIL)
def test_safe_href_refuses_other_schemes(url):
    assert safe_href(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://meetings.vonage.com/?room_token=1&participant_token=x",
        "HTTP://example.com/a",
        "/simulator/meet/123456789",
        "/",
    ],
)
def test_safe_href_keeps_web_links(url):
    assert safe_href(url) == url


@pytest.mark.parametrize("url", EVIL)
def test_room_links_from_api_data_are_text_unless_http(as_admin, url):
    room = Room.objects.create(
        vonage_id="r-evil", display_name="Evil", host_url=url, guest_url=url, type="instant"
    )
    for page in (ROOMS, f"{ROOMS}{room.pk}/change/"):
        html = as_admin.get(page).content.decode()
        assert 'href="javascript' not in html.lower()
        assert 'href="data:' not in html.lower()
        assert 'href="//' not in html
        assert "Open as host" not in html


def test_room_links_that_are_web_links_stay_links(as_admin):
    room = Room.objects.create(
        vonage_id="r-ok",
        display_name="Fine",
        host_url="https://h.example/?room_token=1",
        guest_url="/simulator/meet/123",
        type="instant",
    )
    html = as_admin.get(f"{ROOMS}{room.pk}/change/").content.decode()
    assert 'href="https://h.example/?room_token=1"' in html
    assert 'href="/simulator/meet/123"' in html


@pytest.mark.parametrize("url", EVIL)
def test_theme_logos_from_api_data_are_not_images_unless_http(as_admin, url):
    theme = Theme.objects.create(
        vonage_id="t-evil",
        theme_name="Evil",
        brand_image_colored_url=url,
        brand_image_white_url=url,
        branded_favicon_url=url,
    )
    for page in (THEMES, f"{THEMES}{theme.pk}/change/", f"{THEMES}{theme.pk}/logos/"):
        html = as_admin.get(page).content.decode()
        assert 'src="javascript' not in html.lower()
        assert 'src="data:' not in html.lower()
        assert 'src="//' not in html


def test_theme_logos_that_are_web_links_are_images(as_admin):
    theme = Theme.objects.create(
        vonage_id="t-ok", theme_name="Fine", brand_image_colored_url="/simulator/s3/b/logos/x.png"
    )
    html = as_admin.get(f"{THEMES}{theme.pk}/change/").content.decode()
    assert '<img src="/simulator/s3/b/logos/x.png"' in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x"])
def test_recording_download_of_a_non_web_link(scripted_settings, as_admin, url):
    recording = Recording.objects.create(vonage_id="r-1", status="uploaded", url=url)
    listed = as_admin.get(RECORDINGS).content.decode()
    assert f"{RECORDINGS}{recording.pk}/download/" not in listed
    scripted_settings.script(
        "GET",
        "/v1/meetings/recordings/r-1",
        Reply(200, {"id": "r-1", "status": "uploaded", "_links": {"url": {"href": url}}}),
    )
    response = as_admin.get(f"{RECORDINGS}{recording.pk}/download/")
    assert response.status_code == 302
    assert response["Location"] == RECORDINGS
    (message,) = msgs(response)
    assert "not a web link" in message
    assert url not in message
