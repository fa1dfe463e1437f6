"""Bulk upserts by remote id: one SELECT and at most one INSERT ... ON CONFLICT per page.

Each page is written in its own transaction. Existing rows are compared by fingerprint, so rows
the API did not change are not written at all (an idle re-sync writes zero rows), and rows are
written in ``vonage_id`` order, so concurrent syncs lock them in the same order and cannot
deadlock each other.

When receivers listen to a model's ``pre_save`` or ``post_save`` (django-simple-history,
django-auditlog, a search index), each written row sends them as ``Model.save()`` would;
otherwise, like Django's own ``bulk_create``, none are sent and a page costs its two statements.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from django.db import models, router, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from .fields import fingerprint

__all__ = ["SyncCounts", "bulk_upsert"]

logger = logging.getLogger("django_vonage_meetings.sync")

M = TypeVar("M", bound=models.Model)

#: Local bookkeeping, and the owner, which a sync never overwrites on an existing row.
_KEEP = frozenset({"id", "vonage_id", "application_id", "local_created_at"})


@dataclass
class SyncCounts:
    """What a sync did (or, with ``dry_run``, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __iadd__(self, other: SyncCounts) -> SyncCounts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        return self

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return f"{text}, {self.deleted} deleted" if self.deleted else text


def bulk_upsert(
    model: type[M],
    rows: Iterable[Mapping[str, Any]],
    *,
    keep_if_missing: tuple[str, ...] = (),
    dry_run: bool = False,
) -> SyncCounts:
    """Insert new rows and update changed ones (by ``vonage_id``); skip unchanged ones.

    ``rows`` are field dicts from ``services.fields`` (with ``vonage_id`` and ``data``) and the
    ``application_id`` they belong to, one application per call. A row another application
    owns is never rewritten (logged and skipped). ``keep_if_missing`` names fields the API does
    not send for this object (a recording's room): an existing row's value is kept when the new
    one is empty.
    """
    counts = SyncCounts()
    by_id = {str(row["vonage_id"]): dict(row) for row in rows}
    if not by_id:
        return counts
    owners = {row.get("application_id") for row in by_id.values()}
    if len(owners) != 1 or None in owners:
        raise ValueError("bulk_upsert writes the rows of one application: set application_id")
    (owner,) = owners
    now = timezone.now()
    concrete = [f.attname for f in model._meta.concrete_fields]
    update_fields = [name for name in concrete if name not in _KEEP]
    watched = pre_save.has_listeners(model) or post_save.has_listeners(model)
    # With save receivers, updated instances carry their real id and creation time.
    identity = ("id", "local_created_at") if watched else ()
    # Rooms, themes... have globally unique ids; dial-in numbers are unique per application.
    remote_id = model._meta.get_field("vonage_id")
    per_application = isinstance(remote_id, models.Field) and not remote_id.unique
    unique = ["application", "vonage_id"] if per_application else ["vonage_id"]
    candidates = model._default_manager.filter(vonage_id__in=list(by_id))
    if per_application:
        candidates = candidates.filter(application_id=owner)
    with transaction.atomic():
        existing = {
            found[0]: found[1:]
            for found in candidates.values_list(
                "vonage_id", "application_id", "local_payload_hash", *identity, *keep_if_missing
            )
        }
        to_write: list[tuple[M, bool]] = []
        for vonage_id in sorted(by_id):
            fields = by_id[vonage_id]
            digest = fingerprint(fields["data"])
            found = existing.get(vonage_id)
            if found is not None and found[0] != owner:
                logger.warning(
                    "%s %s belongs to application %s; an answer for %s does not rewrite it",
                    model.__name__,
                    vonage_id,
                    found[0],
                    owner,
                )
                continue
            old = found[1:] if found is not None else None
            if old is not None and old[0] == digest:
                counts.unchanged += 1
                continue
            created_at = now
            if old is None:
                counts.created += 1
            else:
                counts.updated += 1
                if watched:
                    fields["id"], created_at = old[1], old[2]
                kept = old[1 + len(identity) :]
                for name, value in zip(keep_if_missing, kept, strict=True):
                    if not fields.get(name):
                        fields[name] = value
            instance = model(
                **fields,
                local_payload_hash=digest,
                local_synced_at=now,
                local_updated_at=now,
                local_created_at=created_at,
            )
            to_write.append((instance, old is None))
        if to_write and not dry_run:
            _write(model, to_write, update_fields, unique, watched=watched)
    return counts


def _write(
    model: type[M],
    rows: list[tuple[M, bool]],
    update_fields: list[str],
    unique: list[str],
    *,
    watched: bool,
) -> None:
    """One ``INSERT ... ON CONFLICT DO UPDATE`` for the page; with save receivers connected,
    ``pre_save``/``post_save`` for each row as ``Model.save()`` would send them."""
    using = router.db_for_write(model)
    instances = [instance for instance, _created in rows]
    if watched:
        for instance in instances:
            pre_save.send(
                sender=model, instance=instance, raw=False, using=using, update_fields=None
            )
    model._default_manager.bulk_create(
        instances,
        update_conflicts=True,
        unique_fields=unique,
        update_fields=update_fields,
    )
    if watched:
        for instance, created in rows:
            instance._state.adding = False
            instance._state.db = using
            post_save.send(
                sender=model,
                instance=instance,
                created=created,
                update_fields=None,
                raw=False,
                using=using,
            )
