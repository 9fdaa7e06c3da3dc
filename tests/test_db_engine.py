"""The database layer's own promises, on whichever database the suite runs (SQLite or
PostgreSQL): transactions commit or roll back whole, reads never wait for the writers, and
SQLite statements keep their rows, counts and ids through the one-trip connection; units of
work (``run_write``/``run_read``) keep the same promises and queue with the other writers."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Connection, insert, select, update

from tipbot.core.db.engine import Database
from tipbot.core.db.models import Delivery, Subscriber, SubscriptionStatus, TipView
from tipbot.core.db.sqlite import OneTripConnection, file_url
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


def _set_language(connection: Connection, user_id: int, language: str) -> int:
    changed = connection.execute(
        update(Subscriber).where(Subscriber.user_id == user_id).values(language=language)
    )
    return changed.rowcount


def _language(connection: Connection, user_id: int) -> str | None:
    return connection.scalar(select(Subscriber.language).where(Subscriber.user_id == user_id))


async def test_a_unit_of_work_commits_whole_or_not_at_all(db, settings, library):
    await _person(db, settings, library)
    assert await db.run_write(_set_language, 1, "en") == 1
    assert await db.run_read(_language, 1) == "en"

    def fail_halfway(connection: Connection) -> None:
        _set_language(connection, 1, "es")
        connection.execute(insert(TipView).values(subscriber_id=1, daily=5, on_demand=0))
        raise RuntimeError("a unit failed halfway")

    with pytest.raises(RuntimeError, match="halfway"):
        await db.run_write(fail_halfway)
    async with db.session() as session:
        assert await session.scalar(select(Subscriber.language)) == "en"
        assert await session.get(TipView, 1) is None


async def test_a_unit_of_work_queues_behind_an_open_write(db, settings, library):
    """On SQLite a unit takes its turn on the process's writer lock like any session, so it
    never meets SQLite's "database is locked"; on PostgreSQL the row lock orders them."""
    await _person(db, settings, library)
    async with db.session() as session:
        await session.execute(
            update(Subscriber).where(Subscriber.user_id == 1).values(language="en")
        )
        await session.flush()
        unit = asyncio.create_task(db.run_write(_set_language, 1, "es"))
        await asyncio.sleep(0.2)
        assert not unit.done()  # waiting for the open write, not failing
        # …and a read still answers at once, with the last commit.
        assert await asyncio.wait_for(db.run_read(_language, 1), timeout=2) == "es"
    assert await asyncio.wait_for(unit, timeout=5) == 1
    assert await db.run_read(_language, 1) == "es"


async def test_sqlite_units_run_on_their_own_threads(db):
    """One hand-over per unit (not per statement): the whole unit runs on a database thread,
    writes on one and reads on another, so a read never queues behind a write."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL units run through the async engine")

    def thread_name(_connection: Connection) -> str:
        return threading.current_thread().name

    writer, reader = await db.run_write(thread_name), await db.run_read(thread_name)
    assert writer.startswith("tipbot-sqlite-write") and reader.startswith("tipbot-sqlite-read")


async def test_an_in_memory_sqlite_database_runs_units_on_its_own_connection():
    """Each connection to ``:memory:`` is a different database: no second engine then."""
    assert file_url("sqlite+aiosqlite://") is None
    assert file_url("sqlite+aiosqlite:///:memory:") is None
    assert file_url("sqlite+aiosqlite:///data/tipbot.db") == "sqlite+pysqlite:///data/tipbot.db"
    db = Database("sqlite+aiosqlite://")
    try:
        async with db.engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        await db.run_write(
            lambda connection: connection.exec_driver_sql("INSERT INTO t VALUES (7)")
        )
        assert (
            await db.run_read(
                lambda connection: connection.exec_driver_sql("SELECT x FROM t").scalar()
            )
            == 7
        )
    finally:
        await db.dispose()
