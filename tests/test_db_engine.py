"""The database layer's own promises, on whichever database the suite runs (SQLite or
PostgreSQL): transactions commit or roll back whole, reads never wait for the writers, and
SQLite statements keep their rows, counts and ids through the one-trip connection; and a
PostgreSQL connection the server dropped is replaced (before use when it sat idle)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError

from tipbot.core.db import engine as engine_module
from tipbot.core.db.engine import Database
from tipbot.core.db.models import Delivery, Subscriber, SubscriptionStatus, TipView
from tipbot.core.db.sqlite import OneTripConnection
from tipbot.core.runtime import Deps
from tipbot.subscriber.language import stored_language
from tipbot.subscriber.service import subscribe

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


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


async def test_rows_counts_and_ids_survive_the_round_trip(db, settings, library):
    """What SQLAlchemy reads off a cursor: rows, rowcount of an UPDATE, new primary keys,
    and executemany (the sweep's path) — through ``OneTripConnection`` on SQLite."""
    for user_id in (1, 2, 3):
        await _person(db, settings, library, user_id)
    async with db.session() as session:
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        if db.is_sqlite:
            assert isinstance(raw.driver_connection, OneTripConnection)
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
