"""The shipped catalogues are complete and compiled.

The marked strings are extracted afresh, the way ``make messages`` does it (Django's
``makemessages`` run from the package directory), into a copy of the package; each language's
committed ``.po`` must then hold exactly those messages, each translated and none fuzzy, and each
``.mo`` must be what ``msgfmt`` makes of its ``.po`` (so a ``.po`` edit cannot ship without its
``.mo``). Needs GNU gettext (``xgettext``, ``msgmerge``, ``msgfmt``), as ``makemessages`` does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import django_vonage_meetings

from .pofile import Entry, read_po

PACKAGE = Path(django_vonage_meetings.__file__).parent
#: The package's catalogue and the simulator app's own (Django loads each with its app).
CATALOGUES = {"package": Path("locale"), "simulator": Path("simulator", "locale")}
LANGUAGES = ("de", "fr", "es")
#: The options ``make messages`` passes; keep them in step with the Makefile.
MAKEMESSAGES = ("makemessages", "--add-location", "file", "--no-obsolete")

Key = tuple[str | None, str, str | None]


def po_path(package: Path, catalogue: str, language: str) -> Path:
    return package / CATALOGUES[catalogue] / language / "LC_MESSAGES" / "django.po"


def extract(package: Path, languages: tuple[str, ...]) -> None:
    """Run ``makemessages`` in ``package`` (a copy), as ``make messages`` does: no settings."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # Isolated (-I): the package directory is the working directory, and its modules (its
    # logging.py, for one) must not shadow the standard library's.
    args = [sys.executable, "-I", "-m", "django", *MAKEMESSAGES]
    for language in languages:
        args += ["-l", language]
    done = subprocess.run(args, check=False, cwd=package, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def copy_package(target: Path) -> Path:
    copy = target / "django_vonage_meetings"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    return copy


def keys(entries: list[Entry]) -> set[Key]:
    return {entry.key for entry in entries}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package whose catalogues hold what its sources mark today."""
    copy = copy_package(tmp_path_factory.mktemp("extracted"))
    extract(copy, LANGUAGES)
    return copy


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("catalogue", sorted(CATALOGUES))
def test_catalogue_holds_every_marked_string(fresh, catalogue, language):
    marked = keys(read_po(po_path(fresh, catalogue, language)))
    committed = keys(read_po(po_path(PACKAGE, catalogue, language)))
    assert marked, "nothing was extracted"
    missing = sorted(marked - committed, key=str)
    stale = sorted(committed - marked, key=str)
    assert not missing, f"not in the {language} catalogue (run make messages): {missing}"
    assert not stale, f"no longer marked, still in the {language} catalogue: {stale}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("catalogue", sorted(CATALOGUES))
def test_catalogue_is_translated(catalogue, language):
    entries = read_po(po_path(PACKAGE, catalogue, language))
    assert entries
    untranslated = [entry.msgid for entry in entries if not entry.translated]
    fuzzy = [entry.msgid for entry in entries if entry.fuzzy]
    assert not untranslated, f"{language}: no translation for {untranslated}"
    assert not fuzzy, f"{language}: fuzzy (check, then drop the flag): {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("catalogue", sorted(CATALOGUES))
def test_mo_is_compiled_from_its_po(tmp_path, catalogue, language):
    """``compilemessages`` runs ``msgfmt --check-format``; its output is deterministic, so the
    committed ``.mo`` must be byte for byte what its ``.po`` compiles to (placeholders checked
    on the way)."""
    po = po_path(PACKAGE, catalogue, language)
    compiled = tmp_path / "django.mo"
    done = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(po)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    committed = po.with_suffix(".mo")
    assert committed.is_file(), f"{committed} is missing (run make messages)"
    assert committed.read_bytes() == compiled.read_bytes(), (
        f"{committed} is not compiled from its .po (run make messages)"
    )


def test_a_newly_marked_string_is_reported_missing(tmp_path):
    """The check above fails when someone marks a string and does not translate it."""
    copy = copy_package(tmp_path)
    (copy / "admin" / "probe.py").write_text(
        "from django.utils.translation import gettext_lazy as _\n\n"
        'PROBE = _("A sentence no catalogue has yet")\n'
    )
    extract(copy, ("de",))
    marked = keys(read_po(po_path(copy, "package", "de")))
    committed = keys(read_po(po_path(PACKAGE, "package", "de")))
    assert marked - committed == {(None, "A sentence no catalogue has yet", None)}
    added = [e for e in read_po(po_path(copy, "package", "de")) if e.msgid.startswith("A sentence")]
    assert [entry.translated for entry in added] == [False]
