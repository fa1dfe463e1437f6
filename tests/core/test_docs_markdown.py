"""The docs' Markdown renders as written: every table row belongs to a table, and every system
check id of the simulator is documented where the simulator is.

A paragraph or a missing blank line inside a table ends it; the rows after it then render as a
paragraph of raw ``| a | b |`` text, and Sphinx does not warn.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted(DOCS.glob("**/*.md"))


def stray_table_rows(text: str) -> list[tuple[int, str]]:
    """Lines that look like table rows (start with ``|``) but are not part of a rendered table
    nor of a code block: (line number, line)."""
    parser = MarkdownIt("commonmark").enable("table")
    covered: set[int] = set()
    for token in parser.parse(text):
        if token.type in ("table_open", "fence", "code_block") and token.map:
            covered.update(range(*token.map))
    return [
        (number + 1, line)
        for number, line in enumerate(text.splitlines())
        if line.lstrip().startswith("|") and number not in covered
    ]


def test_docs_are_found():
    assert len(PAGES) > 10


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_every_table_row_renders_in_a_table(page):
    assert stray_table_rows(page.read_text()) == []


def test_a_split_table_is_caught():
    text = "| code | meaning |\n|---|---|\n| a | one |\n\nA paragraph.\n| b | two |\n"
    assert stray_table_rows(text) == [(6, "| b | two |")]
    assert stray_table_rows("```text\n| not a table |\n```\n") == []


def test_every_simulator_check_id_is_documented():
    from django_vonage_meetings.simulator import checks

    ids = set(
        re.findall(r"vonage_meetings_simulator\.[EW]\d{3}", Path(checks.__file__).read_text())
    )
    assert len(ids) >= 4
    text = (DOCS / "simulator.md").read_text()
    assert sorted(i for i in ids if i not in text) == []


def test_every_command_has_a_reference_entry():
    from django.core.management import get_commands

    ours = sorted(
        name for name, app in get_commands().items() if app.startswith("django_vonage_meetings")
    )
    assert len(ours) >= 8
    page = (DOCS / "reference" / "commands.md").read_text()
    entries = re.findall(r"^```\{meetings-command\} (\S+)$", page, flags=re.MULTILINE)
    assert sorted(entries) == ours
