"""Numbers people type and callback data carries: one strict parser for all of them.

``str.isdigit`` accepts "²" and "٣", and ``int`` of twenty digits overflows the database's
integer column (SQLite: ``OverflowError``; PostgreSQL: out of range). Anything else than
ASCII digits within the target column's range is "not an id" (``None``), never an error.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, SmallInteger
from sqlalchemy.orm import InstrumentedAttribute

INT16_MAX = 2**15 - 1
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_DIGITS = frozenset("0123456789")


def column_max(column: InstrumentedAttribute[int]) -> int:
    """The largest value the column's integer type holds (on every database we support)."""
    kind = column.type
    if isinstance(kind, BigInteger):
        return INT64_MAX
    if isinstance(kind, SmallInteger):
        return INT16_MAX
    if isinstance(kind, Integer):
        return INT32_MAX
    raise TypeError(f"{column} is not an integer column")


def parse_number(text: str | None, maximum: int = INT64_MAX) -> int | None:
    """``text`` as a whole number 0…``maximum``: ASCII digits only, else ``None``."""
    if not text or len(text) > len(str(maximum)) or not _DIGITS.issuperset(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def parse_id(text: str | None, column: InstrumentedAttribute[int]) -> int | None:
    """An id for ``column`` (e.g. ``ConsultRequest.id``) from a person or callback data."""
    return parse_number(text, column_max(column))
