"""Background processing on Django's Tasks framework: only primary keys travel."""

from __future__ import annotations

import datetime as dt
import importlib
import time

import pytest
from django.db import connection
from django.db.models import Max
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from django_vonage_meetings import checks
from django_vonage_meetings.background import tasks_framework
from django_vonage_meetings.models import Room, Session, WebhookEvent
from django_vonage_meetings.simulator import controls
from tests.fixtures.tasks import run_db_worker

STARTED = {
    "event": "session:started",
    "session_id": "2_MX4task-fg",
    "room_id": "r-task",
    "started_at": "2023-06-06T06:55:07.134Z",
}


JOINED = {
    "event": "session:participant:joined",
    "participant_id": "p-task",
    "session_id": STARTED["session_id"],
    "room_id": STARTED["room_id"],
    "name": "Ada",
    "type": "Host",
    "is_host": True,
}
ENDED = {
    **STARTED,
    "event": "session:ended",
    "ended_at": "2023-06-06T07:55:07.134Z",
}

#: The batch window the task-mode tests run with: short, so waiting for it costs little.
WINDOW = 0.2


def wait_until_due():
    """Sleep until every deferred task is due: the batch window passes as it would."""
    deferred = DBTaskResult.objects.filter(status="READY").exclude(run_after=get_date_max())
    latest = deferred.aggregate(latest=Max("run_after"))["latest"]
    if latest is not None:
        time.sleep(max(0.0, (latest - timezone.now()).total_seconds()) + 0.01)


def run_worker(*, wait: bool = True):
    """Run the db worker until nothing is due (after the batch window has passed)."""
    if wait:
        wait_until_due()
    run_db_worker()


@pytest.fixture
def task_mode(webhook_settings, settings):
    settings.VONAGE_MEETINGS = {
        **settings.VONAGE_MEETINGS,
        "WEBHOOK_PROCESSING": "task",
        "TASK_BACKEND": "db",
        "WEBHOOK_BATCH_WINDOW": WINDOW,
    }
    return settings


@pytest.fixture
def task_per_callback(task_mode):
    task_mode.VONAGE_MEETINGS = {**task_mode.VONAGE_MEETINGS, "WEBHOOK_BATCH_WINDOW": 0}
    return task_mode


def test_immediate_backend_processes_at_once(post_webhook, settings, captured, transactional_db):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_PROCESSING": "task"}
    assert post_webhook(STARTED).status_code == 204
    assert WebhookEvent.objects.get().status == "processed"
    assert captured.names() == ["webhook_received", "session_started", "webhook_processed"]


def test_without_a_window_each_callback_is_its_own_task(
    post_webhook, task_per_callback, captured, transactional_db
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


def statements(post, payload) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert post(payload).status_code == 204
    return [q["sql"].split("(")[0].strip() for q in queries.captured_queries]


def test_in_a_window_only_the_first_callback_enqueues(post_webhook, task_mode, transactional_db):
    """With nobody listening to webhook_received, storing needs no transaction of its own: the
    window's first callback is two inserts (the event, the task), the others one."""
    from django_vonage_meetings import signals

    assert not signals.webhook_received.has_listeners(WebhookEvent)
    # The process's first callback of an application makes the application's row, once.
    assert statements(post_webhook, {"event": "room:renamed", "room_id": "warm"}) == [
        'INSERT INTO "vonage_meetings_application"',
        'INSERT INTO "vonage_meetings_webhookevent"',
    ]
    assert statements(post_webhook, STARTED) == [
        'INSERT INTO "vonage_meetings_webhookevent"',
        'INSERT INTO "django_tasks_database_dbtaskresult"',
    ]
    for payload in (JOINED, ENDED):
        assert statements(post_webhook, payload) == ['INSERT INTO "vonage_meetings_webhookevent"']
    assert DBTaskResult.objects.count() == 1


def test_callbacks_in_a_window_share_one_deferred_task(
    post_webhook, task_mode, captured, transactional_db
):
    """The first callback schedules a task a window ahead; it applies all of the window's
    callbacks, in the order they arrived."""
    for payload in (STARTED, JOINED, ENDED):
        assert post_webhook(payload).status_code == 204
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "django_vonage_meetings.tasks.process_received_events"
    assert queued.args_kwargs == {"args": [], "kwargs": {}}
    delay = (queued.run_after - queued.enqueued_at).total_seconds()
    assert WINDOW - 0.05 < delay <= WINDOW + 0.05

    run_worker(wait=False)  # not due yet: nothing applied
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"received"}
    run_worker()
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    assert [name for name in captured.names() if not name.startswith("webhook_")] == [
        "session_started",
        "participant_joined",
        "session_ended",
    ]
    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", {"processed": 3, "failed": 0})


