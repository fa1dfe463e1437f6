"""What a person reads on a page, to find English left on a translated one."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from .pofile import read_po

__all__ = ["english_leftovers", "visible_texts"]


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        found = dict(attrs)
        if tag == "input" and found.get("type") in ("submit", "button"):
            self._add(found.get("value"))
        self._add(found.get("title"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._add(data)

    def _add(self, text: str | None) -> None:
        text = " ".join((text or "").split())
        if text:
            self.texts.append(text)
            self.texts.append(text.rstrip(":").rstrip())  # a form label, "Name:"


def visible_texts(html: str) -> set[str]:
    """Each text on the page (text nodes, button values, titles), whitespace collapsed."""
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return set(parser.texts)


def english_leftovers(html: str, po: Path) -> list[str]:
    """The catalogue's English messages that the page shows as a whole text, untranslated, as
    they are or capitalised as the admin shows verbose names (messages whose translation is the
    English text itself, such as "Chat", are left out)."""
    entries = [
        entry
        for entry in read_po(po)
        if entry.msgid_plural is None and "python-format" not in entry.flags
    ]
    english = {shown for entry in entries for shown in _as_shown(entry.msgid)}
    translated = {shown for entry in entries for shown in _as_shown(entry.msgstr.get(0, ""))}
    return sorted((english - translated) & visible_texts(html))


def _as_shown(text: str) -> tuple[str, str]:
    return text, text[:1].upper() + text[1:]
