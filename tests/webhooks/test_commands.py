"""meetings_process_events, meetings_prune_events and meetings_webhook_url."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from django_vonage_meetings.models import Session, WebhookEvent, WebhookNonce

STARTED = {
    "event": "session:started",
    "session_id": "2_MX4cmd-fg",
    "room_id": "r-1",
    "started_at": "2023-06-06T06:55:07.134Z",
}


def stored(status="failed", age_days=0, **payload):
    body = {**STARTED, **payload}
    return WebhookEvent.objects.create(
        event_type=body["event"],
        payload=body,
        dedupe_key=str(hash(str(body))),
        status=status,
        received_at=timezone.now() - dt.timedelta(days=age_days),
    )


def run(*args, **options):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_process_failed_events(webhook_settings):
    event = stored()
    assert run("meetings_process_events", "--failed").strip() == "1 processed, 0 failed"
    event.refresh_from_db()
    assert event.status == "processed"
    assert Session.objects.filter(vonage_id="2_MX4cmd-fg").exists()
    assert run("meetings_process_events", "--failed").strip() == "0 processed, 0 failed"


def test_process_by_ids_and_type(webhook_settings):
    one = stored(session_id="s-one")
    two = stored(session_id="s-two")
    other = stored(event="session:ended", session_id="s-three", ended_at="2023-06-06T07:00:00Z")
    run("meetings_process_events", "--ids", str(one.pk))
    assert [e.status for e in WebhookEvent.objects.order_by("pk")] == [
        "processed",
        "failed",
        "failed",
    ]
    run("meetings_process_events", "--type", "session:ended")
    other.refresh_from_db()
    two.refresh_from_db()
    assert (other.status, two.status) == ("processed", "failed")


def test_failing_again_exits_with_an_error(webhook_settings):
    stored(session_id=None)  # the stored payload cannot be applied
    with pytest.raises(CommandError, match="1 event\\(s\\) failed again"):
        run("meetings_process_events", "--failed")


def test_prune(webhook_settings):
    stored(status="processed", session_id="old", age_days=40)
    kept_failed = stored(status="failed", session_id="old-failed", age_days=40)
    recent = stored(status="processed", session_id="recent")
    WebhookNonce.objects.create(jti="ancient", seen_at=timezone.now() - dt.timedelta(days=1))
    assert (
        run("meetings_prune_events", "--days", "30", "--dry-run").strip()
        == "Would delete 1 events older than 30 days"
    )
    assert WebhookEvent.objects.count() == 3
    assert (
        run("meetings_prune_events", "--days", "30").strip()
        == "Deleted 1 events older than 30 days"
    )
    assert set(WebhookEvent.objects.values_list("pk", flat=True)) == {kept_failed.pk, recent.pk}
    assert not WebhookNonce.objects.exists()
    run("meetings_prune_events", "--days", "30", "--include-failed")
    assert list(WebhookEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    with pytest.raises(CommandError):
        run("meetings_prune_events", "--days", "0")


def test_prune_keeps_events_inside_the_replay_window(webhook_settings, settings):
    """An event holds its first token's jti: pruning it early would let that token replay."""
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_MAX_AGE": 2 * 86400}
    inside = stored(status="processed", session_id="inside", age_days=3)
    stored(status="processed", session_id="outside", age_days=5)
    assert run("meetings_prune_events", "--days", "1").strip() == (
        "Deleted 1 events older than 1 days"
    )
    assert list(WebhookEvent.objects.values_list("pk", flat=True)) == [inside.pk]


def test_webhook_url(webhook_settings, settings):
    url = run("meetings_webhook_url").strip()
    assert url.startswith("https://app.example.com/vonage/meetings/webhooks/")
    assert url.endswith("/")
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_BASE_URL": None}
    with pytest.raises(CommandError, match="WEBHOOK_BASE_URL"):
        run("meetings_webhook_url")
    settings.VONAGE_MEETINGS = {
        **settings.VONAGE_MEETINGS,
        "WEBHOOK_BASE_URL": "https://x.example",
        "SIGNATURE_SECRETS": [],
    }
    with pytest.raises(CommandError, match="SIGNATURE_SECRETS"):
        run("meetings_webhook_url")
