"""Background processing on Django's Tasks framework: only primary keys travel."""

from __future__ import annotations

import importlib
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from django_vonage_meetings import checks
from django_vonage_meetings.models import Room, Session, WebhookEvent
from django_vonage_meetings.simulator import controls

STARTED = {
    "event": "session:started",
    "session_id": "2_MX4task-fg",
    "room_id": "r-task",
    "started_at": "2023-06-06T06:55:07.134Z",
}


def run_worker():
    call_command(
        "db_worker",
        "--batch",
        "--backend",
        "db",
        "--no-startup-delay",
        "--interval",
        "0",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


@pytest.fixture
def task_mode(webhook_settings, settings):
    settings.VONAGE_MEETINGS = {
        **settings.VONAGE_MEETINGS,
        "WEBHOOK_PROCESSING": "task",
        "TASK_BACKEND": "db",
    }
    return settings


def test_immediate_backend_processes_at_once(post_webhook, settings, captured, transactional_db):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_PROCESSING": "task"}
    assert post_webhook(STARTED).status_code == 204
    assert WebhookEvent.objects.get().status == "processed"
    assert captured.names() == ["webhook_received", "session_started", "webhook_processed"]


def test_queued_events_are_processed_by_a_worker(
    post_webhook, task_mode, captured, transactional_db
):
    response = post_webhook(STARTED)
    assert response.status_code == 204
    event = WebhookEvent.objects.get()
    assert event.status == "received"
    assert not Session.objects.exists()
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "django_vonage_meetings.tasks.process_webhook_event"
    assert queued.args_kwargs == {"args": [event.pk], "kwargs": {}}  # only the primary key travels
    assert captured.names() == ["webhook_received"]

    run_worker()
    event.refresh_from_db()
    assert event.status == "processed"
    assert Session.objects.get().vonage_id == STARTED["session_id"]
    assert captured.names() == ["webhook_received", "session_started", "webhook_processed"]


def test_duplicates_in_task_mode_are_applied_once(
    post_webhook, task_mode, captured, transactional_db
):
    for _ in range(3):
        assert post_webhook(STARTED).status_code == 204
    run_worker()
    assert WebhookEvent.objects.get().attempts == 1
    assert len(captured.of("session_started")) == 1


def test_queued_first_delivery_is_one_insert_and_one_enqueue(
    post_webhook, task_mode, transactional_db
):
    """With nobody listening to webhook_received, storing needs no transaction of its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django_vonage_meetings import signals

    assert not signals.webhook_received.has_listeners(WebhookEvent)
    with CaptureQueriesContext(connection) as queries:
        assert post_webhook(STARTED).status_code == 204
    statements = [q["sql"].split("(")[0].strip() for q in queries.captured_queries]
    assert statements == [
        'INSERT INTO "vonage_meetings_webhookevent"',
        'INSERT INTO "django_tasks_database_dbtaskresult"',
    ]
    # A redelivery still takes the locked path, and is queued once more (not applied twice).
    assert post_webhook(STARTED).status_code == 204
    event = WebhookEvent.objects.get()
    assert (event.status, event.deliveries) == ("received", 2)
    run_worker()
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("processed", 1)


def test_retry_failed_events_task(task_mode, transactional_db):
    from django_vonage_meetings.tasks import configured, retry_failed_events

    WebhookEvent.objects.create(
        event_type="session:started", payload=STARTED, dedupe_key="k", status="failed"
    )
    configured(retry_failed_events).enqueue()
    run_worker()
    assert WebhookEvent.objects.get().status == "processed"


def test_sync_now_is_queued_with_a_worker_backend(
    simulator_settings, settings, superuser, admin_client_for
):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "TASK_BACKEND": "db"}
    controls.seed(simulator_settings.application_id, 4)
    client = admin_client_for(superuser)
    response = client.post("/admin/vonage_meetings/room/sync/", follow=True)
    text = response.content.decode()
    assert "queued as a background task" in text
    assert Room.objects.count() == 0
    run_worker()
    assert Room.objects.count() == 4
    (done,) = DBTaskResult.objects.filter(task_path="django_vonage_meetings.tasks.sync_mirror")
    assert done.status == "SUCCESSFUL"
    assert done.return_value["rooms"]["created"] == 4


def test_checks_for_task_mode(settings):
    with override_settings(
        VONAGE_MEETINGS={"WEBHOOK_PROCESSING": "task", "TASK_BACKEND": "nowhere"}
    ):
        assert "vonage_meetings.E013" in [m.id for m in checks.check_settings()]
    with override_settings(VONAGE_MEETINGS={"WEBHOOK_PROCESSING": "task", "TASK_BACKEND": "db"}):
        assert not {"vonage_meetings.E012", "vonage_meetings.E013"} & {
            m.id for m in checks.check_settings()
        }


def test_missing_framework_is_reported(monkeypatch):
    real = importlib.import_module

    def no_tasks(name, *args):
        if name in ("django.tasks", "django_tasks"):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_tasks)
    with override_settings(VONAGE_MEETINGS={"WEBHOOK_PROCESSING": "task"}):
        errors = [m for m in checks.check_settings() if m.id == "vonage_meetings.E012"]
    assert errors
    assert "django-vonage-meetings[tasks]" in errors[0].msg


def test_an_event_that_could_not_be_queued_is_failed_and_retried(
    post_webhook, task_mode, captured, transactional_db, monkeypatch
):
    from django_vonage_meetings import tasks

    def broken_queue(event_id: int) -> None:
        raise ConnectionError("queue unreachable")

    monkeypatch.setattr(tasks, "enqueue_event", broken_queue)
    response = post_webhook(STARTED)
    assert response.status_code == 500
    assert response.json()["code"] == "processing_failed"
    event = WebhookEvent.objects.get()
    # Stored, not applied, not counted as an attempt; failed so the retry and the admin find it.
    assert (event.status, event.attempts) == ("failed", 0)
    assert "ConnectionError: queue unreachable" in event.error
    assert captured.names() == ["webhook_received", "webhook_failed"]

    monkeypatch.undo()
    # The sender retries: the queue works again and the worker applies the event once.
    assert post_webhook(STARTED).status_code == 204
    run_worker()
    event.refresh_from_db()
    assert (event.status, event.deliveries) == ("processed", 2)
    assert Session.objects.count() == 1
