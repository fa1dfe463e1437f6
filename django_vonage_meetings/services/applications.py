"""Which application a service call acts as, and its ``Application`` row.

A service takes ``application=`` (a settings name or an ``Application`` row; the default
application when omitted), or works on an object whose application it already knows (a
``Room`` row). The rows it writes belong to the application its client authenticated as: their
``application`` foreign key holds that Vonage application id.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from .. import credentials
from ..credentials import Named
from ..models import Application

__all__ = ["Named", "application_row", "ensure_row", "owner_of"]


def application_row(application: Named = None) -> Application:
    """The ``Application`` row of a configured application, made on first use."""
    found = credentials.of(application)
    return ensure_row(found.application_id, found.name)


def ensure_row(vonage_id: str, name: str | None = None) -> Application:
    """The row of a Vonage application id, made if missing; ``name`` (its settings name) moves
    to it from any row that had it before (an application given a new id)."""
    if name is None:
        configured = credentials.for_application_id(vonage_id)
        name = configured.name if configured is not None else ""
    row = Application.objects.filter(vonage_id=vonage_id).first()
    if row is not None and (not name or row.name == name):
        return row
    try:
        with transaction.atomic():
            if name:
                Application.objects.filter(name=name).exclude(vonage_id=vonage_id).update(name="")
            if row is None:
                return Application.objects.create(vonage_id=vonage_id, name=name, data={})
            row.name = name
            row.save(update_fields=["name"])
    except IntegrityError:  # made by another process a moment ago
        return Application.objects.get(vonage_id=vonage_id)
    return row


def owner_of(obj: Any, application: Named = None) -> Named:
    """The application to act as for ``obj``: the one it belongs to when it is a mirrored row,
    else ``application`` (the default one when None)."""
    vonage_id = getattr(obj, "application_id", None)
    if application is None and isinstance(vonage_id, str) and vonage_id:
        configured = credentials.for_application_id(vonage_id)
        if configured is not None:
            return configured.name
    return application
