"""Engine and sessions for SQLite (embedded default) and PostgreSQL (scale-out).

SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` write transactions: handlers and
the scheduler share one file and must queue for the write lock instead of failing with
"database is locked" halfway through a transaction. Within the process they queue on an
asyncio lock, in order: SQLite's own busy handler polls with back-off sleeps of up to 100 ms,
which with many updates handled at once made each wait far longer than the transactions.
Reads that need no transaction (the language of every update) skip both: ``Database.read``.
SQLite connections run each statement in one trip to aiosqlite's thread (``sqlite.py``), or
through plain aiosqlite when its private API is not the one that module was written for.
PostgreSQL connections are pinged before use only when they sat idle (``ping_when_idle``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from tipbot.core.db.sqlite import sqlite_creator

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: A PostgreSQL connection idle this long is pinged before it is used again.
IDLE_BEFORE_PING = 5.0
_IDLE_SINCE = "tipbot_idle_since"
READ_ONLY = "tipbot_read_only"  # execution option of ``Database.reader``: no BEGIN on SQLite


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
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

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, *, one_trip: bool = True, **kwargs: Any) -> AsyncEngine:
    """The engine for ``url``; on SQLite, ``one_trip=False`` (or an aiosqlite the one-trip
    connection was not written for) connects through plain aiosqlite."""
    is_sqlite = url.startswith("sqlite")
    if not is_sqlite:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
    elif one_trip and "async_creator" not in kwargs:
        creator = sqlite_creator(url)
        if creator is not None:
            kwargs["async_creator"] = creator
    engine = create_async_engine(url, **kwargs)
    if is_sqlite:
        _configure_sqlite(engine)
    elif not kwargs.get("pool_pre_ping"):
        ping_when_idle(engine, IDLE_BEFORE_PING)
    return engine


def ping_when_idle(engine: AsyncEngine, idle: float) -> None:
    """``pool_pre_ping`` for connections that sat in the pool ``idle`` seconds or more.

    Those are the ones a restarted server or a firewall may have dropped; a dead one is
    replaced before anyone uses it. asyncpg's ping is three round trips (``BEGIN``, ``;``,
    ``ROLLBACK``: SQLAlchemy wraps it for pgbouncer), so pinging every checkout was half of
    a ``/tip``'s round trips; a connection back in use within seconds needs none. If the
    server restarts in that window, the first statement fails, and SQLAlchemy then replaces
    every connection of the pool older than the failure.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_since(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)  # none on a new connection: nothing to check
        if since is None or time.monotonic() - since < idle:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:  # the pool discards this connection and checks out another
            raise DisconnectionError(f"an idle connection is gone: {exc}") from exc


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

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits on success and rolls back on error."""
        async with self._one_writer(), self.sessionmaker() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for a read that needs no transaction (autocommit on both backends)."""
        async with self.reader.connect() as connection:
            yield connection

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
        await self.engine.dispose()
