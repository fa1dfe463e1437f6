"""Pulling the mirror from the simulator: bulk per page, unchanged rows untouched, counts right."""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_vonage_meetings import services
from django_vonage_meetings.models import DialInNumber, Recording, Room, Session, Theme
from django_vonage_meetings.simulator import controls
from tests.fixtures.history import history_of


def writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_rooms_are_created_then_unchanged(simulator_settings, meetings_client):
    controls.seed(simulator_settings.application_id, 45, themes=3)
    services.sync_themes(client=meetings_client)
    first = services.sync_rooms(client=meetings_client, page_size=20)
    assert first.as_dict() == {"created": 45, "updated": 0, "unchanged": 0, "deleted": 0}
    assert Room.objects.count() == 45
    with CaptureQueriesContext(connection) as queries:
        second = services.sync_rooms(client=meetings_client, page_size=20)
    assert second.as_dict() == {"created": 0, "updated": 0, "unchanged": 45, "deleted": 0}
    assert (
        writes(queries) == []
    )  # an idle re-sync writes nothing (fresh participant tokens ignored)


def test_fields_and_theme_foreign_keys(simulator_settings, meetings_client):
    theme = meetings_client.create_theme(
        {"main_color": "#123456", "brand_text": "B", "theme_name": "Blue"}
    )
    created = meetings_client.create_room(
        {
            "display_name": "Board",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=3),
            "theme_id": theme["theme_id"],
            "join_approval_level": "explicit_approval",
            "ui_settings": {"language": "ES"},
            "initial_join_options": {"microphone_state": "off"},
            "metadata": "m",
        }
    )
    services.sync(["themes", "rooms"], client=meetings_client)
    room = Room.objects.select_related("theme").get(vonage_id=created["id"])
    assert room.display_name == "Board"
    assert room.type == "long_term"
    assert room.theme.theme_name == "Blue"
    assert room.theme_id == theme["theme_id"]
    assert room.join_approval_level == "explicit_approval"
    assert room.language == "es"
    assert room.microphone_state == "off"
    assert room.metadata == "m"
    assert room.meeting_code == created["meeting_code"]
    assert room.is_available is True
    assert room.expires_at is not None
    assert room.host_url.startswith(simulator_settings.api_host + "/meet/")
    assert room.guest_url == created["_links"]["guest_url"]["href"]
    assert room.data["id"] == created["id"]
    assert room.local_synced_at is not None


def test_changed_rooms_are_updated(simulator_settings, meetings_client):
    created = meetings_client.create_room(
        {
            "display_name": "x",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=1),
        }
    )
    meetings_client.create_room({"display_name": "y"})
    services.sync_rooms(client=meetings_client)
    meetings_client.update_room(created["id"], {"join_approval_level": "after_owner_only"})
    counts = services.sync_rooms(client=meetings_client)
    assert (counts.updated, counts.unchanged) == (1, 1)
    assert Room.objects.get(vonage_id=created["id"]).join_approval_level == "after_owner_only"


@pytest.mark.parametrize("total", [60, 240])
def test_queries_per_page_are_bounded(simulator_settings, meetings_client, total):
    controls.seed(simulator_settings.application_id, total)
    page = 30
    with CaptureQueriesContext(connection) as queries:
        counts = services.sync_rooms(client=meetings_client, page_size=page)
    assert counts.created == total
    pages = total // page
    statements = [q["sql"] for q in queries]
    data = [
        sql for sql in statements if not sql.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
    ]
    # once per sync: the owning application's row (read; named and made on first use)
    owner = [sql for sql in data if "vonage_meetings_application" in sql]
    assert len(owner) <= 3, owner
    # one SELECT of known fingerprints and one INSERT ... ON CONFLICT per page, nothing per row
    per_page = [sql for sql in data if sql not in owner]
    assert len(per_page) == 2 * pages, per_page
    # plus the page's transaction (BEGIN/COMMIT where the backend logs them)
    assert len(statements) <= 4 * pages + 5  # and the owner's, in a transaction of its own


def test_dry_run_writes_nothing(simulator_settings, meetings_client):
    controls.seed(simulator_settings.application_id, 5)
    with CaptureQueriesContext(connection) as queries:
        results = services.sync(client=meetings_client, dry_run=True)
    assert results["rooms"].created == 5
    assert writes(queries) == []
    assert Room.objects.count() == 0


