"""SQLite through aiosqlite in one trip to its thread per statement.

aiosqlite runs every sqlite3 call on its own thread, and SQLAlchemy's adapter makes four
such calls per statement (cursor, execute, fetchall, close), plus a commit and a rollback
per transaction, the rollback even after the commit (the pool's reset). Each trip is a
thread hand-over and an event-loop wake-up: about 50 µs of CPU on the 2-core machine,
where SQLite itself answers a primary-key look-up in 8 µs. So this connection runs a
statement's four calls in one trip and skips commits and rollbacks with no transaction
open: a `/tip` went from 19 trips to 6, the per-update language look-up from 9 to 1
(``bench/README.md``, "Updates").

Only SQLAlchemy's adapter uses these connections (``Database`` passes ``async_creator``),
and it uses only what is here: a cursor's rows are read whole, as the adapter does anyway.
The connection runs its function on aiosqlite's thread through ``Connection._execute``, as
aiosqlite's own methods do: a private API. ``sqlite_creator`` uses this connection only on
the aiosqlite it was written for (:data:`WRITTEN_FOR`, and the private methods of the same
shape); on any other it logs one warning and returns ``None``, and SQLAlchemy connects
through plain aiosqlite (the stock path: correct, with more trips per statement).
``tests/test_db_engine.py`` runs the database's behaviours on both paths.
"""

from __future__ import annotations

import inspect
import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Sequence
from functools import cache, partial
from typing import Any

import aiosqlite
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

#: The aiosqlite minor versions whose private ``Connection`` this module was written for.
WRITTEN_FOR = ((0, 22),)


class OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection whose cursors make one trip per statement."""

    def cursor(self) -> OneTripCursor:  # type: ignore[override]  # the adapter awaits __aenter__
        return OneTripCursor(self)

    async def commit(self) -> None:
        # Reading in_transaction from this thread is safe: it only asks SQLite whether
        # the connection is in autocommit mode, and the adapter runs one call at a time.
        if self._conn.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self._conn.in_transaction:
            await super().rollback()

    async def run(self, sql: str, parameters: Any, many: bool) -> tuple:
        return await self._execute(_run_statement, self._conn, sql, parameters, many)


def _run_statement(
    connection: sqlite3.Connection, sql: str, parameters: Any, many: bool
) -> tuple[Any, int, int | None, list]:
    """On aiosqlite's thread: the statement, its rows and what the cursor knows of it."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor:
    """The part of aiosqlite's ``Cursor`` that SQLAlchemy's adapter uses."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list = []

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = ()) -> OneTripCursor:
        return await self._run(sql, parameters, many=False)

    async def executemany(self, sql: str, parameters: Any) -> OneTripCursor:
        return await self._run(sql, parameters, many=True)

    async def _run(self, sql: str, parameters: Any, many: bool) -> OneTripCursor:
        self.description, self.rowcount, self.lastrowid, self._rows = await self._connection.run(
            sql, parameters, many
        )
        return self

    async def fetchall(self) -> list:
        rows, self._rows = self._rows, []
        return rows

    async def fetchmany(self, size: int | None = None) -> Sequence:
        size = size or self.arraysize
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def close(self) -> None:
        self._rows = []


def one_trip_creator(url: str) -> Callable[[], Awaitable[OneTripConnection]]:
    """``async_creator`` for ``create_async_engine``: SQLAlchemy's own connect arguments
    for ``url`` (file name, ``?timeout=``, ``?uri=true`` …), on a :class:`OneTripConnection`."""
    parsed = make_url(url)
    args, kwargs = parsed.get_dialect()().create_connect_args(parsed)

    async def connect() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, *args, **kwargs), 64)
        thread = getattr(connection, "_thread", None)
        if isinstance(thread, threading.Thread):  # as SQLAlchemy does: never hold the process
            thread.daemon = True
        return await connection

    return connect


def unsupported_because() -> str | None:
    """Why the installed aiosqlite is not the one :class:`OneTripConnection` was written
    for, or ``None`` when it is: its version, and the private members the class relies on
    (``_execute(fn, *args, **kwargs)``, a coroutine; the ``_conn`` property; the
    constructor's ``connector`` and ``iter_chunk_size``)."""
    version = getattr(aiosqlite, "__version__", "unknown")
    try:
        minor = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        minor = ()
    if minor not in WRITTEN_FOR:
        return f"aiosqlite {version} is installed; the one-trip connection was written for 0.22"
    execute = getattr(aiosqlite.Connection, "_execute", None)
    if not inspect.iscoroutinefunction(execute):
        return "aiosqlite.Connection._execute is gone or no longer a coroutine"
    kinds = [p.kind for p in inspect.signature(execute).parameters.values()]
    expected = [
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.VAR_POSITIONAL,
        inspect.Parameter.VAR_KEYWORD,
    ]
    if kinds != expected:
        return "aiosqlite.Connection._execute no longer takes (fn, *args, **kwargs)"
    if not isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn", None), property):
        return "aiosqlite.Connection._conn is no longer a property"
    init = list(inspect.signature(aiosqlite.Connection.__init__).parameters)
    if init[1:3] != ["connector", "iter_chunk_size"]:
        return "aiosqlite.Connection() no longer takes (connector, iter_chunk_size)"
    return None


def sqlite_creator(url: str) -> Callable[[], Awaitable[OneTripConnection]] | None:
    """The one-trip ``async_creator`` for ``url``, or ``None`` (plain aiosqlite, SQLAlchemy's
    own connect) when the installed aiosqlite is not the one it was written for."""
    reason = _unsupported_once()
    return None if reason else one_trip_creator(url)


@cache
def _unsupported_once() -> str | None:
    """:func:`unsupported_because`, asked (and warned about) once per process."""
    reason = unsupported_because()
    if reason:
        log.warning(
            "SQLite: %s; using plain aiosqlite (correct, with more thread trips per "
            "statement: slower under load). Pin aiosqlite 0.22 for the faster connection.",
            reason,
        )
    return reason
