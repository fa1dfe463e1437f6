"""The owner's ``Application`` row that a process's first callback makes, and remembers only
once it is committed."""

from __future__ import annotations

import pytest
from django.db import transaction

from django_vonage_meetings.models import Application
from django_vonage_meetings.webhooks import apply


@pytest.fixture(autouse=True)
def _fresh_memory():
    apply.forget_owners()
    yield
    apply.forget_owners()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_row_is_made_again():
    # A failed callback (or a test's rollback) takes the row with it: the process must not go
    # on believing the row exists.
    def failing_callback() -> None:
        with transaction.atomic():
            apply.ensure_owner("app-1")
            assert Application.objects.filter(vonage_id="app-1").exists()
            raise RuntimeError("the callback failed")

    with pytest.raises(RuntimeError, match="the callback failed"):
        failing_callback()
    assert not Application.objects.filter(vonage_id="app-1").exists()
    apply.ensure_owner("app-1")
    assert Application.objects.filter(vonage_id="app-1").exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_row_costs_nothing_afterwards(django_assert_num_queries):
    with transaction.atomic():
        apply.ensure_owner("app-2")
    with django_assert_num_queries(0):
        apply.ensure_owner("app-2")
