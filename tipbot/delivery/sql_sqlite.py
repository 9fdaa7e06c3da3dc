"""The claim's two writes on SQLite: insert the day's deliveries, advance the subscribers.

Plain driver SQL (a multi-row INSERT, an ``executemany`` UPDATE, both run in C by sqlite3):
SQLAlchemy's Core statements spent more on per-value work (type processing, building the
multi-row INSERT) than SQLite on the statements (bench/README.md, figure 3, has the
numbers). The values are converted once by the columns' own bind processors, so they are
stored exactly as SQLAlchemy stores them: the text timestamps that ``next_send_at <= now``
compares. The statements are built from the column names in ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from itertools import chain, repeat
from operator import attrgetter
from typing import Any

from sqlalchemy import JSON, Column, Dialect, Row, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from tipbot.core.db.models import Delivery, Subscriber, utcnow
from tipbot.delivery.rules import ADVANCED_COLUMNS, DueSubscriber, NewDelivery

_SQLITE_MAX_VARIABLES = 32_766  # SQLITE_MAX_VARIABLE_NUMBER's default since SQLite 3.32
_SUBSCRIBERS: Table = Subscriber.__table__
_DELIVERIES: Table = Delivery.__table__
_INSERTED = NewDelivery._fields
_INSERT_COLUMNS = [_DELIVERIES.c[name] for name in _INSERTED]
_ADVANCE_COLUMNS = [_SUBSCRIBERS.c[name] for name in ADVANCED_COLUMNS]
_PER_ROW = len(_INSERTED) + 1  # and created_at

INSERT_DELIVERIES = (
    f"INSERT INTO deliveries ({', '.join(_INSERTED)}, created_at) VALUES {{}} "
    "ON CONFLICT (subscriber_id, local_date) DO NOTHING "
    "RETURNING id, subscriber_id, status, tip_id, variant"
)
_ROW_VALUES = f"({', '.join(['?'] * _PER_ROW)})"
ADVANCE = (
    f"UPDATE subscribers SET {', '.join(f'{name} = ?' for name in ADVANCED_COLUMNS)}, "
    "updated_at = ? WHERE user_id = ?"
)
_advanced_values = attrgetter(*ADVANCED_COLUMNS)


def _to_driver(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column type's own conversion of a Python value to what the driver is given."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _columns(
    columns: Sequence[Column[Any]], rows: Iterable[Sequence[Any]], dialect: Dialect
) -> list[Sequence[Any]]:
    """The rows as one converted sequence per column. Rows claimed together share a handful
    of instants, dates and statuses: each distinct value is converted once (JSON is not
    hashable, so each of those is converted)."""
    values = list(zip(*rows, strict=True)) or [()] * len(columns)
    converted: list[Sequence[Any]] = []
    for column, column_values in zip(columns, values, strict=True):
        convert = _to_driver(column, dialect)
        if convert is None:
            converted.append(column_values)
            continue
        if not isinstance(column.type, JSON):
            convert = lru_cache(maxsize=None)(convert)
        converted.append(list(map(convert, column_values)))
    return converted


def _timestamp(dialect: Dialect) -> Callable[[datetime], Any]:
    convert = _to_driver(_SUBSCRIBERS.c.updated_at, dialect)
    assert convert is not None  # a text timestamp on SQLite
    return convert


async def insert_deliveries(
    connection: AsyncConnection, deliveries: list[NewDelivery], now: datetime
) -> list[Row[Any]]:
    """Insert the rows whose day has none yet; the inserted ones come back."""
    dialect = connection.dialect
    created_at = _timestamp(dialect)(now)
    rows = list(zip(*_columns(_INSERT_COLUMNS, deliveries, dialect), repeat(created_at)))
    inserted: list[Row[Any]] = []
    per_statement = _SQLITE_MAX_VARIABLES // _PER_ROW
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        result = await connection.exec_driver_sql(
            INSERT_DELIVERIES.format(", ".join([_ROW_VALUES] * len(chunk))),
            tuple(chain.from_iterable(chunk)),
        )
        inserted.extend(result.all())
    return inserted


async def advance(connection: AsyncConnection, subscribers: list[DueSubscriber]) -> None:
    """Write back what the claim changed: status, pause, next due time, the picker's state."""
    dialect = connection.dialect
    updated_at = _timestamp(dialect)(utcnow())  # what the column's ``onupdate=utcnow`` would set
    columns = _columns(_ADVANCE_COLUMNS, map(_advanced_values, subscribers), dialect)
    user_ids = [subscriber.user_id for subscriber in subscribers]
    await connection.exec_driver_sql(ADVANCE, list(zip(*columns, repeat(updated_at), user_ids)))
