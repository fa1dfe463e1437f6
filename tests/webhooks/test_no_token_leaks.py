"""A callback URL's token appears on no log line, in no error e-mail and on no admin page.

Issue 15: Django's own ``django.request`` logger printed the path of every refused callback
(``Bad Request: /vonage/meetings/webhooks/<token>/``), admin error e-mails carried it, and staff
with view-only permission read it in a room's raw payload.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.utils.log import AdminEmailHandler

from django_vonage_meetings import services, signals
from django_vonage_meetings.logging import MaskCallbackTokens
from django_vonage_meetings.models import Room
from django_vonage_meetings.webhooks import signed_webhook_url
from django_vonage_meetings.webhooks.tokens import CallbackScope, room_callback_url, token_in_url
from tests.fixtures.webhooks import sign

ROOM_A = "9f8a9e56-0f8a-4d36-9a3a-5b1b1c3d2e10"
ROOM_B = "11111111-2222-4333-8444-555555555555"
STARTED = {"event": "session:started", "session_id": "2_s", "room_id": ROOM_A}


class Everything(logging.Handler):
    """Keeps every record, formatted the way a handler would write it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(
            logging.Formatter("%(name)s %(levelname)s %(pathname)s %(message)s %(request)s")
        )
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not hasattr(record, "request"):
            record.request = None
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))


@pytest.fixture
def every_log(settings) -> Iterator[Everything]:
    """Every logger (those that do not propagate too) at DEBUG into one handler, plus an
    AdminEmailHandler (HTML included) writing to mail.outbox."""
    settings.ADMINS = [("Admin", "admin@example.com")]
    settings.DEBUG = False
    handler = Everything()
    mailer = AdminEmailHandler(include_html=True)
    mailer.setLevel(logging.ERROR)
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    loggers += [logging.getLogger(name) for name in ("django.request", "django.server")]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.addHandler(handler)
    for name in ("django.request", "django.server"):
        logging.getLogger(name).addHandler(mailer)
    mail.outbox.clear()
    yield handler
    for logger, level, disabled in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled
    for name in ("django.request", "django.server"):
        logging.getLogger(name).removeHandler(mailer)


def leaks(token: str, handler: Everything) -> list[str]:
    """Every place the token (or either of its halves) shows up."""
    value, _, signature = token.rpartition(":")
    texts = list(handler.lines)
    for message in mail.outbox:
        texts += [str(message.subject), str(message.body)]
        texts += [str(content) for content, _type in getattr(message, "alternatives", [])]
    found = []
    for text in texts:
        for needle in (token, signature, value):
            if needle in text:
                at = text.index(needle)
                found.append(f"{text[:60]!r} ... {text[max(0, at - 200) : at + 10]!r}")
                break
    return found


def test_the_filter_is_installed_on_djangos_loggers():
    for name in ("django.request", "django.server", "urllib3.connectionpool"):
        assert any(isinstance(f, MaskCallbackTokens) for f in logging.getLogger(name).filters)


def test_bad_callbacks_to_signed_urls_leave_no_token_in_any_log(
    webhook_settings, settings, every_log, captured
):
    client = Client(raise_request_exception=False)
    room_url = room_callback_url(CallbackScope(room=ROOM_A))
    app_url = signed_webhook_url()
    for url in (room_url, app_url):
        assert url is not None
        path = url.removeprefix("https://app.example.com")
        token = token_in_url(url)
        assert token is not None
        signed = sign(STARTED)

        def post(body: bytes, path: str = path, **extra: Any):
            extra.setdefault("content_type", "application/json")
            return client.generic("POST", path, body, **extra)

        codes = [
            post(b"{}", content_type="text/plain").status_code,  # 415
            post(b"x" * 300_000).status_code,  # 413
            post(b"not json").status_code,  # 400
            post(b'{"event": "session:started", "n": NaN}').status_code,  # 400
            post(b'{"event": "x", "d": ' + b"[" * 5000 + b"]" * 5000 + b"}").status_code,
            post(b'{"no": "event"}').status_code,  # 400
            post(signed.body, HTTP_AUTHORIZATION="Bearer forged").status_code,  # 401
            post(
                b'{"event": "session:started", "session_id": "s", "room_id": "'
                + ROOM_B.encode()
                + b'"}'
            ).status_code,
            post(
                b'{"event": "recording:started", "recording_id": "r", "session_id": "unknown"}'
            ).status_code,
            client.get(path, HTTP_REFERER=url).status_code,  # 405
            post(b"{}", path=f"{path}extra/").status_code,  # 404 (no such URL)
            post(b"{}", path=path.replace(token, token[:-3] + "abc")).status_code,  # 401
        ]
        # Two of them are in scope for the application URL (204); none is a 5xx.
        assert all(code < 500 for code in codes), codes
        assert sum(400 <= code < 500 for code in codes) >= len(codes) - 2, codes

        # A receiver that fails: stored as failed, answered 500 (Django logs it as an error).
        def explode(**kwargs):
            raise RuntimeError("receiver down")

        signals.session_started.connect(explode, dispatch_uid="explode")
        try:
            assert post(sign(STARTED).body).status_code in (403, 500)
            assert post(sign({**STARTED, "session_id": "2_t"}).body).status_code == 500
        finally:
            signals.session_started.disconnect(dispatch_uid="explode")

        # A broken setting: the view raises, Django's handler logs the exception with the
        # request and every frame's variables (the HTML e-mail shows them).
        broken = {**settings.VONAGE_MEETINGS, "WEBHOOK_MAX_BODY_SIZE": "big"}
        settings.VONAGE_MEETINGS = broken
        assert post(b"{}").status_code == 500
        settings.VONAGE_MEETINGS = {**broken, "WEBHOOK_MAX_BODY_SIZE": 262144}

        # runserver's access line (django.server), as WSGIRequestHandler writes it.
        stub = type("Stub", (), {"request": None, "log_date_time_string": lambda self: "now"})()
        WSGIRequestHandler.log_message(stub, '"%s" %s %s', f"POST {path} HTTP/1.1", "403", "52")

        assert leaks(token, every_log) == []
    # Not vacuous: the refusals were logged and mailed, masked.
    joined = "\n".join(every_log.lines)
    assert "/webhooks/<token>/" in joined
    assert "Forbidden: /vonage/meetings/webhooks/<token>/" in joined
    assert any("Internal Server Error" in m.subject for m in mail.outbox)
    assert any(m.alternatives for m in mail.outbox)


