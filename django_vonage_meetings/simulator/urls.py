"""URLs of the simulator: mount with ``path("simulator/", include(...))``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "vonage_meetings_simulator"

urlpatterns: list[URLPattern | URLResolver] = []
