"""One Telegram budget for the whole deployment, kept in PostgreSQL (no other service).

Telegram's limits are per bot token: ``TIPBOT_MAX_MESSAGES_PER_SECOND`` overall, 20 a
minute into one group, one a second into one chat. Several replicas must share them.

- **The overall rate** (the hot path: no database round trip per send). Every replica
  beats in ``send_replicas`` every ``BEAT`` seconds (one short transaction, serialised by an
  advisory lock, so two replicas starting together see each other) and sends at
  ``rate / live replicas`` (``share``), through its own ``SharedRate`` (replies before bulk,
  within its share). A replica whose beat is ``STALE`` seconds old is gone: the others take
  its share at their next beat. A stopping replica deletes its row: at once. A newcomer
  sends at ``SETTLING_RATE`` until the older replicas have seen it (``SETTLE``), so the sum
  never exceeds the budget while they lower theirs. A replica that cannot beat (database
  unreachable) falls to ``SETTLING_RATE``: the others will count it gone and take its share.
  All times are the database's clock, so replicas on different hosts agree.
- **Each group's 20 a minute** (low rate: a round trip per group send is cheap): the
  group's latest send times are one row of ``send_group_slots``; a sender locks it, takes
  the next free slot (``next_group_slot``: never more than 20 in any 60 s, Telegram's
  sliding window), and sleeps until then. A send that gives up (stop) gives its slot back.
  The same table serves SQLite, so a restart knows what the last minute sent.
- **Each chat's one a second**: a person's updates are handled in order by one replica at a
  time, and the daily tip is one message: not shared (see README "Several replicas").

SQLite is one process: no beats, the full rate, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
import typing
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.core.db import Database
from tipbot.core.db.models import SendGroupSlots, SendReplica
from tipbot.core.sender import (
    SHARED_BURST,
    GroupSlots,
    SendLimiter,
    SharedRate,
    keep_group_slots,
    next_group_slot,
)

if typing.TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger(__name__)

#: Seconds between a replica's beats; a beat this old means the replica is gone.
BEAT = 0.5
STALE = 3.0
#: A newcomer's rate until every older replica has beaten since it joined.
SETTLE = 1.25
SETTLING_RATE = 1.0
#: Rows of replicas gone this long are deleted (by any replica's beat).
FORGET = 60.0
#: ``pg_advisory_xact_lock`` key of the beats ("tipbot" budget).
LOCK_KEY = 0x7469_7062_6F74_0021
JOB_NAME = "send-budget-beat"


@dataclass(frozen=True, slots=True)
class Beat:
    replica_id: str
    joined_at: float
    beat_at: float


def live(beats: Iterable[Beat], now: float) -> list[Beat]:
    """The replicas whose last beat is fresh."""
    return [beat for beat in beats if now - beat.beat_at < STALE]


def share(rate: float, beats: Iterable[Beat], me: str, now: float) -> float:
    """This replica's share of ``rate``: an equal part among the live replicas, but only
    ``SETTLING_RATE`` while an older replica may not have seen it join yet."""
    alive = live(beats, now)
    mine = next((beat for beat in alive if beat.replica_id == me), None)
    if mine is None:  # not counted by the others (yet, or any more)
        return min(rate, SETTLING_RATE)
    part = rate / len(alive)
    older = any(beat.joined_at < mine.joined_at for beat in alive if beat.replica_id != me)
    if older and now - mine.joined_at < SETTLE:
        return min(part, SETTLING_RATE)
    return part


def replica_name() -> str:
    """Unique per process: host, pid and a random tail (a restarted pid is a new replica)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


class ReplicaBudget:
    """This replica's beats, and its ``SharedRate`` set to its share after each."""

    def __init__(self, db: Database, shared: SharedRate, rate: float) -> None:
        self.db = db
        self.shared = shared
        self.rate = float(rate)
        self.replica_id = replica_name()
        self.replicas = 0  # live replicas at the last beat (metrics, logs)
        self._last_ok = time.monotonic()
        self._left = False

    async def beat(self) -> float:
        """Beat, then take this replica's share; returns it."""
        if self._left:
            return self.shared.rate
        try:
            async with self.db.session() as session:
                beats, now = await self._beat(session)
        except Exception as exc:  # the database is away: fall back, try again next beat
            if time.monotonic() - self._last_ok > STALE - BEAT:
                self.shared.set_rate(min(self.rate, SETTLING_RATE))
            log.warning("send budget: beat failed (%s); sending at %g/s", exc, self.shared.rate)
            return self.shared.rate
        self._last_ok = time.monotonic()
        mine = share(self.rate, beats, self.replica_id, now)
        replicas = len(live(beats, now))
        if replicas != self.replicas:
            log.info("send budget: %d replicas, this one sends at %.4g/s", replicas, mine)
            self.replicas = replicas
        self.shared.set_rate(mine)
        return mine

    async def _beat(self, session: AsyncSession) -> tuple[list[Beat], float]:
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        now = float(await session.scalar(text("SELECT extract(epoch FROM clock_timestamp())")))
        await session.execute(
            pg_insert(SendReplica)
            .values(replica_id=self.replica_id, joined_at=now, beat_at=now)
            .on_conflict_do_update(index_elements=["replica_id"], set_={"beat_at": now})
        )
        await session.execute(delete(SendReplica).where(SendReplica.beat_at < now - FORGET))
        rows = await session.scalars(select(SendReplica))
        return [Beat(row.replica_id, row.joined_at, row.beat_at) for row in rows], now

    async def leave(self) -> None:
        """Stopping: give the share back at once (the others take it at their next beat)."""
        self._left = True
        with contextlib.suppress(Exception):  # else it goes stale within STALE seconds
            async with self.db.session() as session:
                await session.execute(
                    delete(SendReplica).where(SendReplica.replica_id == self.replica_id)
                )


