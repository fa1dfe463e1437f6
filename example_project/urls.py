"""URLs of the example project: the admin, the app's webhooks and the simulator."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("vonage/meetings/", include("django_vonage_meetings.urls")),
    path("simulator/", include("django_vonage_meetings.simulator.urls")),
]
