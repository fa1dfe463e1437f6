"""The docs cover what the code offers: every setting and every system check id."""

from __future__ import annotations

import re
from pathlib import Path

from django_vonage_meetings import checks
from django_vonage_meetings.conf import SETTINGS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text()
    missing = [name for name in SETTINGS if f"`{name}`" not in text]
    assert missing == []


def test_every_check_id_is_documented():
    source = Path(checks.__file__).read_text()
    ids = set(re.findall(r"vonage_meetings\.[EW]\d{3}", source))
    assert ids, "no check ids found in checks.py"
    text = (DOCS / "settings.md").read_text()
    assert sorted(i for i in ids if i not in text) == []
