from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("vonage/meetings/", include("django_vonage_meetings.urls")),
    path("simulator/", include("django_vonage_meetings.simulator.urls")),
]
