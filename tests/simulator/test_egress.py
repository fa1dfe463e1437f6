"""Where the simulator sends callbacks: no loopback, private or link-local targets unless allowed.

Issue 15: callback URLs could point at loopback, private and link-local addresses and the reply
body was readable through ``_control/deliveries`` (a server-side request forgery with the answer
read back).

Every rule is decided from the address alone. These tests never connect to anything but
loopback: names are resolved by a stand-in for ``socket.getaddrinfo``, public addresses are only
ever checked, never sent to, and every delivery here goes to a server on 127.0.0.1.
"""

from __future__ import annotations

import socket
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from django_vonage_meetings.simulator import controls
from django_vonage_meetings.simulator.egress import EgressRefused, check_target
from django_vonage_meetings.simulator.models import CallbackDelivery, Room
from tests.fixtures.client import Reply

PRIVATE = [
    "http://127.0.0.1:8000/hook",
    "http://127.1/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.9/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://[::ffff:10.0.0.1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[2002:0a00:0001::1]/hook",
    "http://0.0.0.0/hook",
    "http://100.64.0.1/hook",
    "http://192.0.2.10/hook",
    "http://[fc00::1]/hook",
    "http://224.0.0.1/hook",
]


@pytest.fixture
def strict(settings):
    """The simulator as it runs where others reach it: DEBUG off, private targets refused."""
    settings.DEBUG = False
    settings.VONAGE_MEETINGS_SIMULATOR = {
        **settings.VONAGE_MEETINGS_SIMULATOR,
        "ALLOW_PRIVATE_CALLBACKS": False,
    }
    return settings


