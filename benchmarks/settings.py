"""Settings for benchmark servers: the test project plus a baseline app (benchmarks only)."""

from __future__ import annotations

from tests import settings as _test_settings

globals().update({name: value for name, value in vars(_test_settings).items() if name.isupper()})

INSTALLED_APPS = [*_test_settings.INSTALLED_APPS, "benchmarks.baseline"]
ROOT_URLCONF = "benchmarks.urls"
