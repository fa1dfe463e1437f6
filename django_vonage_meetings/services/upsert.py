"""Bulk upserts by remote id: one SELECT and at most one INSERT ... ON CONFLICT per page.

Each page is written in its own transaction. Existing rows are compared by fingerprint, so rows
the API did not change are not written at all (an idle re-sync writes zero rows), and rows are
written in ``vonage_id`` order, so concurrent syncs lock them in the same order and cannot
deadlock each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from ..serializers.api import fingerprint

__all__ = ["SyncCounts", "bulk_upsert"]

M = TypeVar("M", bound=models.Model)

#: Local bookkeeping a sync never overwrites on an existing row.
_KEEP = frozenset({"id", "vonage_id", "local_created_at"})


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

    ``rows`` are field dicts from ``serializers.api`` (with ``vonage_id`` and ``data``).
    ``keep_if_missing`` names fields the API does not send for this object (a recording's
    room): an existing row's value is kept when the new one is empty.
    """
    counts = SyncCounts()
    by_id = {str(row["vonage_id"]): dict(row) for row in rows}
    if not by_id:
        return counts
    now = timezone.now()
    concrete = [f.attname for f in model._meta.concrete_fields]
    update_fields = [name for name in concrete if name not in _KEEP]
    with transaction.atomic():
        existing = {
            found[0]: found[1:]
            for found in model._default_manager.filter(vonage_id__in=list(by_id)).values_list(
                "vonage_id", "local_payload_hash", *keep_if_missing
            )
        }
        to_write: list[M] = []
        for vonage_id in sorted(by_id):
            fields = by_id[vonage_id]
            digest = fingerprint(fields["data"])
            old = existing.get(vonage_id)
            if old is not None and old[0] == digest:
                counts.unchanged += 1
                continue
            if old is None:
                counts.created += 1
            else:
                counts.updated += 1
                for name, value in zip(keep_if_missing, old[1:], strict=True):
                    if not fields.get(name):
                        fields[name] = value
            to_write.append(
                model(
                    **fields,
                    local_payload_hash=digest,
                    local_synced_at=now,
                    local_updated_at=now,
                    local_created_at=now,
                )
            )
        if to_write and not dry_run:
            model._default_manager.bulk_create(
                to_write,
                update_conflicts=True,
                unique_fields=["vonage_id"],
                update_fields=update_fields,
            )
    return counts
