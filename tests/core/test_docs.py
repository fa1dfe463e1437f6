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
    from django_vonage_meetings import conf

    source = Path(checks.__file__).read_text() + Path(conf.__file__).read_text()
    ids = set(re.findall(r"vonage_meetings\.[EW]\d{3}", source))
    assert len(ids) > 10, "no check ids found in checks.py and conf.py"
    text = (DOCS / "settings.md").read_text()
    assert sorted(i for i in ids if i not in text) == []


def test_every_signal_is_documented():
    from django_vonage_meetings import signals

    text = (DOCS / "signals.md").read_text()
    names = [n for n in signals.__all__ if n not in ("EVENT_SIGNALS", "meetings_receiver")]
    assert sorted(n for n in names if f"`{n}`" not in text) == []
    assert "meetings_receiver" in text


def test_every_command_is_documented():
    from django.core.management import get_commands

    ours = sorted(
        name for name, app in get_commands().items() if app.startswith("django_vonage_meetings")
    )
    assert ours, "no commands found"
    text = (DOCS / "sync.md").read_text() + (DOCS / "simulator.md").read_text()
    assert [name for name in ours if f"`{name}" not in text] == []


def test_screenshots_referenced_by_the_docs_exist():
    for page in DOCS.glob("*.md"):
        for image in re.findall(r"\((_static/screenshots/[^)]+)\)", page.read_text()):
            assert (DOCS / image).is_file(), (
                f"{page.name} shows {image}, which the browser test did not make"
            )
