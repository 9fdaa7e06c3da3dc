"""SQLite through aiosqlite in one trip to its thread per statement.

aiosqlite runs every sqlite3 call on its own thread, and SQLAlchemy's adapter makes four
such calls per statement (cursor, execute, fetchall, close), plus a commit and a rollback
per transaction, the rollback even after the commit (the pool's reset). Each trip is a
thread hand-over and an event-loop wake-up: about 50 µs of CPU on the 2-core machine,
where SQLite itself answers a primary-key look-up in 8 µs. So this connection runs a
statement's four calls in one trip and skips commits and rollbacks with no transaction
open: a `/tip` went from 19 trips to 6, the per-update language look-up from 9 to 1
(``bench/README.md``, "Updates").

The hottest units of work skip even that: ``SqliteUnits`` runs a whole unit (a function of a
synchronous SQLAlchemy ``Connection`` on the same file) on a thread of its own, in one
hand-over. A ``/tip`` then costs a third of the CPU in the database layer (``bench/README.md``,
"Issue 12, third pass").

Only SQLAlchemy's adapter uses these connections (``Database`` passes ``async_creator``),
and it uses only what is here: a cursor's rows are read whole, as the adapter does anyway.
The connection runs its function on aiosqlite's thread through ``Connection._execute``, as
aiosqlite's own methods do (0.22, pinned in ``requirements.lock``; every SQLite test goes
through it, ``tests/test_db_engine.py`` first).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url


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
        connection._thread.daemon = True  # as SQLAlchemy does: never hold the process open
        return await connection

    return connect


def file_url(url: str) -> str | None:
    """``url`` for SQLAlchemy's synchronous driver (pysqlite), or ``None`` for a database
    that lives in memory (each connection would see a different, empty one)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    return parsed.set(drivername="sqlite+pysqlite").render_as_string(hide_password=False)


class SqliteUnits:
    """Whole units of work on a synchronous engine, each in one hand-over to a thread.

    Writes run on one thread, in order (SQLite has one writer anyway, and ``Database`` still
    queues them with the async ones on its lock); reads on another, so a read never waits
    behind a write. A unit that is running when its caller is cancelled runs to its end:
    its transaction commits or rolls back whole, as in a thread it cannot be interrupted.
    """

    def __init__(self, engine: Engine, *, reader: Engine) -> None:
        self._engine, self._reader = engine, reader
        self._writes = ThreadPoolExecutor(1, thread_name_prefix="tipbot-sqlite-write")
        self._reads = ThreadPoolExecutor(1, thread_name_prefix="tipbot-sqlite-read")

    async def write(self, unit: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        call = partial(_in_transaction, self._engine, unit, args, kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._writes, call)

    async def read(self, unit: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        call = partial(_outside_transaction, self._reader, unit, args, kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._reads, call)

    async def dispose(self) -> None:
        self._writes.shutdown(wait=False, cancel_futures=True)
        self._reads.shutdown(wait=False, cancel_futures=True)
        self._engine.dispose()


def _in_transaction(engine: Engine, unit: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    connection: Connection
    with engine.begin() as connection:
        return unit(connection, *args, **kwargs)


def _outside_transaction(
    engine: Engine, unit: Callable[..., Any], args: tuple, kwargs: dict
) -> Any:
    with engine.connect() as connection:
        return unit(connection, *args, **kwargs)
