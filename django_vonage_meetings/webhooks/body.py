"""A callback body as JSON the database will store: finite numbers, bounded nesting, no NUL.

``json.loads`` accepts more than JSON: ``NaN`` and ``Infinity`` (and ``1e999``, which becomes
``inf``), which no database stores in a JSON column, so such an event was accepted and then
failed on every retry; and nesting deep enough to raise ``RecursionError``. Each of these is
refused here with a stable code (answered 400) before anything is stored.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

__all__ = ["BadBody", "json_depth", "parse_body"]

#: A JSON string (escapes included), so that brackets inside strings are not counted.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class BadBody(ValueError):
    """The body is not JSON this app will store; ``code`` is the refusal's stable code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def json_depth(text: str, limit: int) -> int:
    """How deep arrays and objects nest in ``text`` (the outermost counts 1), counted only
    when it may exceed ``limit``: a body with fewer brackets cannot (every callback's case)."""
    if text.count("[") + text.count("{") <= limit:
        return 0
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest  # no need to read on
        else:
            depth -= 1
    return deepest


def _no_constant(name: str) -> NoReturn:
    raise BadBody("non_finite_number", f"The body holds {name}, which is not a JSON number.")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadBody("non_finite_number", "The body holds a number too large for a float.")
    return value


def parse_body(body: bytes, *, max_depth: int) -> Any:
    """The decoded JSON of a callback body, or :class:`BadBody`."""
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")
    except (UnicodeDecodeError, LookupError):
        raise BadBody("invalid_json", "The body is not valid JSON.") from None
    if json_depth(text, max_depth) > max_depth:
        raise BadBody(
            "too_deep",
            f"The body nests arrays or objects deeper than {max_depth} levels "
            "(VONAGE_MEETINGS['WEBHOOK_MAX_JSON_DEPTH']).",
        )
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except BadBody:
        raise
    except RecursionError:  # not reachable past the depth check; kept as a floor
        raise BadBody("too_deep", "The body nests too deeply.") from None
    except ValueError:
        raise BadBody("invalid_json", "The body is not valid JSON.") from None


def has_nul(value: Any) -> bool:
    """Whether a decoded payload holds U+0000 anywhere (PostgreSQL cannot store it in JSON)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False
