from __future__ import annotations

from django.urls import path

from benchmarks.baseline.views import store_raw_body
from tests.urls import urlpatterns as test_urlpatterns

urlpatterns = [*test_urlpatterns, path("baseline/", store_raw_body)]
