"""App config of the simulator (label ``vonage_meetings_simulator``)."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class SimulatorConfig(AppConfig):
    name = "django_vonage_meetings.simulator"
    label = "vonage_meetings_simulator"
    verbose_name = _("Vonage Meetings simulator")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .checks import check_simulator
        from .outbox import callbacks_queued
        from .worker import wake_worker

        checks.register(check_simulator, "vonage_meetings_simulator")
        callbacks_queued.connect(wake_worker, dispatch_uid="vonage_meetings_simulator_worker")
