"""Engine and sessions for SQLite (embedded default) and PostgreSQL (scale-out).

SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` write transactions: handlers and
the scheduler share one file and must queue for the write lock instead of failing with
"database is locked" halfway through a transaction. Within the process they queue on an
asyncio lock, in order: SQLite's own busy handler polls with back-off sleeps of up to 100 ms,
which with many updates handled at once made each wait far longer than the transactions.
Reads that need no transaction (the language of every update) skip both: ``Database.run_read``.
SQLite connections run each statement in one trip to aiosqlite's thread (``sqlite.py``).

The hottest units of work (``/tip``, the language of every update) are plain functions of a
synchronous ``Connection``, run with ``run_read``/``run_write``: on SQLite the whole unit runs
on a thread of its own in one hand-over (``SqliteUnits``), instead of one hand-over per
statement; on PostgreSQL it runs through ``AsyncConnection.run_sync`` as any other unit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from tipbot.core.db.sqlite import SqliteUnits, file_url, one_trip_creator

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "tipbot_read_only"  # execution option of ``Database.reader``: no BEGIN on SQLite

P = ParamSpec("P")
T = TypeVar("T")
Unit = Callable[Concatenate[Connection, P], T]


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and ``BEGIN IMMEDIATE`` on every connection of ``engine``."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE instead of pysqlite's BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # /forget: deleted rows are overwritten, not left readable in free pages of the file.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    is_sqlite = url.startswith("sqlite")
    if not is_sqlite:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", True)
    else:
        kwargs.setdefault("async_creator", one_trip_creator(url))
    engine = create_async_engine(url, **kwargs)
    if is_sqlite:
        configure_sqlite(engine.sync_engine)
    return engine


def _sqlite_units(url: str) -> SqliteUnits | None:
    """A synchronous engine on the same file, for whole units of work on their own threads;
    ``None`` for an in-memory database (private to each connection: units use the async one)."""
    url_of_file = file_url(url)
    if url_of_file is None:
        return None
    # Two threads (one reads, one writes), one connection each; a connection may serve
    # either thread, but never two at once (the pool hands it to one at a time).
    engine = create_sync_engine(
        url_of_file, pool_size=2, max_overflow=0, connect_args={"check_same_thread": False}
    )
    configure_sqlite(engine)
    return SqliteUnits(engine, reader=engine.execution_options(**{READ_ONLY: True}))


class Database:
    """One engine and its session factory; ``session()`` is a unit of work."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        # Reads of one row need no transaction: on SQLite each statement then sees the last
        # commit (WAL), without BEGIN IMMEDIATE and without queueing behind the writers; on
        # PostgreSQL, without the BEGIN and ROLLBACK round trips around it.
        options: dict[str, Any] = {READ_ONLY: True}
        if not self.is_sqlite:
            options["isolation_level"] = "AUTOCOMMIT"
        self.reader = self.engine.execution_options(**options)
        self._writer: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._units = _sqlite_units(url) if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits on success and rolls back on error."""
        async with self._one_writer(), self.sessionmaker() as session, session.begin():
            yield session

    async def run_read(self, unit: Unit[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``unit(connection, …)`` for a read that needs no transaction: it sees the last
        commit and never waits for a writer."""
        if self._units is not None:
            return await self._units.read(unit, *args, **kwargs)
        async with self.reader.connect() as connection:
            return await connection.run_sync(unit, *args, **kwargs)

    async def run_write(self, unit: Unit[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``unit(connection, …)`` in one transaction: committed if it returns, rolled back
        if it raises. Like ``session()``, it takes its turn among this process's writers."""
        if self._units is not None:
            async with self._one_writer():
                return await self._units.write(unit, *args, **kwargs)
        async with self.engine.begin() as connection:
            return await connection.run_sync(unit, *args, **kwargs)

    def _one_writer(self) -> AbstractAsyncContextManager[object]:
        """SQLite: this process's write transactions, one at a time, first come first served."""
        if not self.is_sqlite:
            return nullcontext()
        loop = asyncio.get_running_loop()
        if self._writer is None or self._writer[0] is not loop:  # a lock serves one loop
            self._writer = (loop, asyncio.Lock())
        return self._writer[1]

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        if self._units is not None:
            await self._units.dispose()
        await self.engine.dispose()