def test_the_next_task_is_scheduled_once_half_the_window_has_passed(
    post_webhook, task_mode, transactional_db, monkeypatch
):
    start = timezone.now()
    clock = {"now": start}
    # The clock the window is read from (and the queue's enqueued_at) is Django's.
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    task_mode.VONAGE_MEETINGS = {**task_mode.VONAGE_MEETINGS, "WEBHOOK_BATCH_WINDOW": 10}
    # The last callback comes after the clock was set back an hour: the task scheduled a moment
    # ago would now run an hour late, so it schedules one for itself.
    moments = ((0, STARTED), (4.9, JOINED), (5.1, ENDED), (-3600, {**ENDED, "room_id": "r-2"}))
    for offset, payload in moments:
        clock["now"] = start + dt.timedelta(seconds=offset)
        assert post_webhook(payload).status_code == 204
    run_afters = sorted(DBTaskResult.objects.values_list("run_after", flat=True))
    assert run_afters == [
        start + dt.timedelta(seconds=-3590),
        start + dt.timedelta(seconds=10),
        start + dt.timedelta(seconds=15.1),
    ]


def test_a_failed_enqueue_leaves_the_window_closed(
    post_webhook, task_mode, captured, transactional_db, monkeypatch
):
    from django_tasks_db.backend import DatabaseBackend

    real = DatabaseBackend.enqueue

    def broken(self, *args, **kwargs):
        raise ConnectionError("queue unreachable")

    monkeypatch.setattr(DatabaseBackend, "enqueue", broken)
    assert post_webhook(STARTED).status_code == 500
    monkeypatch.setattr(DatabaseBackend, "enqueue", real)
    # The next callback schedules the task the failed one could not.
    assert post_webhook(JOINED).status_code == 204
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "django_vonage_meetings.tasks.process_received_events"
    run_worker()
    statuses = dict(WebhookEvent.objects.values_list("event_type", "status"))
    # The event that could not be queued is failed, for the retry task and the admin.
    assert statuses == {"session:started": "failed", "session:participant:joined": "processed"}


def test_a_batch_hands_what_is_over_its_limit_to_a_fresh_task(task_mode, transactional_db):
    from django_vonage_meetings.tasks import configured, process_received_events

    for n in range(5):
        payload = {**STARTED, "session_id": f"2_MX4batch-{n}-fg"}
        WebhookEvent.objects.create(
            event_type="session:started", payload=payload, dedupe_key=f"k{n}", status="received"
        )
    configured(process_received_events).enqueue(2)
    run_worker()
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    done = DBTaskResult.objects.order_by("enqueued_at")
    assert [r.return_value["processed"] for r in done] == [2, 2, 1]
    assert Session.objects.count() == 5


def test_a_failing_event_does_not_stop_the_batch(
    post_webhook, task_mode, captured, transactional_db
):
    from django_vonage_meetings.signals import session_started

    def explode(sender, **kwargs):
        raise RuntimeError("receiver broke")

    session_started.connect(explode, dispatch_uid="explode")
    try:
        for payload in (STARTED, JOINED):
            assert post_webhook(payload).status_code == 204
        run_worker()
    finally:
        session_started.disconnect(dispatch_uid="explode")
    statuses = dict(WebhookEvent.objects.values_list("event_type", "status"))
    assert statuses == {"session:started": "failed", "session:participant:joined": "processed"}
    assert "RuntimeError: receiver broke" in WebhookEvent.objects.get(status="failed").error
    (done,) = DBTaskResult.objects.all()
    assert done.return_value == {"processed": 1, "failed": 1}
    (failed,) = captured.of("webhook_failed")
    assert failed["payload"] == STARTED
    assert isinstance(failed["exception"], RuntimeError)


def test_a_redelivery_is_counted_and_applied_once(post_webhook, task_mode, transactional_db):
    assert post_webhook(STARTED).status_code == 204
    # A redelivery takes the locked path and counts itself; the open window's task covers it.
    assert post_webhook(STARTED).status_code == 204
    event = WebhookEvent.objects.get()
    assert (event.status, event.deliveries) == ("received", 2)
    assert DBTaskResult.objects.count() == 1
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
    tasks_framework.cache_clear()
    try:
        with override_settings(VONAGE_MEETINGS={"WEBHOOK_PROCESSING": "task"}):
            errors = [m for m in checks.check_settings() if m.id == "vonage_meetings.E012"]
    finally:
        tasks_framework.cache_clear()
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
