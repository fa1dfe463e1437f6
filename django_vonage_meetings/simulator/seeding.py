"""Bulk data for benchmarks and paging tests: many rooms (and themes) in few statements."""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models import sql
from django.utils import timezone

from django_vonage_meetings import rules
from django_vonage_meetings.enums import RoomType

from .models import Application, Room, Theme

__all__ = ["seed"]


def seed(
    application_id: str, rooms: int, themes: int = 0, *, batch_size: int = 5000
) -> tuple[int, int]:
    """Bulk-create rooms (and themes for some of them) for benchmarks and paging tests.

    Every fourth room is long-term (30 days), the rest instant; rooms take the themes in turn
    (with an unthemed share). All or nothing: one transaction.
    """
    if rooms < 0 or themes < 0 or batch_size < 1:
        raise ValueError("rooms and themes must not be negative, batch_size must be positive")
    application = Application.objects.get(application_id=application_id)
    now = timezone.now()
    suffix = secrets.token_hex(3)
    with transaction.atomic():
        Theme.objects.bulk_create(
            [
                Theme(
                    application=application,
                    theme_name=f"Seeded theme {suffix}-{n}",
                    main_color=f"#{random.randrange(0x1000000):06x}",  # noqa: S311 - test data
                    brand_text=f"Brand {n}",
                    short_company_url=f"seeded-{suffix}-{n}",
                )
                for n in range(themes)
            ],
            batch_size=batch_size,
        )
        # Read the ids back: not every database returns them from a bulk insert.
        theme_ids: list[int | None] = [
            None,
            *Theme.objects.filter(
                application=application, short_company_url__startswith=f"seeded-{suffix}-"
            )
            .order_by("id")
            .values_list("id", flat=True),
        ]
        codes = _free_meeting_codes(rooms)
        long_term_expiry = now + dt.timedelta(days=30, minutes=10)
        instant_expiry = now + dt.timedelta(seconds=rules.INSTANT_ROOM_LIFETIME_SECONDS)
        template = Room(application=application, created_at=now, expires_at=instant_expiry)
        loader = _RowLoader(
            template,
            varying=["room_id", "display_name", "type", "expires_at", "theme", "meeting_code"],
        )
        prepared_expiry = {
            RoomType.LONG_TERM: loader.prepare("expires_at", long_term_expiry),
            RoomType.INSTANT: loader.prepare("expires_at", instant_expiry),
        }
        for first in range(0, rooms, batch_size):
            batch = []
            for n in range(first, min(rooms, first + batch_size)):
                kind = RoomType.LONG_TERM if n % 4 == 0 else RoomType.INSTANT
                batch.append(
                    loader.row(
                        loader.prepare("room_id", uuid.uuid4()),
                        f"Seeded room {n}",
                        kind.value,
                        prepared_expiry[kind],
                        theme_ids[n % len(theme_ids)],
                        codes[n],
                    )
                )
            loader.insert(batch)
    return rooms, len(theme_ids) - 1


def _free_meeting_codes(count: int) -> list[str]:
    """``count`` distinct 9-digit codes no room has yet (random, not guessable in sequence)."""
    used = set(Room.objects.values_list("meeting_code", flat=True))
    draw = random.Random(secrets.randbits(64))  # noqa: S311 - seeded from secrets; test data
    codes: list[str] = []
    taken: set[str] = set()
    while len(codes) < count:
        for number in draw.sample(range(100_000_000, 1_000_000_000), count - len(codes)):
            code = str(number)
            if code not in used and code not in taken:
                taken.add(code)
                codes.append(code)
    return codes


class _RowLoader:
    """Insert many rows of one model with few round trips and little per-row work.

    ``bulk_create`` spends most of its time building a model instance and preparing every
    field of every row, which dominates seeding a hundred thousand rooms. Here Django's own insert
    compiler writes the statement from a template row prepared once; each row then only swaps
    in its varying values, prepared by their fields where a backend needs it. Rows go in as
    one ``UNNEST`` statement per chunk where the backend compiles bulk inserts that way
    (PostgreSQL), else through ``executemany`` of the one-row statement (SQLite runs that
    loop in C).
    """

    def __init__(self, template: models.Model, varying: list[str]) -> None:
        model = type(template)
        meta = model._meta
        self.connection = connections[router.db_for_write(model)]
        self.template_object = template
        self.field_list = [f for f in meta.concrete_fields if f is not meta.pk]
        self.fields = {f.name: f for f in self.field_list}
        self.positions = [self.field_list.index(self.fields[name]) for name in varying]
        self.one_row_sql, params = self._compile(1)
        if len(params) != len(self.field_list):
            raise NotImplementedError(f"Unexpected one-row INSERT from {self.connection.vendor}")
        self.template = list(params)
        self._by_column: dict[int, str] = {}
        self.unnest = self._unnest_sql(2) is not None

    def _compile(self, rows: int) -> tuple[str, tuple[Any, ...]]:
        query = sql.InsertQuery(type(self.template_object))
        query.insert_values(self.field_list, [self.template_object] * rows)
        statements = query.get_compiler(connection=self.connection).as_sql()
        if len(statements) != 1:
            raise NotImplementedError(f"{self.connection.vendor} split one INSERT into several")
        statement, params = statements[0]
        return str(statement), tuple(params)

    def _unnest_sql(self, rows: int) -> str | None:
        """The statement taking one array per column for ``rows`` rows, if the backend has one."""
        if rows not in self._by_column:
            statement, params = self._compile(rows)
            columns = len(self.field_list)
            if len(params) != columns or not all(isinstance(p, list) for p in params):
                return None
            self._by_column[rows] = statement
        return self._by_column[rows]

    def prepare(self, name: str, value: Any) -> Any:
        return self.fields[name].get_db_prep_save(value, self.connection)

    def row(self, *varying: Any) -> list[Any]:
        """One row; ``varying`` in the order given to the constructor, already prepared."""
        values = self.template.copy()
        for position, value in zip(self.positions, varying, strict=True):
            values[position] = value
        return values

    def insert(self, rows: list[list[Any]]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            statement = self._unnest_sql(len(rows)) if self.unnest and len(rows) > 1 else None
            if statement is not None:
                cursor.execute(statement, [list(column) for column in zip(*rows, strict=True)])
            else:
                cursor.executemany(self.one_row_sql, rows)
