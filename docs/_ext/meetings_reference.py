"""Reference pages generated from the code, so they cannot drift from it.

``meetings-settings``
    a list of every ``VONAGE_MEETINGS`` key, from the :class:`Setting` declarations of
    :class:`~django_vonage_meetings.conf.MeetingsSettings` (name, default, description).
``meetings-command`` NAME
    one management command: its help, its module docstring (examples become console blocks)
    and its own arguments, read from the command's argparse parser.
"""

from __future__ import annotations

import argparse
import inspect
import re
import textwrap
from typing import Any

from django.core.management import get_commands, load_command_class
from django.core.management.base import BaseCommand
from docutils import nodes
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

PACKAGE = "django_vonage_meetings"


class GeneratedRST(SphinxDirective):
    """A directive whose body is reStructuredText made by :meth:`lines`.

    Parsed with docutils' own RST parser into a fragment of the page: in a MyST page the
    directive's state would parse its content as Markdown, and docstrings are RST.
    """

    def lines(self) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        page = self.state.document
        fragment = new_document(page["source"], page.settings)
        fragment.reporter = page.reporter
        Parser().parse("\n".join(self.lines()) + "\n", fragment)
        return list(fragment.children)


class SettingsTable(GeneratedRST):
    def lines(self) -> list[str]:
        from django_vonage_meetings.conf import SETTINGS

        out: list[str] = []
        for name, spec in SETTINGS.items():
            doc = spec.doc + (" *A secret: never shown in messages.*" if spec.secret else "")
            out += [f"``{name}`` (default ``{spec.default!r}``)"]
            out += ["   " + line for line in textwrap.wrap(doc, 90)]
            out += [""]
        return out


def _code_options(text: str) -> str:
    """``--option`` as code, so it reads as typed (and no ``--`` becomes a dash)."""
    return re.sub(r"(?<![`\w])(--[a-z][a-z-]*)", r"``\1``", text)


def our_commands() -> dict[str, str]:
    """Command name -> the app that provides it, for this package's apps."""
    return {name: app for name, app in sorted(get_commands().items()) if app.startswith(PACKAGE)}


def _django_dests() -> set[str]:
    parser = BaseCommand().create_parser("manage.py", "command")
    return {action.dest for action in parser._actions}


def _docstring_lines(doc: str) -> list[str]:
    """A command module's docstring: indented ``python manage.py`` lines become console blocks."""
    out: list[str] = []
    for block in inspect.cleandoc(doc).split("\n\n"):
        lines = block.splitlines()
        if all(line.startswith("    ") for line in lines):
            out += [".. code-block:: console", ""]
            out += ["   $ " + line.strip() for line in lines]
        else:
            out += lines
        out.append("")
    return out


def _own_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The command's own arguments, without the options every Django command has."""
    common = _django_dests()
    return [
        action
        for action in parser._actions
        if action.dest not in common and action.help != argparse.SUPPRESS
    ]


def _term(action: argparse.Action) -> str:
    if action.option_strings:
        takes_value = action.nargs != 0
        metavar = action.metavar or action.dest.upper()
        value = f" {metavar}" if takes_value else ""
        if action.nargs in ("+", "*"):
            value = f" {metavar} [{metavar} ...]"
        return ", ".join(f"{option}{value}" for option in action.option_strings)
    term = str(action.metavar or action.dest)
    if action.nargs == "*":
        return f"[{term} ...]"
    if action.nargs == "+":
        return f"{term} [{term} ...]"
    return term


def _usage(name: str, parser: argparse.ArgumentParser) -> str:
    parts = [f"manage.py {name}"]
    for action in _own_actions(parser):
        term = _term(action).split(", ")[-1]
        parts.append(term if not action.option_strings or action.required else f"[{term}]")
    return " ".join(parts)


def _argument_lines(parser: argparse.ArgumentParser) -> list[str]:
    out: list[str] = []
    for action in _own_actions(parser):
        term = _term(action)
        text = _code_options((action.help or "").strip())
        if "%(" in text:
            text = text % {**vars(action), "prog": parser.prog}
        if action.choices:
            text += " Choices: " + ", ".join(f"``{c}``" for c in action.choices) + "."
        if action.default not in (None, False, [], argparse.SUPPRESS) and action.option_strings:
            text += f" Default: ``{action.default}``."
        out += [f"``{term}``", *(f"   {line}" for line in text.splitlines() or [""]), ""]
    return out


class CommandReference(GeneratedRST):
    required_arguments = 1

    def lines(self) -> list[str]:
        name = self.arguments[0]
        commands = our_commands()
        if name not in commands:
            raise self.error(f"{name!r} is not a management command of {PACKAGE}")
        command = load_command_class(commands[name], name)
        parser = command.create_parser("manage.py", name)
        module = inspect.getmodule(type(command))
        out = [_code_options(str(command.help)), "", f"Usage: ``{_usage(name, parser)}``", ""]
        if module is not None and module.__doc__:
            out += _docstring_lines(module.__doc__)
        arguments = _argument_lines(parser)
        if arguments:
            out += ["**Arguments**", "", *arguments]
        return out


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("meetings-settings", SettingsTable)
    app.add_directive("meetings-command", CommandReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
