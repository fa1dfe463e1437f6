"""The demo's loop in a real browser, end to end, taking the admin guide's screenshots.

In the admin: create a theme with logos and a room; open its host and guest URLs; join on the
meeting page; record; leave; back in the admin the session, its participants and the uploaded
recording are there (from signed callbacks), the recording downloads, and the webhook events
list shows what arrived.
"""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.utils import timezone
from PIL import Image

from django_vonage_meetings.models import Recording, Room, Session, WebhookEvent
from tests.fixtures.browser import screenshot

pytestmark = pytest.mark.browser


def png(path, size: tuple[int, int], colour: tuple[int, int, int]) -> str:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    for x in range(size[0] // 4, 3 * size[0] // 4):
        for y in range(size[1] // 4, 3 * size[1] // 4):
            image.putpixel((x, y), (*colour, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.fixture
def demo(simulator_settings, settings, live_server, superuser):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_BASE_URL": live_server.url}
    settings.VONAGE_MEETINGS_SIMULATOR = {
        "ENABLED": True,
        "ALLOW_PRIVATE_CALLBACKS": True,  # callbacks go to 127.0.0.1 with DEBUG off
        "DELIVERY": "thread",
        "TIMER": True,
        "TICK_INTERVAL": 0.1,
        "RECORDING_UPLOAD_DELAY": 0.5,
    }
    return live_server


def wait_until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_the_whole_loop(browser_page, demo, tmp_path):
    page = browser_page
    base = demo.url
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    screenshot(page, "admin-index")

    # A theme, on Vonage, with logos.
    page.goto(f"{base}/admin/vonage_meetings/theme/add/")
    page.fill("#id_theme_name", "Acme")
    page.fill("#id_main_color", "#0b7285")
    page.fill("#id_brand_text", "Acme Video")
    page.fill("#id_short_company_url", "acme")
    page.click("input[name=_save]")
    page.get_by_text("was added successfully").wait_for()
    page.click("text=Acme")
    page.get_by_test_id("upload-logos").click()
    page.set_input_files("#id_white", png(tmp_path / "white.png", (180, 48), (255, 255, 255)))
    page.set_input_files("#id_colored", png(tmp_path / "colored.png", (180, 48), (11, 114, 133)))
    page.set_input_files("#id_favicon", png(tmp_path / "favicon.png", (32, 32), (11, 114, 133)))
    page.get_by_test_id("upload").click()
    page.get_by_text("Logos uploaded.").wait_for()
    screenshot(page, "admin-theme")

    # A room, on Vonage, using the theme.
    page.goto(f"{base}/admin/vonage_meetings/room/add/")
    page.fill("#id_display_name", "Quarterly review")
    page.select_option("#id_type", "long_term")
    page.fill(
        "#id_expires_at", (timezone.now() + dt.timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S")
    )
    page.select_option("#id_theme", label="Acme")
    screenshot(page, "admin-room-add")
    page.click("input[name=_save]")
    page.get_by_text("was added successfully").wait_for()
    screenshot(page, "admin-rooms")
    room = Room.objects.get()
    assert room.callback_urls["sessions_callback_url"].startswith(
        f"{base}/vonage/meetings/webhooks/"
    )

    # The meeting: the host from the admin's link, a guest from the guest link.
    host_href = page.locator("a", has_text="Open as host").first.get_attribute("href")
    guest_href = page.locator("a", has_text="Open as guest").first.get_attribute("href")
    page.goto(host_href)
    page.get_by_test_id("name").fill("Ada")
    page.get_by_test_id("join").click()
    page.get_by_test_id("in-meeting").wait_for()
    guest = page.context.new_page()
    guest.goto(guest_href)
    guest.get_by_test_id("name").fill("Grace")
    guest.get_by_test_id("join").click()
    guest.get_by_test_id("in-meeting").wait_for()
    page.reload()
    page.get_by_test_id("start-recording").click()
    page.get_by_test_id("recording").wait_for()
    screenshot(page, "meeting-page")
    page.get_by_test_id("stop-recording").click()
    guest.get_by_test_id("leave").click()
    page.get_by_test_id("end-session").click()
    page.get_by_test_id("left").wait_for()

    # Back in the admin: what the callbacks reported.
    wait_until(
        lambda: (
            Recording.objects.filter(status="uploaded").exists()
            and Session.objects.filter(ended_at__isnull=False).exists()
        )
    )
    session = Session.objects.get()
    page.goto(f"{base}/admin/vonage_meetings/session/{session.pk}/change/")
    text = page.inner_text("#content")
    assert "Ada" in text
    assert "Grace" in text
    assert "uploaded" in text.lower()
    screenshot(page, "admin-session", full_page=True)

    page.goto(f"{base}/admin/vonage_meetings/recording/")
    download = page.locator("a", has_text="Download").first.get_attribute("href")
    screenshot(page, "admin-recordings")
    assert download == f"/admin/vonage_meetings/recording/{Recording.objects.get().pk}/download/"
    # The admin asks the API for a freshly presigned URL and redirects there.
    response = page.request.get(f"{base}{download}")
    assert response.status == 200
    assert response.headers["content-type"] == "video/mp4"

    page.goto(f"{base}/admin/vonage_meetings/webhookevent/")
    listed = page.inner_text("#result_list")
    for event in (
        "session:started",
        "session:participant:joined",
        "recording:uploaded",
        "session:ended",
    ):
        assert event in listed
    screenshot(page, "admin-webhook-events")
    assert not WebhookEvent.objects.exclude(status="processed").exists()
