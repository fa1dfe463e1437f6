from __future__ import annotations

from django.apps import AppConfig


class HistoryConfig(AppConfig):
    """Test-only app holding django-simple-history's tables for the mirror models."""

    name = "tests.history"
    label = "tests_history"
    default_auto_field = "django.db.models.BigAutoField"
