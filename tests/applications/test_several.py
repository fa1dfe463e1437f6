"""Two Vonage applications in one project, against the simulator over real HTTP: each syncs
only its rows, callbacks are routed by application and can never change the other's rows, the
admin shows and filters by application."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from django_vonage_meetings import services
from django_vonage_meetings.exceptions import MeetingsValidationError
from django_vonage_meetings.models import (
    Application,
    DialInNumber,
    Room,
    Session,
    Theme,
    WebhookEvent,
)
from django_vonage_meetings.simulator import controls
from tests.fixtures.webhooks import sign


@pytest.fixture
def two(simulator_app, other_simulator_app, settings, live_server):
    """``default`` and ``north``, each its own simulator application."""

    def keys(app):
        return {
            "APPLICATION_ID": app.application_id,
            "PRIVATE_KEY": app.private_key_pem,
            "SIGNATURE_SECRETS": [app.signature_secret],
            "API_HOST": app.api_host,
        }

    settings.VONAGE_MEETINGS = {
        "APPLICATIONS": {"default": keys(simulator_app), "north": keys(other_simulator_app)},
        "WEBHOOK_BASE_URL": live_server.url,
        "RETRY_BACKOFF": 0.01,
    }
    for app in (simulator_app, other_simulator_app):
        controls.register_application(
            app.application_id,
            app.public_key_pem,
            callback_url=f"{live_server.url}/vonage/meetings/webhooks/",
        )
    return {"default": simulator_app, "north": other_simulator_app}


def rooms_of(app) -> set[str]:
    return set(
        Room.objects.filter(application_id=app.application_id).values_list(
            "display_name", flat=True
        )
    )


def test_each_application_syncs_only_its_rows(two):
    controls.seed(two["default"].application_id, 3)
    controls.seed(two["north"].application_id, 5)
    out = io.StringIO()
    call_command("meetings_sync", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["default", "north"]
    assert Room.objects.filter(application_id=two["default"].application_id).count() == 3
    assert Room.objects.filter(application_id=two["north"].application_id).count() == 5
    # Both list the same dial-in numbers: each application has its own rows of them.
    numbers = DialInNumber.objects.filter(application_id=two["default"].application_id).count()
    assert numbers > 0
    assert DialInNumber.objects.count() == 2 * numbers
    names = dict(Application.objects.values_list("vonage_id", "name"))
    assert names == {two["default"].application_id: "default", two["north"].application_id: "north"}

    # A sync of one application never deletes the other's themes.
    services.create_theme({"main_color": "#fff", "brand_text": "N"}, application="north")
    services.sync(["themes"], application="default")
    assert Theme.objects.filter(application_id=two["north"].application_id).count() == 1

    out = io.StringIO()
    call_command("meetings_sync", "rooms", application="north", stdout=out)
    assert out.getvalue().startswith("rooms: 0 created, 0 updated, 5 unchanged")


def test_services_act_as_the_application_asked_or_the_objects_own(two):
    north = services.create_room({"display_name": "North room"}, application="north")
    assert north.application_id == two["north"].application_id
    ours = services.create_room({"display_name": "Default room"})
    assert ours.application_id == two["default"].application_id
    # Refreshing a room acts as its own application (the other would get a 404).
    assert services.refresh_room(north).display_name == "North room"
    assert services.refresh_room(north.vonage_id).application_id == two["north"].application_id
    # A theme can only be set on rooms of its own application.
    theme = services.create_theme({"main_color": "#000", "brand_text": "T"}, application="north")
    with pytest.raises(MeetingsValidationError, match="another application"):
        services.create_room({"display_name": "Mixed", "theme_id": theme.vonage_id})
    # Each application has its own default theme.
    services.set_default_theme(theme)
    assert Application.objects.get(name="north").default_theme_id == theme.vonage_id
    assert Application.objects.get(name="default").default_theme_id is None


def test_callbacks_are_routed_and_applied_for_their_application(two, captured):
    room = services.create_room({"display_name": "Routed"}, application="north")
    host = controls.join(room.vonage_id, "Ada", host=True)
    sent = controls.deliver_pending()
    assert [d.response_code for d in sent] == [204, 204]
    session = Session.objects.get(vonage_id=host.session.session_id)
    assert session.application_id == two["north"].application_id
    (started,) = captured.of("session_started")
    assert started["application"].name == "north"
    assert {e.application_id for e in WebhookEvent.objects.all()} == {two["north"].application_id}


def test_one_applications_secret_cannot_touch_the_others_rows(two, client):
    services.create_room({"display_name": "North"}, application="north")
    north_room = Room.objects.get(application_id=two["north"].application_id)
    payload = {"event": "room:expired", "room_id": north_room.vonage_id, "room_type": "instant"}
    # Signed by the default application (its secret and its id in the claim).
    forged = sign(
        payload, two["default"].signature_secret, application_id=two["default"].application_id
    )
    response = client.post(
        "/vonage/meetings/webhooks/",
        forged.body,
        content_type="application/json",
        headers={"Authorization": forged.headers["Authorization"]},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_application"
    assert WebhookEvent.objects.count() == 0
    north_room.refresh_from_db()
    assert north_room.is_available is True
    # Claiming the other application with one's own secret fails the signature instead.
    lying = sign(
        payload, two["default"].signature_secret, application_id=two["north"].application_id
    )
    refused = client.post(
        "/vonage/meetings/webhooks/",
        lying.body,
        content_type="application/json",
        headers={"Authorization": lying.headers["Authorization"]},
    )
    assert refused.status_code == 401
    # The owner's own secret works.
    genuine = sign(
        payload, two["north"].signature_secret, application_id=two["north"].application_id
    )
    accepted = client.post(
        "/vonage/meetings/webhooks/",
        genuine.body,
        content_type="application/json",
        headers={"Authorization": genuine.headers["Authorization"]},
    )
    assert accepted.status_code == 204
    north_room.refresh_from_db()
    assert north_room.is_available is False


def test_url_tokens_name_their_application(two, client):
    from django_vonage_meetings.webhooks import signed_webhook_url

    north_url = signed_webhook_url(application="north")
    default_url = signed_webhook_url()
    assert north_url != default_url
    services.create_room({"display_name": "Token"}, application="default")
    room = Room.objects.get()
    body = {"event": "room:expired", "room_id": room.vonage_id, "room_type": "instant"}
    import json

    path = north_url.removeprefix(two["north"].origin)
    # The north token lets in callbacks of north only.
    response = client.post(path, json.dumps(body), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_application"
    default_path = default_url.removeprefix(two["default"].origin)
    ok = client.post(default_path, json.dumps(body), content_type="application/json")
    assert ok.status_code == 204


def test_the_admin_shows_and_filters_by_application(two, superuser, client):
    client.force_login(superuser)
    services.create_room({"display_name": "Alpha"})
    services.create_room({"display_name": "Beta"}, application="north")
    listing = client.get("/admin/vonage_meetings/room/").content.decode()
    assert "Alpha" in listing
    assert "Beta" in listing
    assert ">north<" in listing  # the application column
    north = Application.objects.get(name="north")
    filtered = client.get(
        f"/admin/vonage_meetings/room/?application__vonage_id__exact={north.vonage_id}"
    ).content.decode()
    assert "Beta" in filtered
    assert "Alpha" not in filtered
    form = client.get("/admin/vonage_meetings/room/add/").content.decode()
    assert 'name="application"' in form
    created = client.post(
        "/admin/vonage_meetings/room/add/",
        {
            "application": "north",
            "display_name": "Gamma",
            "type": "instant",
            "join_approval_level": "none",
            "microphone_state": "default",
            "language": "default",
        },
    )
    assert created.status_code == 302
    assert Room.objects.get(display_name="Gamma").application_id == north.vonage_id


def test_sync_failures_of_one_application_do_not_stop_the_other(two, settings):
    broken = dict(settings.VONAGE_MEETINGS)
    broken["APPLICATIONS"] = {
        **broken["APPLICATIONS"],
        "north": {**broken["APPLICATIONS"]["north"], "API_HOST": "http://127.0.0.1:9"},
    }
    settings.VONAGE_MEETINGS = {**broken, "MAX_RETRIES": 0}
    controls.seed(two["default"].application_id, 2)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="failed for 1 of 2 applications: north"):
        call_command("meetings_sync", "rooms", stdout=out, stderr=err)
    assert out.getvalue().startswith("default: rooms: 2 created")
    assert "north: failed" in err.getvalue()
    with pytest.raises(CommandError, match="Unknown application south"):
        call_command("meetings_sync", application="south")


def test_checks_name_the_exact_key(two, settings):
    from django_vonage_meetings.checks import check_settings

    apps = settings.VONAGE_MEETINGS["APPLICATIONS"]
    settings.VONAGE_MEETINGS = {
        "APPLICATIONS": {**apps, "north": {**apps["north"], "PRIVATE_KEY": None}},
        "DEFAULT_APPLICATION": "default",
    }
    settings.DEBUG = True  # the simulator is plain http (W001 otherwise)
    (error,) = check_settings()
    assert error.id == "vonage_meetings.E003"
    assert "VONAGE_MEETINGS['APPLICATIONS']['north']['PRIVATE_KEY']" in error.msg
    settings.VONAGE_MEETINGS = {"APPLICATIONS": apps, "DEFAULT_APPLICATION": "south"}
    assert [m.id for m in check_settings()] == ["vonage_meetings.E017"]
    settings.VONAGE_MEETINGS = {"APPLICATIONS": apps, "APPLICATION_ID": "x"}
    assert [m.id for m in check_settings()] == ["vonage_meetings.E016"]
    settings.VONAGE_MEETINGS = {"APPLICATIONS": {"bad name!": apps["north"]}}
    assert [m.id for m in check_settings()] == ["vonage_meetings.E016"]


def test_a_top_level_api_host_is_shared(two, settings):
    from django_vonage_meetings import credentials
    from django_vonage_meetings.checks import check_settings

    apps = settings.VONAGE_MEETINGS["APPLICATIONS"]
    own = {key: value for key, value in apps["north"].items() if key != "API_HOST"}
    settings.VONAGE_MEETINGS = {
        "APPLICATIONS": {**apps, "north": own},
        "DEFAULT_APPLICATION": "default",
        "API_HOST": "http://127.0.0.1:9/shared",
    }
    settings.DEBUG = True
    assert check_settings() == []
    assert credentials.api_host("north") == "http://127.0.0.1:9/shared"
    assert credentials.api_host("default") == apps["default"].get(
        "API_HOST", "http://127.0.0.1:9/shared"
    )
