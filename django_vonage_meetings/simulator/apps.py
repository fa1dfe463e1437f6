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
        from django_vonage_meetings import simulation

        from .checks import check_simulator
        from .embedded import EmbeddedSimulator, callbacks
        from .outbox import callbacks_queued
        from .worker import wake_worker

        checks.register(check_simulator, "vonage_meetings_simulator")
        callbacks_queued.connect(wake_worker, dispatch_uid="vonage_meetings_simulator_worker")
        # Embedded applications' callbacks go out in process as soon as their change commits.
        callbacks_queued.connect(callbacks.flush, dispatch_uid="vonage_meetings_simulator_embedded")
        simulation.register(EmbeddedSimulator())
