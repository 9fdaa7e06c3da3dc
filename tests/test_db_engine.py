"""The database layer's own promises, on whichever database the suite runs (SQLite or
PostgreSQL): transactions commit or roll back whole, reads never wait for the writers, and
statements keep their rows, counts and ids; and a PostgreSQL connection the server dropped is
replaced (before use when it sat idle).

On SQLite the promises are a contract over both connection paths: the one-trip connection
(``core/db/sqlite.py``, on aiosqlite's private API) and plain aiosqlite, the fallback when
that API is not the one the shim was written for (which logs one warning)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime

import aiosqlite
import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError

from tipbot.core.db import engine as engine_module
from tipbot.core.db import sqlite as sqlite_module
from tipbot.core.db.engine import Database
from tipbot.core.db.models import Delivery, Subscriber, SubscriptionStatus, TipView
from tipbot.core.db.sqlite import OneTripConnection
from tipbot.core.runtime import Deps
from tipbot.subscriber.language import stored_language
from tipbot.subscriber.service import subscribe

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
PATHS = ["one-trip", "stock"]


@pytest.fixture(params=PATHS)
def path(request) -> str:
    return request.param


@pytest.fixture
async def db(path, database_url):
    """The suite's database; on SQLite once per connection path (PostgreSQL has one)."""
    if path == "stock" and not database_url.startswith("sqlite"):
        pytest.skip("one connection path on PostgreSQL")
    database = Database(database_url, one_trip=path == "one-trip")
    yield database
    await database.dispose()


async def _person(db, settings, library, user_id: int = 1) -> None:
    async with db.session() as session:
        result = await subscribe(session, user_id, settings=settings, library=library, now=NOW)
        result.subscriber.language = "es"


async def test_a_failed_unit_of_work_leaves_nothing_behind(db, settings, library):
    await _person(db, settings, library)

    async def fail_halfway() -> None:
        async with db.session() as session:
            await session.execute(
                update(Subscriber).where(Subscriber.user_id == 1).values(language="en")
            )
            session.add(TipView(subscriber_id=1, daily=5, on_demand=0))
            await session.flush()
            raise RuntimeError("a handler failed halfway")

    with pytest.raises(RuntimeError):
        await fail_halfway()
    async with db.session() as session:
        assert await session.scalar(select(Subscriber.language)) == "es"
        assert await session.get(TipView, 1) is None


async def test_a_language_read_does_not_wait_for_an_open_write(db, settings, library, clock):
    """Every update reads the person's language first: it must not queue behind a write
    transaction (on SQLite, behind the process's one writer) that another update holds."""
    deps = Deps(settings=settings, db=db, library=library, clock=clock)
    await _person(db, settings, library)
    async with db.session() as session:
        await session.execute(
            update(Subscriber).where(Subscriber.user_id == 1).values(language="en")
        )
        await session.flush()
        # The write is open and uncommitted: the read sees the last commit, at once.
        assert await asyncio.wait_for(stored_language(deps, 1), timeout=2) == "es"
    assert await stored_language(deps, 1) == "en"
    assert await stored_language(deps, 999) is None


async def test_rows_counts_and_ids_survive_the_round_trip(db, path, settings, library):
    """What SQLAlchemy reads off a cursor: rows, rowcount of an UPDATE, new primary keys,
    and executemany (the sweep's path) — on SQLite through either connection path."""
    for user_id in (1, 2, 3):
        await _person(db, settings, library, user_id)
    async with db.session() as session:
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        if db.is_sqlite:
            assert isinstance(raw.driver_connection, aiosqlite.Connection)
            assert isinstance(raw.driver_connection, OneTripConnection) is (path == "one-trip")
        changed = await connection.execute(
            update(Subscriber)
            .where(Subscriber.user_id.in_([1, 2]))
            .values(status=SubscriptionStatus.PAUSED)
        )
        assert changed.rowcount == 2
        await connection.execute(
            insert(TipView), [{"subscriber_id": i, "daily": i, "on_demand": 0} for i in (1, 2, 3)]
        )
        delivery = Delivery(
            subscriber_id=1, local_date=date(2026, 6, 1), tip_id="x", due_at=NOW, created_at=NOW
        )
        session.add(delivery)
        await session.flush()
        assert delivery.id is not None
    async with db.session() as session:
        rows = (await session.execute(select(TipView.subscriber_id, TipView.daily))).all()
        paused = await session.scalars(
            select(Subscriber.user_id).where(Subscriber.status == SubscriptionStatus.PAUSED)
        )
        assert sorted(rows) == [(1, 1), (2, 2), (3, 3)]
        assert sorted(paused) == [1, 2]


