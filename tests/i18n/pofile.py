"""A small reader of gettext ``.po`` files, enough for the catalogue tests (no extra dependency).

It reads what ``makemessages`` writes: comments, flags, ``msgctxt``, ``msgid``,
``msgid_plural`` and ``msgstr`` / ``msgstr[n]``, each string possibly continued over several
quoted lines. Obsolete entries (``#~``) are skipped; the header (the empty msgid) is not an entry.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Entry", "read_po"]

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    #: ``msgstr`` under key 0, or ``msgstr[n]`` under key n.
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        """What identifies a message: its context, its id and its plural id."""
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        """Every form has a non-empty translation (two or more for a plural message)."""
        forms = list(self.msgstr.values())
        if self.msgid_plural is not None and len(forms) < 2:
            return False
        return bool(forms) and all(forms)


def _unquote(text: str) -> str:
    value = ast.literal_eval(text)
    assert isinstance(value, str), text
    return value


def read_po(path: Path) -> list[Entry]:
    """The entries of a ``.po`` file, header and obsolete entries left out."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = Entry()
        target: tuple[str, int] | None = None
        seen = False
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#~") or not line:
                continue
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
                continue
            if line.startswith("#"):
                continue
            match = _KEYWORD.match(line)
            if match:
                keyword, index, text = match.groups()
                seen = True
                if keyword.startswith("msgstr"):
                    target = ("msgstr", int(index or 0))
                    entry.msgstr[target[1]] = _unquote(text)
                else:
                    target = (keyword, 0)
                    setattr(entry, keyword, _unquote(text))
                continue
            assert target is not None, f"{path}: a string outside an entry: {line!r}"
            assert line.startswith('"'), f"{path}: cannot read {line!r}"
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += _unquote(line)
            else:
                setattr(entry, target[0], (getattr(entry, target[0]) or "") + _unquote(line))
        if seen and entry.msgid:
            entries.append(entry)
    return entries