@pytest.fixture
def resolver(monkeypatch):
    """Names resolve to what the test says, without asking any DNS server."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def fake(host, port, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]
        # Literal addresses only: a name this test did not give is not looked up anywhere.
        kwargs["flags"] = kwargs.get("flags", 0) | socket.AI_NUMERICHOST
        try:
            return real(host, port, **kwargs)
        except socket.gaierror:
            raise socket.gaierror(socket.EAI_NONAME, "not in this test's resolver") from None

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return answers


@pytest.mark.parametrize("url", PRIVATE)
def test_private_addresses_are_refused(strict, resolver, url):
    with pytest.raises(EgressRefused, match="ALLOW_PRIVATE_CALLBACKS"):
        check_target(url)


def test_names_are_judged_by_every_address_they_resolve_to(strict, resolver):
    resolver["internal.example"] = ["10.0.0.7"]
    resolver["split.example"] = ["8.8.8.8", "192.168.0.2"]
    resolver["public.example"] = ["8.8.8.8", "1.1.1.1"]
    with pytest.raises(EgressRefused, match=r"10\.0\.0\.7"):
        check_target("https://internal.example/hook")
    with pytest.raises(EgressRefused, match=r"192\.168\.0\.2"):
        check_target("https://split.example/hook")
    check_target("https://public.example/hook")  # checked only, never sent to


def test_unresolvable_and_odd_urls_are_refused(strict, resolver):
    for url in ("https://nowhere.invalid/x", "ftp://8.8.8.8/x", "https:///x", "http://[::1/x"):
        with pytest.raises(EgressRefused):
            check_target(url)


def test_public_addresses_pass(strict, resolver):
    check_target("https://8.8.8.8/hook")
    check_target("http://[2606:4700:4700::1111]:8443/hook")


@pytest.mark.parametrize("allow", ["debug", "setting"])
def test_development_allows_private_targets(settings, resolver, allow):
    settings.DEBUG = allow == "debug"
    settings.VONAGE_MEETINGS_SIMULATOR = {
        **settings.VONAGE_MEETINGS_SIMULATOR,
        "ALLOW_PRIVATE_CALLBACKS": allow == "setting",
    }
    check_target("http://127.0.0.1:8000/hook")
    check_target("http://169.254.169.254/")


def test_rooms_cannot_be_given_private_targets(strict, simulator_app):
    urls = {"rooms_callback_url": "http://169.254.169.254/latest/meta-data/"}
    answer = simulator_app.call("POST", "/rooms", json={"display_name": "x", "callback_urls": urls})
    assert answer.status_code == 400
    assert "callback_urls.rooms_callback_url" in answer.json()["message"]
    assert not Room.objects.exists()
    room = simulator_app.call(
        "POST",
        "/rooms",
        json={
            "display_name": "long",
            "type": "long_term",
            "expires_at": "2099-01-01T00:00:00Z",
        },
    ).json()
    patch = simulator_app.call(
        "PATCH",
        f"/rooms/{room['id']}",
        json={"update_details": {"callback_urls": {"sessions_callback_url": "http://10.0.0.1/"}}},
    )
    assert patch.status_code == 400
    assert Room.objects.get(room_id=room["id"]).sessions_callback_url is None


def test_applications_cannot_be_given_private_targets(strict, key_pair, tmp_path, db):
    with pytest.raises(controls.SimulatorError, match="callback_url"):
        controls.register_application(
            str(uuid.uuid4()), key_pair.public_pem, callback_url="http://127.0.0.1:8000/x"
        )
    with pytest.raises(controls.SimulatorError, match="recordings_callback_url"):
        controls.register_application(
            str(uuid.uuid4()), key_pair.public_pem, recordings_callback_url="http://10.9.8.7/"
        )
    pem = tmp_path / "public.pem"
    pem.write_text(key_pair.public_pem)
    with pytest.raises(CommandError, match="loopback, private or link-local"):
        call_command(
            "simulator_add_application",
            application_id=str(uuid.uuid4()),
            public_key=str(pem),
            callback_url="http://[::1]/hook",
        )


def queue(simulator_app, url: str) -> list[CallbackDelivery]:
    """A room whose session callbacks go to ``url``, and someone joining it (two callbacks)."""
    room = simulator_app.call(
        "POST",
        "/rooms",
        json={"display_name": "r", "callback_urls": {"sessions_callback_url": url}},
    ).json()
    controls.join(room["id"], "Ada", host=True)
    return list(CallbackDelivery.objects.filter(url=url).order_by("pk"))


def test_a_target_is_checked_again_at_delivery(simulator_app, settings, raw_server):
    listener = raw_server(lambda: iter([b"HTTP/1.1 204 No Content\r\n\r\n"]))
    queued = queue(simulator_app, f"{listener.url}/hook")  # allowed when it was set
    settings.VONAGE_MEETINGS_SIMULATOR = {
        **settings.VONAGE_MEETINGS_SIMULATOR,
        "ALLOW_PRIVATE_CALLBACKS": False,
    }
    attempts = controls.deliver_pending()
    assert [a.pk for a in attempts] == [q.pk for q in queued]
    for attempt in attempts:
        assert attempt.response_code is None
        assert attempt.last_error.startswith("refused:")
    assert listener.connections == 0


def test_redirects_are_not_followed(simulator_app, scripted_server, raw_server):
    elsewhere = raw_server(lambda: iter([b"HTTP/1.1 204 No Content\r\n\r\n"]))
    scripted_server.script(
        "POST", "/hook", Reply(307, "", {"Location": f"{elsewhere.url}/internal"})
    )
    queue(simulator_app, f"{scripted_server.url}/hook")
    attempts = controls.deliver_pending()
    assert [a.response_code for a in attempts] == [307, 307]
    assert len(scripted_server.calls("POST", "/hook")) == 2
    assert elsewhere.connections == 0


def test_deliveries_show_status_and_timing_not_reply_bodies(simulator_app, scripted_server):
    secret = "the-internal-service-said-this-" + uuid.uuid4().hex
    scripted_server.script("POST", "/hook", Reply(500, {"detail": secret}))
    queue(simulator_app, f"{scripted_server.url}/hook")
    attempts = controls.deliver_pending()
    assert [a.last_error for a in attempts] == ["HTTP 500", "HTTP 500"]
    listed = simulator_app.control("deliveries", method="GET")
    assert listed.status_code == 200
    assert secret not in listed.text
    for item in listed.json():
        assert item["response_code"] == 500
        assert item["last_error"] == "HTTP 500"
        assert {"created_at", "next_attempt_at", "delivered_at", "attempts"} <= set(item)
    sent = simulator_app.control("deliver")
    assert sent.status_code == 200
    assert secret not in sent.text