async def test_sqlite_pragmas_hold_on_both_paths(db):
    """WAL, foreign keys and secure delete are set per connection, whichever path it is."""
    if not db.is_sqlite:
        pytest.skip("SQLite")
    async with db.engine.connect() as connection:
        assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
        assert await connection.scalar(text("PRAGMA secure_delete")) == 1


@pytest.fixture
def fresh_check():
    """Forget the once-per-process answer about aiosqlite, before and after the test."""
    sqlite_module._unsupported_once.cache_clear()
    yield
    sqlite_module._unsupported_once.cache_clear()


def test_the_installed_aiosqlite_is_the_one_the_shim_was_written_for():
    assert sqlite_module.unsupported_because() is None


async def _changed_execute(self, function):  # lost *args/**kwargs: not the shim's shape
    return function()


@pytest.mark.parametrize(
    ("attribute", "value", "reason"),
    [
        ("__version__", "0.23.0", "aiosqlite 0.23.0 is installed"),
        ("__version__", "1.0rc1", "aiosqlite 1.0rc1 is installed"),
        ("Connection._execute", _changed_execute, "no longer takes"),
        ("Connection._execute", None, "gone"),
        ("Connection._conn", None, "_conn is no longer a property"),
    ],
)
def test_a_different_private_api_is_detected(monkeypatch, attribute, value, reason):
    owner = aiosqlite.Connection if attribute.startswith("Connection.") else aiosqlite
    monkeypatch.setattr(owner, attribute.removeprefix("Connection."), value)
    assert reason in sqlite_module.unsupported_because()


async def test_another_aiosqlite_falls_back_to_plain_aiosqlite_with_one_warning(
    database_url, settings, library, monkeypatch, caplog, fresh_check
):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite")
    monkeypatch.setattr(aiosqlite, "__version__", "0.23.0")
    caplog.set_level(logging.WARNING, logger=sqlite_module.__name__)
    databases = [Database(database_url), Database(database_url)]
    try:
        for user_id, db in enumerate(databases, start=1):
            await _person(db, settings, library, user_id)
            async with db.engine.connect() as connection:
                raw = await connection.get_raw_connection()
                assert not isinstance(raw.driver_connection, OneTripConnection)
                assert await connection.scalar(select(Subscriber.language).limit(1)) == "es"
    finally:
        for db in databases:
            await db.dispose()
    [warning] = [r for r in caplog.records if r.name == sqlite_module.__name__]
    assert "aiosqlite 0.23.0" in warning.getMessage()
    assert "using plain aiosqlite" in warning.getMessage()


async def _backend_pid(db) -> int:
    async with db.engine.connect() as connection:
        return await connection.scalar(text("SELECT pg_backend_pid()"))


async def _terminate(database_url: str, pid: int) -> None:
    """What a server restart or a firewall does to a pooled connection."""
    admin = Database(database_url)
    try:
        async with admin.engine.connect() as connection:
            await connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await admin.dispose()


async def test_a_dropped_idle_connection_is_replaced_before_use(database_url, monkeypatch):
    if database_url.startswith("sqlite"):
        pytest.skip("a PostgreSQL pool")
    monkeypatch.setattr(engine_module, "IDLE_BEFORE_PING", 0.0)  # every pooled one is "idle"
    db = Database(database_url)
    try:
        await _terminate(database_url, await _backend_pid(db))
        assert await _backend_pid(db) > 0  # pinged, found dead, replaced: nobody saw it
    finally:
        await db.dispose()


async def test_a_connection_dropped_while_busy_fails_once_then_the_pool_recovers(database_url):
    """Back in use within seconds, a connection is not pinged (three round trips each on
    asyncpg): if the server dropped it meanwhile, that one statement fails, and SQLAlchemy
    replaces every older connection of the pool after it."""
    if database_url.startswith("sqlite"):
        pytest.skip("a PostgreSQL pool")
    db = Database(database_url)
    try:
        await _terminate(database_url, await _backend_pid(db))
        with pytest.raises(DBAPIError):
            await _backend_pid(db)
        assert await _backend_pid(db) > 0
    finally:
        await db.dispose()
