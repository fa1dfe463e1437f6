"""Single-row statements for the callback path: insert-unless-present, read, update.

A callback touches a handful of rows, and through ``QuerySet``/``Model.save()`` building and
compiling each query costs several times what its SQL costs. These helpers keep the ORM's own
value preparation and conversion (``Field.pre_save``, ``get_db_prep_save``, the backend's
converters, ``Model.from_db``) and cache each statement's SQL per model.

They also send Django's ``pre_save`` and ``post_save`` for every row they insert or update,
with the arguments ``Model.save()`` would give (a full instance, ``created``,
``update_fields``, ``raw=False``, ``using``), so django-simple-history, django-auditlog,
search indexes and cache invalidation see callback writes. When nobody listens for a model,
that costs nothing and the statement counts stay as they are; when someone does, an insert
reads first so that the signals are sent only for rows that are really inserted.

``insert`` uses ``INSERT ... ON CONFLICT (column) DO NOTHING RETURNING pk``, which PostgreSQL
and SQLite (3.35+) understand and which never raises for the conflict it names, so no savepoint
is needed inside the caller's transaction. On other databases it falls back to a savepoint and
``Model.save(force_insert=True)`` (which sends the signals itself).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import IntegrityError, connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.signals import post_save, pre_save

__all__ = ["fill_null", "insert", "select", "update"]

M = TypeVar("M", bound=models.Model)

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def _connection(model: type[models.Model]) -> BaseDatabaseWrapper:
    return connections[router.db_for_write(model)]


def _watched(model: type[models.Model]) -> bool:
    """Whether anyone listens to this model's saves (then rows go out with the signals)."""
    return pre_save.has_listeners(model) or post_save.has_listeners(model)


def _pre_save(obj: models.Model, alias: str, update_fields: frozenset[str] | None) -> None:
    pre_save.send(
        sender=type(obj), instance=obj, raw=False, using=alias, update_fields=update_fields
    )


def _post_save(
    obj: models.Model, alias: str, *, created: bool, update_fields: frozenset[str] | None
) -> None:
    post_save.send(
        sender=type(obj),
        instance=obj,
        created=created,
        update_fields=update_fields,
        raw=False,
        using=alias,
    )


def _fast_insert(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor in ("postgresql", "sqlite") and bool(
        connection.features.can_return_columns_from_insert
    )


def _statement(template: str, **identifiers: str) -> str:
    """SQL text whose only substitutions are identifiers quoted by the backend from model
    metadata; values always travel as parameters."""
    return template.format(**identifiers)


def _table(model: type[models.Model], connection: BaseDatabaseWrapper) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _column(model: type[models.Model], name: str, connection: BaseDatabaseWrapper) -> str:
    return str(connection.ops.quote_name(_field(model, name).column))


def _pk_column(model: type[models.Model], connection: BaseDatabaseWrapper) -> str:
    return _column(model, model._meta.pk.name if model._meta.pk else "id", connection)


@cache
def _insert_sql(
    model: type[models.Model], vendor: str, unique: str
) -> tuple[str, tuple[models.Field[Any, Any], ...]]:
    connection = _connection(model)
    fields = tuple(f for f in model._meta.local_concrete_fields if not f.primary_key)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = _statement(
        "INSERT INTO {table} ({columns}) VALUES ({values}) "
        "ON CONFLICT ({unique}) DO NOTHING RETURNING {pk}",
        table=_table(model, connection),
        columns=columns,
        values=values,
        unique=_column(model, unique, connection),
        pk=_pk_column(model, connection),
    )
    return sql, fields


def insert(obj: models.Model, *, unique: str) -> bool:
    """Insert ``obj`` unless a row with its value of the ``unique`` field exists.

    True when inserted (``obj.pk`` is then set and ``obj`` is a saved instance). A concurrent
    transaction inserting the same value makes this wait for it (the database's unique index),
    then answer False once it commits.
    """
    model = type(obj)
    connection = _connection(model)
    if not _fast_insert(connection):
        try:
            with transaction.atomic(using=connection.alias):
                obj.save(force_insert=True, using=connection.alias)
        except IntegrityError:
            return False
        return True
    watched = _watched(model)
    if watched:
        # Signals only for a row that is really inserted: look first (a concurrent insert
        # still makes the statement below do nothing, and then no post_save is sent).
        if select(model, unique, getattr(obj, _field(model, unique).attname)) is not None:
            return False
        _pre_save(obj, connection.alias, None)
    sql, fields = _insert_sql(model, connection.vendor, unique)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    if watched:
        _post_save(obj, connection.alias, created=True, update_fields=None)
    return True


@cache
def _select_sql(
    model: type[models.Model], vendor: str, where: str, lock: bool
) -> tuple[str, tuple[str, ...], tuple[tuple[Any, tuple[Converter, ...]], ...]]:
    connection = _connection(model)
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = _statement(
        "SELECT {columns} FROM {table} WHERE {where} = %s",
        columns=columns,
        table=_table(model, connection),
        where=_column(model, where, connection),
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    converters = []
    for field in fields:
        column = field.get_col(table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        converters.append((column, tuple(found)))
    return sql, tuple(f.attname for f in fields), tuple(converters)


def select(model: type[M], field: str, value: Any, *, lock: bool = False) -> M | None:
    """The row whose ``field`` equals ``value`` (a unique field), or None; ``lock`` holds it
    until the transaction ends where the database can (``SELECT ... FOR UPDATE``)."""
    connection = _connection(model)
    sql, names, converters = _select_sql(model, connection.vendor, field, lock)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, (column, found) in enumerate(converters):
        for converter in found:
            values[index] = converter(values[index], column, connection)
    return model.from_db(connection.alias, names, values)


def update(obj: models.Model, fields: Sequence[str]) -> None:
    """Write these fields of a saved instance (``pre_save`` runs, so ``auto_now`` works)."""
    if not fields:
        return
    model = type(obj)
    connection = _connection(model)
    watched = _watched(model)
    if watched:
        _pre_save(obj, connection.alias, frozenset(fields))
    chosen = [_field(model, name) for name in fields]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in chosen)
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection=connection) for f in chosen]
    sql = _statement(
        "UPDATE {table} SET {assignments} WHERE {pk} = %s",
        table=_table(model, connection),
        assignments=assignments,
        pk=_pk_column(model, connection),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
    if watched:
        _post_save(obj, connection.alias, created=False, update_fields=frozenset(fields))


def fill_null(model: type[models.Model], where: str, value: Any, field: str, new: Any) -> None:
    """Set ``field`` to ``new`` on the row whose ``where`` equals ``value``, if it is NULL."""
    if _watched(model):
        found = select(model, where, value)
        if found is not None and getattr(found, _field(model, field).attname) is None:
            setattr(found, _field(model, field).attname, new)
            update(found, [field])
        return
    connection = _connection(model)
    column = _column(model, field, connection)
    sql = _statement(
        "UPDATE {table} SET {column} = %s WHERE {where} = %s AND {column} IS NULL",
        table=_table(model, connection),
        column=column,
        where=_column(model, where, connection),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [new, value])
