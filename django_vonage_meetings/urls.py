"""URLs of the app, mounted with ``include("django_vonage_meetings.urls")`` at vonage/meetings/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "vonage_meetings"

urlpatterns: list[URLPattern | URLResolver] = []
