"""VONAGE_MEETINGS = {"SIMULATE": True}: the simulator in process, in users' projects."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import get_urlconf, set_urlconf

from django_vonage_meetings import services
from django_vonage_meetings.checks import check_settings
from django_vonage_meetings.client import MeetingsClient
from django_vonage_meetings.exceptions import MeetingsConfigurationError
from django_vonage_meetings.models import Participant, Room, Session
from django_vonage_meetings.simulator.embedded import provisioning
from django_vonage_meetings.simulator.models import Application as SimulatedApplication

SIMULATING = {"SIMULATE": True}


def ids(messages):
    return sorted(m.id for m in messages)


@pytest.fixture
def simulate(settings, db):
    settings.VONAGE_MEETINGS = dict(SIMULATING)
    return settings


def test_one_settings_line_is_enough(simulate):
    client = MeetingsClient.from_settings()
    assert client.in_process
    room = services.create_room({"display_name": "Weekly", "type": "instant"})
    assert Room.objects.get().vonage_id == room.vonage_id
    assert services.sync()["rooms"].unchanged == 1
    credentials = provisioning.provisioned()
    assert client.application_id == credentials.application_id
    stored = SimulatedApplication.objects.get(provisioned_as="default")
    assert stored.application_id == credentials.application_id
    assert stored.callback_url.endswith("/vonage/meetings/webhooks/")


def test_the_provisioned_key_survives_a_rollback_and_other_processes(simulate):
    """A TestCase rollback removes the row; the next use re-creates it with the same key, and a
    process that never cached it reads the stored one instead of minting its own."""
    first = provisioning.provisioned()
    SimulatedApplication.objects.filter(provisioned_as="default").delete()  # as a rollback
    services.create_room({"display_name": "Again", "type": "instant"})
    row = SimulatedApplication.objects.get(provisioned_as="default")
    assert (row.application_id, row.private_key) == (first.application_id, first.private_key_pem)

    provisioning._cache.clear()  # another process: nothing cached, the row is there
    assert provisioning.provisioned() == first


def test_links_open_the_meeting_page_on_the_same_site(simulate, client, captured):
    room = services.create_room({"display_name": "Links", "type": "instant"})
    assert room.host_url.startswith("/")  # site-relative: whatever host serves the admin
    assert room.guest_url.startswith("/")
    lobby = client.get(room.guest_url)
    assert lobby.status_code == 200
    assert b"Links" in lobby.content
    host = client.get(room.host_url)
    assert host.status_code == 200
    # Joining on the page delivers the callbacks in process, before the page answers.
    joined = client.post(room.host_url, {"name": "Ada"})
    assert joined.status_code == 302
    assert Session.objects.get().is_running
    assert Participant.objects.get().name == "Ada"
    assert "participant_joined" in captured.names()


def test_links_use_the_public_base_url_when_there_is_one(simulate, client):
    simulate.VONAGE_MEETINGS = {**SIMULATING, "WEBHOOK_BASE_URL": "https://meet.example.com"}
    room = services.create_room({"display_name": "Public", "type": "instant"})
    assert room.guest_url.startswith("https://meet.example.com/")
    path = re.sub(r"^https://meet\.example\.com", "", room.guest_url)
    assert client.get(path).status_code == 200
    callback = room.callback_urls["rooms_callback_url"]
    assert callback.startswith("https://meet.example.com/vonage/meetings/webhooks/")


def test_the_callers_urlconf_and_connection_survive_an_in_process_call(simulate):
    services.create_room({"display_name": "Warm", "type": "instant"})
    set_urlconf("tests.urls")
    before = connection.connection
    try:
        services.create_room({"display_name": "Calls", "type": "instant"})
        assert get_urlconf() == "tests.urls"
    finally:
        set_urlconf(None)
    # request_started/request_finished would have closed it (close_old_connections).
    assert connection.connection is before
    assert Room.objects.count() == 2


def test_login_required_middleware_lets_callbacks_and_the_simulator_through(simulate):
    from django.conf import settings

    middleware = [*settings.MIDDLEWARE, "django.contrib.auth.middleware.LoginRequiredMiddleware"]
    with override_settings(MIDDLEWARE=middleware):
        room = services.create_room({"display_name": "Locked", "type": "instant"})
        from django_vonage_meetings.simulator import controls

        controls.join(room.vonage_id, "Ada", host=True)
    assert Session.objects.get().is_running


def test_the_gate_refuses_outside_tests_with_debug_off(simulate, outside_a_test_run):
    simulate.DEBUG = False
    simulate.VONAGE_MEETINGS_SIMULATOR = {"ENABLED": False}
    with pytest.raises(MeetingsConfigurationError, match="simulator is off"):
        services.create_room({"display_name": "Nope", "type": "instant"})


def test_checks(settings, outside_a_test_run):
    settings.DEBUG = False
    settings.VONAGE_MEETINGS_SIMULATOR = {}
    with override_settings(VONAGE_MEETINGS=SIMULATING):
        assert ids(check_settings()) == ["vonage_meetings.E015"]
    with override_settings(VONAGE_MEETINGS=SIMULATING, VONAGE_MEETINGS_SIMULATOR={"ENABLED": True}):
        assert check_settings() == []
    with override_settings(
        VONAGE_MEETINGS={**SIMULATING, "APPLICATION_ID": "x", "PRIVATE_KEY": "/no/such.key"},
        DEBUG=True,
    ):
        (warning,) = check_settings()
    assert warning.id == "vonage_meetings.W005"
    assert "APPLICATION_ID" in warning.msg
    assert "/no/such.key" not in warning.msg


def test_checks_do_not_fail_a_test_run(settings):
    settings.DEBUG = False
    settings.VONAGE_MEETINGS_SIMULATOR = {}
    with override_settings(VONAGE_MEETINGS=SIMULATING):
        assert check_settings() == []


def test_simulate_needs_the_simulator_app():
    from django.conf import settings

    apps = [a for a in settings.INSTALLED_APPS if a != "django_vonage_meetings.simulator"]
    with override_settings(INSTALLED_APPS=apps, VONAGE_MEETINGS=SIMULATING, DEBUG=True):
        assert ids(check_settings()) == ["vonage_meetings.E014"]


def test_commands_take_string_options(simulate, tmp_path, key_pair):
    public = tmp_path / "key.pem"
    public.write_text(key_pair.public_pem)
    call_command(
        "simulator_add_application",
        application_id="strings-app",
        public_key=str(public),
        verbosity=0,
    )
    call_command("simulator_seed", application_id="strings-app", rooms="7", themes="2", verbosity=0)
    assert SimulatedApplication.objects.get(application_id="strings-app").rooms.count() == 7
    call_command("meetings_sync", "rooms", page_size="50", verbosity=0)
    call_command("meetings_sync", resources="themes rooms", verbosity=0)
    call_command("meetings_process_events", ids="1 2", verbosity=0)
    call_command("meetings_prune_events", days="3", verbosity=0)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--rooms: invalid value 'many'"):
        call_command("simulator_seed", application_id="strings-app", rooms="many")


def test_the_admin_runs_meetings_against_the_embedded_simulator(simulate, superuser, client):
    client.force_login(superuser)
    response = client.post(
        "/admin/vonage_meetings/room/add/",
        {
            "display_name": "Planning",
            "type": "instant",
            "join_approval_level": "none",
            "microphone_state": "default",
            "language": "default",
            "is_recording_available": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    room = Room.objects.get()
    changelist = client.get("/admin/vonage_meetings/room/")
    assert changelist.status_code == 200
    assert room.guest_url.encode() in changelist.content
    synced = client.post("/admin/vonage_meetings/room/sync/", follow=True)
    assert b"Synced" in synced.content


def test_other_applications_keep_their_http_delivery(simulate, key_pair, scripted_server):
    """Only the provisioned application is called back in process; one registered the usual
    way is still called over HTTP, by deliver_pending() or the delivery thread."""
    from django_vonage_meetings.simulator import controls
    from django_vonage_meetings.simulator.embedded import callbacks
    from tests.fixtures.client import Reply

    scripted_server.script("POST", "/hook/", Reply(204))
    other = controls.register_application(
        "http-app", key_pair.public_pem, callback_url=f"{scripted_server.url}/hook/"
    )
    controls.seed(other.application_id, 1)
    room_id = other.rooms.get().room_id
    services.create_room({"display_name": "Ours", "type": "instant"})  # provisions ours
    controls.join(room_id, "Ada", host=True)  # flushes in process: not this one
    callbacks.flush()
    assert scripted_server.calls("POST", "/hook/") == []
    sent = controls.deliver_pending()
    assert [d.response_code for d in sent] == [204, 204]
    assert len(scripted_server.calls("POST", "/hook/")) == 2
