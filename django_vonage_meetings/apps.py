"""Application config: registers checks and the app's own handlers, and masks callback tokens
in Django's request logs; nothing else at import."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class VonageMeetingsConfig(AppConfig):
    name = "django_vonage_meetings"
    label = "vonage_meetings"
    verbose_name = _("Vonage Meetings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.test.signals import setting_changed

        from .background import reset_batch_window
        from .checks import check_settings
        from .logging import install as mask_tokens_in_logs
        from .webhooks.apply import forget_owners

        checks.register(check_settings, "vonage_meetings")
        mask_tokens_in_logs()
        setting_changed.connect(reset_batch_window, dispatch_uid="vonage_meetings_batch_window")
        setting_changed.connect(forget_owners, dispatch_uid="vonage_meetings_owners")
