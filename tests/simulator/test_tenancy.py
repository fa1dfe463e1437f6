"""The control endpoint acts on the caller's application only.

Issue 15: ``_control/deliver`` and ``_control/tick`` acted on every application's callbacks and
rooms, so one tenant could send (or time) another's.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from django_vonage_meetings.simulator import controls
from django_vonage_meetings.simulator.models import CallbackDelivery, DeliveryStatus, Room
from tests.fixtures.client import Reply


def room_with_callbacks(app, url: str) -> dict:
    urls = dict.fromkeys(("rooms_callback_url", "sessions_callback_url"), url)
    return app.call("POST", "/rooms", json={"display_name": "r", "callback_urls": urls}).json()


def statuses(app_id: str) -> set[str]:
    return set(
        CallbackDelivery.objects.filter(application__application_id=app_id).values_list(
            "status", flat=True
        )
    )


def test_deliver_sends_only_the_callers_callbacks(
    simulator_app, other_simulator_app, scripted_server
):
    scripted_server.script("POST", "/mine", Reply(204))
    scripted_server.script("POST", "/theirs", Reply(204))
    mine = room_with_callbacks(simulator_app, f"{scripted_server.url}/mine")
    theirs = room_with_callbacks(other_simulator_app, f"{scripted_server.url}/theirs")
    controls.join(mine["id"], "Ada", host=True)
    controls.join(theirs["id"], "Grace", host=True)

    sent = other_simulator_app.control("deliver").json()
    assert len(sent) == 2
    assert {item["url"] for item in sent} == {f"{scripted_server.url}/theirs"}
    assert scripted_server.calls("POST", "/mine") == []
    assert statuses(simulator_app.application_id) == {DeliveryStatus.PENDING}
    assert statuses(other_simulator_app.application_id) == {DeliveryStatus.DELIVERED}


def test_tick_acts_only_on_the_callers_rooms_and_callbacks(
    simulator_app, other_simulator_app, scripted_server
):
    scripted_server.script("POST", "/mine", Reply(204))
    mine = room_with_callbacks(simulator_app, f"{scripted_server.url}/mine")
    controls.join(mine["id"], "Ada", host=True)
    controls.leave(Room.objects.get(room_id=mine["id"]).participants.get().participant_id)
    due = timezone.now() - dt.timedelta(minutes=1)
    Room.objects.filter(room_id=mine["id"]).update(expires_at=due)

    assert other_simulator_app.control("tick").status_code == 200
    assert Room.objects.get(room_id=mine["id"]).expired is False
    assert statuses(simulator_app.application_id) == {DeliveryStatus.PENDING}
    assert scripted_server.calls("POST", "/mine") == []

    assert simulator_app.control("tick").status_code == 200
    assert Room.objects.get(room_id=mine["id"]).expired is True
    assert statuses(simulator_app.application_id) == {DeliveryStatus.DELIVERED}


def test_in_process_callers_choose(simulator_app, other_simulator_app, scripted_server):
    scripted_server.script("POST", "/hook", Reply(204))
    for app in (simulator_app, other_simulator_app):
        controls.join(room_with_callbacks(app, f"{scripted_server.url}/hook")["id"], "A")
    only_mine = controls.deliver_pending(application=simulator_app.application_id)
    assert {d.application.application_id for d in only_mine} == {simulator_app.application_id}
    assert statuses(other_simulator_app.application_id) == {DeliveryStatus.PENDING}
    rest = controls.deliver_pending()  # default: every application
    assert {d.application.application_id for d in rest} == {other_simulator_app.application_id}
    assert controls.tick(simulator_app.application_id) == 0