def test_themes_sync_deletes_what_the_api_no_longer_has(simulator_settings, meetings_client):
    kept = meetings_client.create_theme({"main_color": "#fff", "brand_text": "kept"})
    gone = meetings_client.create_theme({"main_color": "#000", "brand_text": "gone"})
    assert services.sync_themes(client=meetings_client).created == 2
    meetings_client.delete_theme(gone["theme_id"])
    counts = services.sync_themes(client=meetings_client)
    assert (counts.unchanged, counts.deleted) == (1, 1)
    assert list(Theme.objects.values_list("vonage_id", flat=True)) == [kept["theme_id"]]


def test_dial_in_numbers(simulator_settings, meetings_client):
    counts = services.sync_dial_in_numbers(client=meetings_client)
    assert counts.created >= 10
    uk = DialInNumber.objects.get(vonage_id="442381924626")
    assert (uk.locale, uk.display_name, uk.number) == ("en-GB", "United Kingdom", "442381924626")
    assert services.sync_dial_in_numbers(client=meetings_client).unchanged == counts.created


def test_recordings_of_known_sessions(simulator_settings, meetings_client):
    room = meetings_client.create_room({"display_name": "rec"})
    uploaded = controls.create_recording(room["id"])
    Session.objects.create(vonage_id=uploaded.session.session_id, room_id=room["id"])
    Recording.objects.create(
        vonage_id=str(uploaded.recording_id),
        session_id=uploaded.session.session_id,
        room_id=room["id"],
        status="stopped",
    )
    Session.objects.create(vonage_id="2_MX4forgotten-fg")  # the API no longer knows this one
    counts = services.sync_recordings(client=meetings_client)
    assert (counts.updated, counts.created) == (1, 0)
    recording = Recording.objects.get(vonage_id=str(uploaded.recording_id))
    assert recording.status == "uploaded"
    assert recording.room_id == room["id"]  # kept: the API's recording has no room
    assert recording.url.startswith("http")
    assert recording.duration == pytest.approx(180.0)


def test_api_failure_propagates_and_keeps_written_pages(simulator_settings, meetings_client):
    controls.seed(simulator_settings.application_id, 30)
    controls.set_faults(simulator_settings.application_id, script=[0, 500, 500, 500, 500])
    from django_vonage_meetings.exceptions import ServerError

    with pytest.raises(ServerError):
        services.sync_rooms(client=meetings_client, page_size=10)
    assert Room.objects.count() == 10  # the first page, committed on its own


def test_unknown_resource():
    with pytest.raises(ValueError, match="Unknown resource"):
        services.sync(["rooms", "people"])


def test_rooms_created_through_the_services_are_unchanged_by_a_sync(
    simulator_settings, meetings_client
):
    """The create answer and the list answer fingerprint alike: no spurious rewrite."""
    services.create_room({"display_name": "instant"})
    services.create_room(
        {
            "display_name": "long",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=1),
        }
    )
    theme = services.create_theme({"main_color": "#fff", "brand_text": "x"})
    services.update_theme(theme, {"short_company_url": "acme"})
    results = services.sync(["themes", "rooms"], client=meetings_client)
    assert results["themes"].as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "deleted": 0,
    }
    assert results["rooms"].as_dict() == {"created": 0, "updated": 0, "unchanged": 2, "deleted": 0}


def test_recordings_deleted_on_vonage_go_and_new_ones_get_the_sessions_room(
    simulator_settings, meetings_client
):
    room = meetings_client.create_room({"display_name": "rec"})
    kept = controls.create_recording(room["id"])
    session_id = kept.session.session_id
    Session.objects.create(vonage_id=session_id, room_id=room["id"])
    Recording.objects.create(
        vonage_id="deleted-on-vonage", session_id=session_id, status="uploaded"
    )
    Session.objects.create(vonage_id="2_MX4forgotten-fg")  # the API answers 404 for it
    Recording.objects.create(
        vonage_id="other-session", session_id="2_MX4forgotten-fg", status="uploaded"
    )

    dry = services.sync_recordings(client=meetings_client, dry_run=True)
    assert (dry.created, dry.deleted) == (1, 1)
    assert Recording.objects.count() == 2

    counts = services.sync_recordings(client=meetings_client)
    assert (counts.created, counts.updated, counts.deleted) == (1, 0, 1)
    assert set(Recording.objects.values_list("vonage_id", flat=True)) == {
        str(kept.recording_id),
        "other-session",  # its session is forgotten by the API (404): left alone
    }
    assert Recording.objects.get(vonage_id=str(kept.recording_id)).room_id == room["id"]
    assert services.sync_recordings(client=meetings_client).as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "deleted": 0,
    }


