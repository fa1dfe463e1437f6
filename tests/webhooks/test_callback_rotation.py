"""Room-scoped callback URLs end to end, and their re-issue after a secret rotation.

Rooms are created through the services on the simulator (real HTTP on the live server); the
simulator delivers callbacks to each room's own URL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from django_vonage_meetings import services
from django_vonage_meetings.models import Room, WebhookEvent
from django_vonage_meetings.simulator import controls
from django_vonage_meetings.webhooks.tokens import token_in_url, verify_url_token

OLD = "old-signature-secret-for-rotation-0123456789"


@pytest.fixture
def wired(simulator_settings, settings, live_server):
    """The app on the live server, its rooms' callbacks signed only by their URLs."""
    settings.VONAGE_MEETINGS = {
        **settings.VONAGE_MEETINGS,
        "WEBHOOK_BASE_URL": live_server.url,
        "SIGNATURE_SECRETS": [OLD],
    }
    # The simulated application signs no JWT: the URL token is the only proof, as with Vonage.
    controls.register_application(
        simulator_settings.application_id, simulator_settings.public_key_pem, signature_secret=""
    )
    return simulator_settings


def long_term(name: str) -> Room:
    return services.create_room(
        {
            "display_name": name,
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=2),
        }
    )


def rotate(settings, *secrets: str) -> None:
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "SIGNATURE_SECRETS": list(secrets)}


def token_of(room: Room) -> str:
    token = token_in_url(room.callback_urls["sessions_callback_url"])
    assert token is not None
    return token


def test_each_room_gets_its_own_scope(wired, captured):
    first, second = services.create_room({"display_name": "A"}), long_term("B")
    for room in (first, second):
        scope = verify_url_token(token_of(room), [OLD])
        assert scope.kind == "room"
        assert scope.key
    assert token_of(first) != token_of(second)
    controls.join(first.vonage_id, "Ada", host=True)
    controls.join(second.vonage_id, "Grace", host=True)
    deliveries = controls.deliver_pending()
    assert [d.response_code for d in deliveries] == [204] * 4
    assert {e.auth_method for e in WebhookEvent.objects.all()} == {"signed_url"}


def test_a_rooms_url_cannot_carry_another_rooms_callback(wired, client, captured):
    first, second = (
        services.create_room({"display_name": "A"}),
        services.create_room({"display_name": "B"}),
    )
    path = first.callback_urls["sessions_callback_url"].removeprefix(wired.origin)
    body = {"event": "session:started", "session_id": "2_forged", "room_id": second.vonage_id}
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    assert WebhookEvent.objects.count() == 0
    assert captured.calls == []


def test_reissue_after_rotation(wired, settings, meetings_client, captured):
    board, quick = long_term("Board"), services.create_room({"display_name": "Quick"})
    mine_already = long_term("Mine")
    rotate(settings, "new-signature-secret-for-rotation-012345", OLD)
    call_command("meetings_reissue_callback_urls", room=[mine_already.vonage_id])
    mine_token = token_of(Room.objects.get(pk=mine_already.pk))

    # Strings, as call_command passes keyword options without argparse's types.
    call_command("meetings_reissue_callback_urls", force="false", dry_run="0", verbosity="2")
    board.refresh_from_db()
    remote = meetings_client.get_room(board.vonage_id)["callback_urls"]
    assert set(remote.values()) == {board.callback_urls["rooms_callback_url"]}
    scope = verify_url_token(token_of(board), ["new-signature-secret-for-rotation-012345"])
    assert scope.room == board.vonage_id
    # Already current: untouched by the second run.
    assert token_of(Room.objects.get(pk=mine_already.pk)) == mine_token

    rotate(settings, "new-signature-secret-for-rotation-012345")
    controls.join(board.vonage_id, "Ada", host=True)
    controls.join(quick.vonage_id, "Grace", host=True)
    codes = {d.url: d.response_code for d in controls.deliver_pending()}
    assert codes[board.callback_urls["sessions_callback_url"]] == 204
    # The instant room could not be updated: its URL died with the old secret.
    assert codes[quick.callback_urls["sessions_callback_url"]] == 401


def test_reissue_reports_what_it_cannot_update(wired, settings, capsys):
    quick = services.create_room({"display_name": "Quick"})
    expired = long_term("Gone")
    controls.expire_room(expired.vonage_id)
    services.refresh_room(expired)
    rotate(settings, "new-signature-secret-for-rotation-012345", OLD)
    call_command("meetings_reissue_callback_urls", verbosity=2)
    out = capsys.readouterr().out
    assert "0 re-issued" in out
    assert "2 cannot be updated" in out
    assert quick.vonage_id in out
    assert expired.vonage_id in out


def test_reissue_dry_run_and_force(wired, settings, meetings_client):
    room = long_term("Board")
    before = token_of(room)
    call_command("meetings_reissue_callback_urls", dry_run="true")
    assert token_of(Room.objects.get(pk=room.pk)) == before
    call_command("meetings_reissue_callback_urls")  # current: nothing to do
    assert token_of(Room.objects.get(pk=room.pk)) == before
    call_command("meetings_reissue_callback_urls", force=True, room=room.vonage_id)
    after = token_of(Room.objects.get(pk=room.pk))
    assert after != before
    assert verify_url_token(after, [OLD]).room == room.vonage_id


def test_reissue_leaves_other_sites_urls_alone(wired, meetings_client):
    room = services.create_room(
        {
            "display_name": "Theirs",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=2),
            "callback_urls": {
                "rooms_callback_url": "https://elsewhere.example/hook",
                "sessions_callback_url": "https://elsewhere.example/hook",
                "recordings_callback_url": "https://elsewhere.example/hook",
            },
        }
    )
    report = services.reissue_callback_urls(force=True)
    assert report.not_ours == [room.vonage_id]
    assert meetings_client.get_room(room.vonage_id)["callback_urls"]["rooms_callback_url"] == (
        "https://elsewhere.example/hook"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"force": "maybe"}, "--force takes true or false"),
        ({"room": "not-mirrored"}, "Not in the mirror: not-mirrored"),
    ],
)
def test_reissue_refuses_bad_options(wired, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("meetings_reissue_callback_urls", **options)


def test_reissue_needs_a_base_url(simulator_settings):
    with pytest.raises(CommandError, match="WEBHOOK_BASE_URL"):
        call_command("meetings_reissue_callback_urls")


def test_the_admin_action(wired, settings, superuser, admin_client_for, meetings_client):
    board, quick = long_term("Board"), services.create_room({"display_name": "Quick"})
    rotate(settings, "new-signature-secret-for-rotation-012345", OLD)
    client = admin_client_for(superuser)
    response = client.post(
        "/admin/vonage_meetings/room/",
        {"action": "reissue_callback_urls", "_selected_action": [board.pk, quick.pk]},
    )
    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1 re-issued" in message
    assert "1 cannot be updated (instant or expired)" in message
    board.refresh_from_db()
    assert verify_url_token(token_of(board), ["new-signature-secret-for-rotation-012345"]).room == (
        board.vonage_id
    )


def test_the_admin_action_needs_change_permission(wired, staff_with, admin_client_for):
    room = long_term("Board")
    client = admin_client_for(staff_with("view_room"))
    response = client.post(
        "/admin/vonage_meetings/room/",
        {"action": "reissue_callback_urls", "_selected_action": [room.pk]},
    )
    assert 'value="reissue_callback_urls"' not in response.content.decode()
    assert token_of(Room.objects.get(pk=room.pk)) == token_of(room)
