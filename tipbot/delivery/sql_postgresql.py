"""The claim's two writes on PostgreSQL: insert the day's deliveries, advance the subscribers.

One statement per step, whatever the batch size. Each column travels as one array
parameter and ``unnest`` turns the arrays back into rows, so the server runs one short
statement instead of an ``executemany`` UPDATE (1,000 executions) and a multi-row INSERT of
7,000 parameters, each processed by SQLAlchemy. ``text()`` skips SQLAlchemy's type
processing, so the values are passed as asyncpg takes them: aware UTC datetimes, plain
strings (an enum's value), and JSON as ``json.dumps`` text (what the JSON column type would
send). The statements are built from the column names in ``rules.py`` and the tables' types.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import JSON, Column, Row, Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from tipbot.core.db.models import Delivery, Subscriber, utcnow
from tipbot.delivery.rules import ADVANCED_COLUMNS, DueSubscriber, NewDelivery

_DIALECT = postgresql.dialect()
_SUBSCRIBERS: Table = Subscriber.__table__
_DELIVERIES: Table = Delivery.__table__
_INSERTED = NewDelivery._fields


def _array(column: Column[Any]) -> str:
    """``CAST(:name AS type[])``: the column's values as one array parameter (JSON as text)."""
    element = "text" if isinstance(column.type, JSON) else column.type.compile(dialect=_DIALECT)
    return f"CAST(:{column.name} AS {element}[])"


def _to_driver(column: Column[Any]) -> Callable[[Any], Any] | None:
    """What asyncpg is given for the column's Python value (None: the value as it is)."""
    if isinstance(column.type, JSON):
        return json.dumps
    python_type = getattr(column.type, "python_type", None)
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return attrgetter("value")
    return None


def _arrays(columns: Sequence[Column[Any]], rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """The rows (tuples in ``columns``' order) as one list per column, converted for asyncpg."""
    values = list(zip(*rows, strict=True)) or [()] * len(columns)
    arrays: dict[str, Any] = {}
    for column, column_values in zip(columns, values, strict=True):
        convert = _CONVERT[column.table.name, column.name]
        arrays[column.name] = (
            [convert(value) for value in column_values] if convert else list(column_values)
        )
    return arrays


_INSERT_COLUMNS = [_DELIVERIES.c[name] for name in _INSERTED]
INSERT_DELIVERIES = text(
    f"""
    INSERT INTO deliveries ({", ".join(_INSERTED)}, created_at)
    SELECT v.*, CAST(:created_at AS timestamptz)
    FROM unnest({", ".join(_array(column) for column in _INSERT_COLUMNS)}) AS v
    ON CONFLICT (subscriber_id, local_date) DO NOTHING
    RETURNING id, subscriber_id, status, tip_id, variant
    """
)

_ADVANCE_COLUMNS = [_SUBSCRIBERS.c[name] for name in ("user_id", *ADVANCED_COLUMNS)]
_SET = ", ".join(
    f"{name} = CAST(v.{name} AS json)"
    if isinstance(_SUBSCRIBERS.c[name].type, JSON)
    else f"{name} = v.{name}"
    for name in ADVANCED_COLUMNS
)
ADVANCE = text(
    f"""
    UPDATE subscribers AS s
    SET {_SET}, updated_at = CAST(:updated_at AS timestamptz)
    FROM unnest({", ".join(_array(column) for column in _ADVANCE_COLUMNS)})
        AS v (user_id, {", ".join(ADVANCED_COLUMNS)})
    WHERE s.user_id = v.user_id
    """
)
_advanced_values = attrgetter("user_id", *ADVANCED_COLUMNS)
_CONVERT = {
    (column.table.name, column.name): _to_driver(column)
    for column in (*_INSERT_COLUMNS, *_ADVANCE_COLUMNS)
}


async def insert_deliveries(
    connection: AsyncConnection, deliveries: list[NewDelivery], now: datetime
) -> list[Row[Any]]:
    """Insert the rows whose day has none yet; the inserted ones come back."""
    parameters = _arrays(_INSERT_COLUMNS, deliveries)
    parameters["created_at"] = now
    return list(await connection.execute(INSERT_DELIVERIES, parameters))


async def advance(connection: AsyncConnection, subscribers: list[DueSubscriber]) -> None:
    """Write back what the claim changed: status, pause, next due time, the picker's state."""
    parameters = _arrays(_ADVANCE_COLUMNS, map(_advanced_values, subscribers))
    parameters["updated_at"] = utcnow()  # what the column's ``onupdate=utcnow`` would have set
    await connection.execute(ADVANCE, parameters)
