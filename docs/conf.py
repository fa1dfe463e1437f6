"""Sphinx configuration. Built in CI with warnings as errors: ``make docs``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
# Minimal settings (docs/_ext/docs_settings.py): the docs build with the docs extra alone.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docs_settings")

import django  # noqa: E402 - Django must be set up before autodoc imports the package

django.setup()

from django_vonage_meetings import __version__  # noqa: E402 - imports models: after setup()

project = "django-vonage-meetings"
author = "django-vonage-meetings maintainers"
copyright = "2026, django-vonage-meetings maintainers"
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    # Local: the settings table and the commands' arguments, generated from the code.
    "meetings_reference",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "_ext"]
html_theme = "alabaster"
html_static_path = ["_static"]
html_title = f"django-vonage-meetings {release}"
autodoc_typehints = "description"
autodoc_member_order = "bysource"
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
nitpicky = False
