"""URLs of the app, mounted with ``include("django_vonage_meetings.urls")`` at vonage/meetings/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .webhooks.views import WebhookView

app_name = "vonage_meetings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("webhooks/", WebhookView.as_view(), name="webhook"),
    path("webhooks/<str:token>/", WebhookView.as_view(), name="webhook-signed"),
]
