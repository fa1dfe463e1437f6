"""URLs of the app, mounted with ``include("django_vonage_meetings.urls")`` at vonage/meetings/.

When the simulator app is installed its URLs hang under ``simulator/`` here too (behind its own
DEBUG/enabled gate), so the host and guest links of simulated rooms open pages that exist and
``VONAGE_MEETINGS = {"SIMULATE": True}`` needs no second URLconf.
"""

from __future__ import annotations

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path

from .webhooks.views import WebhookView

app_name = "vonage_meetings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("webhooks/", WebhookView.as_view(), name="webhook"),
    path("webhooks/<str:token>/", WebhookView.as_view(), name="webhook-signed"),
]

if apps.is_installed("django_vonage_meetings.simulator"):
    urlpatterns.append(path("simulator/", include("django_vonage_meetings.simulator.urls")))
