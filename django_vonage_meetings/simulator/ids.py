"""Public ids in URLs and bodies."""

from __future__ import annotations

import uuid
from typing import Any

NIL = uuid.UUID(int=0)


def lookup_uuid(value: Any) -> uuid.UUID:
    """The UUID in ``value``, or the nil UUID (which no object has) when it is malformed.

    Lookups with a malformed id then simply find nothing and answer 404, like the service.
    """
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return NIL
