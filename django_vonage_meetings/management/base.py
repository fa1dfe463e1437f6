"""What every command of the package shares: keyword options given as strings are converted.

``call_command("simulator_seed", rooms="500")`` passes ``rooms`` straight to ``handle`` without
argparse's ``type``, unlike the command line; scripts and test suites call commands that way.
So each option the CLI converts (numbers, paths, lists) is converted here too, with the
command line's error for a bad value; a list option accepts one string (split on spaces or
commas) as well as a list, and a flag accepts "true"/"false".
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError

__all__ = ["MeetingsCommand", "coerce_options"]


class MeetingsCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> Any:
        return super().execute(*args, **coerce_options(self, options))


def coerce_options(command: BaseCommand, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with string values converted as the command's parser would convert them."""
    parser = command.create_parser("manage.py", type(command).__module__.rpartition(".")[2])
    out = dict(options)
    for action in parser._actions:
        if action.dest not in out or out[action.dest] is None:
            continue
        value = out[action.dest]
        if isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction):
            out[action.dest] = _flag(action, value)
            continue
        if isinstance(action, argparse._AppendAction) and isinstance(value, str):
            value = [value]  # one --room ID, as a keyword
        counted = isinstance(action.nargs, int) and action.nargs > 0
        many = action.nargs in ("*", "+") or counted or isinstance(action, argparse._AppendAction)
        if many and isinstance(value, str):
            value = [part for part in re.split(r"[\s,]+", value) if part]
        if action.type is not None and callable(action.type):
            value = (
                [_convert(action, item) for item in value]
                if many and isinstance(value, list | tuple)
                else _convert(action, value)
            )
        out[action.dest] = value
    return out


TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")


def _flag(action: argparse.Action, value: Any) -> bool:
    """A flag given as ``call_command(force="true")``."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    flag = action.option_strings[0] if action.option_strings else action.dest
    raise CommandError(f"{flag} takes true or false, not {value!r}")


def _convert(action: argparse.Action, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    assert callable(action.type)
    try:
        return action.type(value)
    except (TypeError, ValueError, argparse.ArgumentTypeError):
        flag = action.option_strings[0] if action.option_strings else action.dest
        raise CommandError(f"{flag}: invalid value {value!r}") from None