def test_the_view_marks_its_refusals_as_logged(webhook_settings, client):
    path = room_callback_url(CallbackScope(room=ROOM_A)).removeprefix("https://app.example.com")
    response = client.generic("POST", path, b"nope", content_type="application/json")
    assert response.status_code == 400
    assert response._has_been_logged is True


def test_the_filter_masks_what_it_is_given():
    bare = "eyJ2IjoxfQ:" + "A" * 43
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "%s %s %s",
        ("/vonage/meetings/webhooks/abc:def/", b"/webhooks/x:y/ z", {"t": bare}),
        None,
    )
    MaskCallbackTokens().filter(record)
    assert record.getMessage() == (
        "/vonage/meetings/webhooks/<token>/ /webhooks/<token>/ z {'t': '<token>'}"
    )


# -- admin pages -----------------------------------------------------------------------------


@pytest.fixture
def rooms_with_tokens(simulator_settings, settings, live_server):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_BASE_URL": live_server.url}
    import datetime as dt

    from django.utils import timezone

    long_term = services.create_room(
        {
            "display_name": "Board",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=2),
        }
    )
    instant = services.create_room(
        {"display_name": "Quick", "callback_urls": {"rooms_callback_url": signed_webhook_url()}}
    )
    rooms = [long_term, instant]
    tokens = {token_in_url(url) for room in rooms for url in room.callback_urls.values()}
    assert None not in tokens
    assert len(tokens) == 3
    return rooms, tokens


def room_pages(room: Room) -> list[str]:
    base = "/admin/vonage_meetings/room/"
    return [
        base,
        f"{base}?q={room.meeting_code}",
        f"{base}?type__exact={room.type}",
        f"{base}{room.pk}/change/",
        f"{base}{room.pk}/history/",
        f"{base}{room.pk}/delete/",
        f"{base}add/",
        "/admin/vonage_meetings/",
        "/admin/",
    ]


def assert_no_token(html: str, tokens: set) -> None:
    for token in tokens:
        value, _, signature = token.rpartition(":")
        assert token not in html
        assert signature not in html
        assert value not in html


def test_no_admin_page_of_a_room_shows_a_token_to_view_only_staff(
    rooms_with_tokens, staff_with, admin_client_for
):
    rooms, tokens = rooms_with_tokens
    client = admin_client_for(staff_with("view_room", "view_session", "view_recording"))
    for room in rooms:
        for page in room_pages(room):
            response = client.get(page)
            assert response.status_code in (200, 403), page
            assert_no_token(response.content.decode(), tokens)
        change = client.get(f"/admin/vonage_meetings/room/{room.pk}/change/").content.decode()
        # It says that a URL is set and what it lets in.
        assert "/webhooks/&lt;room token&gt;/" in change
        assert "room scope" in change


def test_nor_to_superusers_on_the_change_form(rooms_with_tokens, superuser, admin_client_for):
    rooms, tokens = rooms_with_tokens
    client = admin_client_for(superuser)
    for room in rooms:
        for page in room_pages(room):
            assert_no_token(client.get(page).content.decode(), tokens)
    html = client.get(f"/admin/vonage_meetings/room/{rooms[1].pk}/change/").content.decode()
    assert "application scope" in html


def test_saving_the_form_keeps_the_urls(rooms_with_tokens, superuser, admin_client_for):
    rooms, _tokens = rooms_with_tokens
    room = rooms[0]
    before = dict(room.callback_urls)
    client = admin_client_for(superuser)
    page = client.get(f"/admin/vonage_meetings/room/{room.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["expires_at"] = form["expires_at"].value().strftime("%Y-%m-%d %H:%M:%S")
    data["join_approval_level"] = "explicit_approval"
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(f"/admin/vonage_meetings/room/{room.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    room.refresh_from_db()
    assert room.join_approval_level == "explicit_approval"
    assert room.callback_urls == before


def test_the_simulators_failed_deliveries_log_no_token(rooms_with_tokens, settings, every_log):
    from django_vonage_meetings.simulator import controls

    rooms, tokens = rooms_with_tokens
    # The app now refuses every token (a rotation gone wrong): each delivery fails and is logged.
    settings.VONAGE_MEETINGS = {
        **settings.VONAGE_MEETINGS,
        "SIGNATURE_SECRETS": ["a-completely-different-secret-0123456789"],
    }
    controls.expire_room(rooms[0].vonage_id)
    attempts = controls.deliver_pending()
    assert attempts
    assert {a.response_code for a in attempts} == {401}
    joined = "\n".join(every_log.lines)
    assert "callback room:expired to" in joined
    for token in tokens:
        assert leaks(token, every_log) == []