def test_recordings_of_given_sessions_only(simulator_settings, meetings_client):
    room = meetings_client.create_room({"display_name": "rec"})
    first = controls.create_recording(room["id"])
    second = controls.create_recording(room["id"])
    Session.objects.create(vonage_id=first.session.session_id, room_id=room["id"])
    counts = services.sync_recordings(client=meetings_client, sessions=[first.session.session_id])
    assert counts.created == 1
    assert list(Recording.objects.values_list("vonage_id", "room_id")) == [
        (str(first.recording_id), room["id"])
    ]
    assert not Recording.objects.filter(vonage_id=str(second.recording_id)).exists()


def test_presigned_download_urls_do_not_count_as_changes(
    simulator_settings, meetings_client, monkeypatch
):
    """Each answer presigns the URL afresh (new expiry and signature): an idle sync writes 0."""
    from django_vonage_meetings.simulator import wire

    room = meetings_client.create_room({"display_name": "rec"})
    made = controls.create_recording(room["id"])
    Session.objects.create(vonage_id=made.session.session_id, room_id=room["id"])
    first = services.sync_recordings(client=meetings_client)
    assert first.created == 1
    stored = Recording.objects.get().url
    later = time.time() + 120
    # Two minutes on, for the simulator's presigning only.
    monkeypatch.setattr(wire, "time", SimpleNamespace(time=lambda: later))
    assert meetings_client.get_recording(str(made.recording_id))["_links"]["url"]["href"] != stored
    again = services.sync_recordings(client=meetings_client)
    assert (again.updated, again.unchanged) == (0, 1)


def test_a_sync_sends_save_signals_when_someone_listens(simulator_settings, meetings_client):
    """With a save receiver connected (simple-history, auditlog, a search index), each row a
    sync writes sends pre_save/post_save like Model.save(); unchanged rows send nothing."""
    from django.db.models.signals import post_save, pre_save

    seen: list[tuple[str, bool | None, str, Any]] = []

    def on_pre(sender, instance, **kwargs):
        seen.append(("pre", None, instance.join_approval_level, instance.pk))

    def on_post(sender, instance, created, **kwargs):
        assert kwargs["raw"] is False
        assert kwargs["using"] == "default"
        seen.append(("post", created, instance.join_approval_level, instance.pk))

    pre_save.connect(on_pre, sender=Room, weak=False, dispatch_uid="sync-pre")
    post_save.connect(on_post, sender=Room, weak=False, dispatch_uid="sync-post")
    try:
        room = meetings_client.create_room(
            {
                "display_name": "Before",
                "type": "long_term",
                "expires_at": timezone.now() + dt.timedelta(days=3),
            }
        )
        services.sync_rooms(client=meetings_client)
        pk = Room.objects.get(vonage_id=room["id"]).pk
        assert seen == [("pre", None, "none", None), ("post", True, "none", pk)]
        first_seen = Room.objects.get(pk=pk).local_created_at

        seen.clear()
        services.sync_rooms(client=meetings_client)
        assert seen == []  # nothing changed, nothing written, nothing sent

        meetings_client.update_room(room["id"], {"join_approval_level": "explicit_approval"})
        services.sync_rooms(client=meetings_client)
        assert seen == [
            ("pre", None, "explicit_approval", pk),
            ("post", False, "explicit_approval", pk),
        ]
    finally:
        pre_save.disconnect(sender=Room, dispatch_uid="sync-pre")
        post_save.disconnect(sender=Room, dispatch_uid="sync-post")
    assert Room.objects.get(pk=pk).local_created_at == first_seen


def test_simple_history_records_what_a_sync_changes(simulator_settings, meetings_client, history):
    room = meetings_client.create_room(
        {
            "display_name": "Before",
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=3),
        }
    )
    services.sync_rooms(client=meetings_client)
    meetings_client.update_room(room["id"], {"join_approval_level": "explicit_approval"})
    services.sync_rooms(client=meetings_client)
    services.sync_rooms(client=meetings_client)
    changes = history_of(Room).filter(vonage_id=room["id"]).order_by("history_id")
    assert [(h.history_type, h.join_approval_level) for h in changes] == [
        ("+", "none"),
        ("~", "explicit_approval"),
    ]