class DbGroupSlots(GroupSlots):
    """``GroupSlots`` in ``send_group_slots`` (PostgreSQL): shared by the replicas, kept
    across restarts. A group given by @username (channels) stays in this process."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    async def _now(self, session: AsyncSession) -> float:
        return float(await session.scalar(text("SELECT extract(epoch FROM clock_timestamp())")))

    async def _locked(self, session: AsyncSession, chat_id: int) -> SendGroupSlots:
        await session.execute(
            pg_insert(SendGroupSlots).values(chat_id=chat_id, slots=[]).on_conflict_do_nothing()
        )
        row = await session.get(
            SendGroupSlots, chat_id, with_for_update=True, populate_existing=True
        )
        assert row is not None
        return row

    async def reserve(self, chat_id: int | str) -> tuple[float, float]:
        if isinstance(chat_id, str):
            return await super().reserve(chat_id)
        try:
            async with self.db.session() as session:
                now = await self._now(session)
                row = await self._locked(session, chat_id)
                slots = keep_group_slots(list(row.slots), now, self.per_window)
                slot = next_group_slot(slots, now, self.per_window)
                row.slots = [*slots, slot]
        except Exception as exc:  # the database is away: this process's own count
            log.warning("send budget: group slots unavailable (%s)", exc)
            return await super().reserve(chat_id)
        return slot, now

    async def release(self, chat_id: int | str, slot: float) -> None:
        if isinstance(chat_id, str):
            await super().release(chat_id, slot)
            return
        with contextlib.suppress(Exception):
            async with self.db.session() as session:
                row = await self._locked(session, chat_id)
                row.slots = [taken for taken in row.slots if taken != slot]
        await super().release(chat_id, slot)


class KeptGroupSlots(GroupSlots):
    """SQLite: ``GroupSlots`` in this process, written to ``send_group_slots`` at a stop and
    read at the start, so that a restart knows what the last minute sent. Not per send: a
    send is often made inside a write transaction, which holds SQLite's one writer lock
    (a slot kept in the database would wait for that lock, forever)."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    async def load(self) -> None:
        with contextlib.suppress(Exception):  # a fresh database, or away: start counting now
            async with self.db.session() as session:
                for row in await session.scalars(select(SendGroupSlots)):
                    self._slots[row.chat_id] = list(row.slots)

    async def save(self) -> None:
        now = time.time()
        kept = {
            chat_id: keep_group_slots(slots, now, self.per_window)
            for chat_id, slots in self._slots.items()
            if isinstance(chat_id, int)
        }
        try:
            async with self.db.session() as session:
                await session.execute(delete(SendGroupSlots))
                session.add_all(
                    SendGroupSlots(chat_id=chat_id, slots=slots)
                    for chat_id, slots in kept.items()
                    if slots
                )
        except Exception as exc:  # after a restart, a 429 is waited out instead
            log.warning("send budget: group slots not kept for the restart (%s)", exc)


def limiter_for(db: Database, rate: float) -> tuple[SendLimiter, ReplicaBudget | None]:
    """The Application's limiter; on PostgreSQL with this replica's budget, which starts at
    ``SETTLING_RATE`` until its first beat says how many replicas share the rate."""
    if db.is_sqlite:  # one process: its own count is the whole count
        return SendLimiter(rate, groups=KeptGroupSlots(db)), None
    groups = DbGroupSlots(db)
    limiter = SendLimiter(min(rate, SETTLING_RATE), burst=SHARED_BURST, groups=groups)
    return limiter, ReplicaBudget(db, limiter.shared, rate)


async def beat_job(context: typing.Any) -> None:
    budget = context.deps.budget
    if budget is not None and not context.deps.state.stopping:
        await budget.beat()


def schedule(application: Application, budget: ReplicaBudget | None) -> None:
    """Beat every ``BEAT`` seconds (the first beat is in ``post_init``, before any job)."""
    if budget is None or application.job_queue is None:
        return
    application.job_queue.run_repeating(
        beat_job,
        interval=BEAT,
        first=BEAT,
        name=JOB_NAME,
        job_kwargs={"misfire_grace_time": None, "max_instances": 1, "coalesce": True},
    )


async def start(application: Application, budget: ReplicaBudget | None) -> None:
    """In ``post_init``: this replica's share (its first beat), or SQLite's kept slots."""
    groups = _groups_of(application)
    if budget is not None:
        await budget.beat()
    if isinstance(groups, KeptGroupSlots):
        await groups.load()


async def stop(application: Application, budget: ReplicaBudget | None) -> None:
    """The share goes back to the other replicas; SQLite keeps its slots for the restart."""
    groups = _groups_of(application)
    if budget is not None:
        await asyncio.shield(budget.leave())
    if isinstance(groups, KeptGroupSlots):
        await asyncio.shield(groups.save())


def _groups_of(application: Application) -> GroupSlots | None:
    limiter = application.bot.rate_limiter
    return limiter.groups if isinstance(limiter, SendLimiter) else None
