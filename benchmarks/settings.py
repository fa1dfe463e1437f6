"""Settings for benchmark servers: the test project plus a baseline app (benchmarks only)."""

from __future__ import annotations

from tests import settings as _test_settings

globals().update({name: value for name, value in vars(_test_settings).items() if name.isupper()})

INSTALLED_APPS = [*_test_settings.INSTALLED_APPS, "benchmarks.baseline"]
ROOT_URLCONF = "benchmarks.urls"

# Servers keep their database connections, as production servers do.
DATABASES = {"default": {**_test_settings.DATABASES["default"], "CONN_MAX_AGE": 60}}
