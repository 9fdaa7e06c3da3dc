"""Every update Telegram has been told we received is kept until it has been handled.

Telegram forgets an update once we acknowledge it: in polling mode, the next ``getUpdates``
(``offset = last + 1``) acknowledges the whole previous batch; in webhook mode the 200 does.
PTB's ``Updater`` asks for the next batch as soon as it has queued one, long before the
handlers ran, so a crash lost what was queued (issue 21: 52 of 60 messages to the clinic).

So an update is written to ``inbox_updates`` *before* it is acknowledged:

- polling: ``InboxRequest`` wraps the ``getUpdates`` request; the batch is stored (one
  multi-row insert) before PTB sees it, and so before the next call confirms it. If the
  database cannot take it, the call fails and PTB asks again with the same offset;
- webhook: ``tipbot/core/web.py`` stores the update, then answers 200 (503 otherwise).

Handlers run from PTB's update queue as before. ``admit`` lets each stored update run once
(a re-fetched batch or a webhook retry is stored once, by ``update_id``, and skipped), and
``done`` marks it handled, clearing its payload. At start ``take_over`` queues what a crash
left, oldest first, before any new update, so a chat's order holds. Handled rows are
deleted after ``KEEP_HANDLED`` (``prune_job``); ``/forget`` deletes a person's unhandled ones.

Several replicas (PostgreSQL, webhook behind a load balancer): each row has an ``owner``.
A chat's new update goes to the replica that owns its unhandled ones (one chat, one replica
at a time: its order holds), else to the replica that received it; each replica picks up
what was given to it (``pickup_job``), and takes over the rows of a replica that stopped
beating (``core/budget.py``'s heartbeats).

This is not PTB's persistence: that keeps a process's ``user_data``/``chat_data`` and is
written on an interval, after the handlers ran. What must survive here is the update itself,
between Telegram's acknowledgement and the end of its handling, shared by every replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, literal_column, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from telegram import Update
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from tipbot.core.clock import Clock
from tipbot.core.db import Database
from tipbot.core.db.models import InboxUpdate, SendReplica

log = logging.getLogger(__name__)

#: Marks of updates handled within this many seconds are written together.
MARK_DELAY = 0.05
MARK_RETRY = 1.0
#: Handled rows stay this long: a webhook retry or a re-fetched batch is recognised.
KEEP_HANDLED = timedelta(minutes=10)
#: How often a replica looks for updates given to it by another, and for orphans.
PICKUP_INTERVAL = 0.25
PRUNE_INTERVAL = 60
#: A replica whose beat is older than this is gone (as ``core/budget.py`` counts).
STALE_SECONDS = 3.0
#: ``pg_advisory_xact_lock`` namespace of a chat's stores (class id of the two-key form).
CHAT_LOCK = 0x7462  # "tb"

_KINDS = tuple(Update.ALL_TYPES)
#: A chat's stores, one at a time across replicas (until the transaction ends).
LOCK_CHATS = text(
    "SELECT pg_advisory_xact_lock(:ns, key)"
    " FROM (SELECT key FROM unnest(CAST(:keys AS integer[])) AS key ORDER BY key) AS keys"
)


def chat_of(payload: dict[str, Any]) -> int | None:
    """Whose update it is, from the raw JSON, as ``core.updates.update_key`` says from the
    parsed one: the chat (a private chat's id is the person's), else the user."""
    for kind in _KINDS:
        body = payload.get(kind)
        if not isinstance(body, dict):
            continue
        chat = body.get("chat")
        if chat is None and isinstance(body.get("message"), dict):  # callback queries
            chat = body["message"].get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return chat["id"]
        user = body.get("from") or body.get("user")
        if isinstance(user, dict) and isinstance(user.get("id"), int):
            return user["id"]
        return None
    return None


_SQLITE_INSERT = (
    sqlite_insert(InboxUpdate).on_conflict_do_nothing().returning(InboxUpdate.update_id)
)
_PG_INSERT = (
    pg_insert(InboxUpdate)
    .on_conflict_do_nothing()
    .returning(InboxUpdate.update_id, InboxUpdate.owner)
)


class Inbox:
    """This replica's side of ``inbox_updates``."""

    def __init__(self, db: Database, clock: Clock, owner: str) -> None:
        self.db = db
        self.clock = clock
        self.owner = owner
        #: stored (or taken over) by this replica, not yet begun: ``admit`` lets them run once
        self._pending: set[int] = set()
        #: admitted and not yet done (never taken over again by this replica)
        self._running: set[int] = set()
        #: handled, the mark not yet in the database (written together, ``MARK_DELAY``)
        self._done: set[int] = set()
        self._marker: asyncio.Task[None] | None = None
        #: what a crash left has been queued (``recover``)
        self.recovered = False

    @property
    def waiting(self) -> int:
        return len(self._pending)

    @property
    def _busy(self) -> set[int]:
        """Updates this replica runs or has run: never taken again."""
        return self._pending | self._running | self._done

    # ------------------------------------------------------------------ storing

    async def store(self, payloads: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Keep the updates (one insert); return those this replica is to run now, in
        order. Raises when the database cannot take them: then they must not be
        acknowledged."""
        batch = [p for p in payloads if isinstance(p.get("update_id"), int)]
        if not batch:
            return []
        now = self.clock.now()
        rows = [
            {
                "update_id": p["update_id"],
                "chat_id": chat_of(p),
                "payload": p,
                "owner": self.owner,
                "received_at": now,
            }
            for p in batch
        ]
        async with self.db.session() as session:
            if self.db.is_sqlite:  # one process: every update is this one's
                # Parameters, not .values(rows): one cached statement whatever the batch size
                # (SQLAlchemy's "insertmanyvalues" still sends one multi-row INSERT).
                mine = set(await session.scalars(_SQLITE_INSERT, rows))
                self._pending |= mine
                return [p for p in batch if p["update_id"] in mine]
            return await self._store_shared(session, rows)

    async def _store_shared(self, session: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """PostgreSQL: a chat's update goes to the replica that owns its unhandled ones.
        Those another replica gave this one come first (they are older): so a chat's
        order holds even before the pickup job has seen them."""
        chats = sorted({row["chat_id"] for row in rows if row["chat_id"] is not None})
        # One statement, keys in order: two replicas storing for the same chats never deadlock.
        keys = sorted({zlib.crc32(str(chat).encode()) - (1 << 31) for chat in chats})
        await session.execute(LOCK_CHATS, {"ns": CHAT_LOCK, "keys": keys})
        owners = dict(
            (
                await session.execute(
                    select(InboxUpdate.chat_id, InboxUpdate.owner)
                    .where(InboxUpdate.chat_id.in_(chats), InboxUpdate.handled_at.is_(None))
                    .order_by(InboxUpdate.update_id.desc())
                )
            ).all()
        )
        for row in rows:
            row["owner"] = owners.get(row["chat_id"], self.owner)
        inserted = await session.execute(_PG_INSERT, rows)
        mine = {update_id for update_id, owner in inserted if owner == self.owner}
        if not mine:
            return []
        given = select(InboxUpdate.update_id).where(
            InboxUpdate.chat_id.in_([row["chat_id"] for row in rows if row["update_id"] in mine]),
            InboxUpdate.owner == self.owner,
            InboxUpdate.handled_at.is_(None),
            InboxUpdate.update_id.not_in(mine),
        )
        earlier = set(await session.scalars(given)) - self._busy
        self._pending |= mine | earlier
        payloads = {row["update_id"]: row["payload"] for row in rows if row["update_id"] in mine}
        if earlier:
            found = await session.execute(
                select(InboxUpdate.update_id, InboxUpdate.payload).where(
                    InboxUpdate.update_id.in_(earlier)
                )
            )
            payloads.update((update_id, payload) for update_id, payload in found)
        return [payloads[update_id] for update_id in sorted(payloads) if payloads[update_id]]

    # ------------------------------------------------------------------ handling

    def admit(self, update: object) -> bool:
        """True once for each update this replica stored or took over; False for a copy
        (a re-fetched batch, a webhook retry) of one already handled or running."""
        if not isinstance(update, Update):
            return True
        if update.update_id in self._pending:
            self._pending.discard(update.update_id)
            self._running.add(update.update_id)
            return True
        return False

    async def done(self, update: object) -> None:
        """Mark the update handled and drop its payload (the person's words). The marks of
        ``MARK_DELAY`` are written together: one transaction per update cost more CPU than
        the handler (bench/bench_updates.py). The price: a ``kill -9`` can repeat the
        updates handled in the last ``MARK_DELAY``, besides those running."""
        if not isinstance(update, Update):
            return
        self._done.add(update.update_id)
        self._running.discard(update.update_id)
        if self._marker is None or self._marker.done():
            self._marker = asyncio.get_running_loop().create_task(self._mark_soon())

    async def _mark_soon(self) -> None:
        while self._done:
            await asyncio.sleep(MARK_DELAY)
            if not await self.flush():
                await asyncio.sleep(MARK_RETRY)

    async def flush(self) -> bool:
        """Write the marks now; False if the database refused them (kept for the next)."""
        ids = sorted(self._done)
        if not ids:
            return True
        try:
            await self._mark(ids)
        except Exception as exc:
            log.warning("inbox: could not mark %d updates handled: %s", len(ids), exc)
            return False
        self._done.difference_update(ids)
        return True

    async def close(self) -> None:
        """At the stop: the marks still waiting are written."""
        if self._marker is not None and not self._marker.done():
            self._marker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._marker
        await self.flush()

    async def _mark(self, update_ids: list[int]) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.update_id.in_(update_ids))
                .values(handled_at=self.clock.now(), payload=None)
            )

    # ------------------------------------------------------------------ recovering

    async def take_over(self, *, everything: bool) -> list[dict[str, Any]]:
        """The unhandled updates this replica should run now, oldest first: ``everything``
        at start on SQLite or in polling mode (only one process polls); else those given to
        this replica by another and those of replicas that stopped beating."""
        async with self.db.session() as session:
            unhandled = (InboxUpdate.handled_at.is_(None), InboxUpdate.payload.is_not(None))
            if self.db.is_sqlite:
                orphans = select(InboxUpdate.update_id).where(*unhandled)
            elif everything:
                orphans = select(InboxUpdate.update_id).where(*unhandled).with_for_update()
            else:
                db_now = literal_column("extract(epoch FROM clock_timestamp())")
                live = select(SendReplica.replica_id).where(
                    SendReplica.beat_at > db_now - STALE_SECONDS
                )
                orphans = (
                    select(InboxUpdate.update_id)
                    .where(
                        *unhandled,
                        (InboxUpdate.owner == self.owner) | InboxUpdate.owner.not_in(live),
                    )
                    .with_for_update(skip_locked=True)
                )
            found = await session.scalars(orphans)
            busy = self._busy
            ids = [i for i in found if i not in busy]
            if not ids:
                return []
            self._pending.update(ids)  # at once: a store meanwhile must not take them too
            try:
                await session.execute(
                    update(InboxUpdate)
                    .where(InboxUpdate.update_id.in_(ids))
                    .values(owner=self.owner)
                )
                rows = await session.scalars(
                    select(InboxUpdate.payload)
                    .where(InboxUpdate.update_id.in_(ids))
                    .order_by(InboxUpdate.update_id)
                )
                return [payload for payload in rows if payload is not None]
            except BaseException:  # not taken: the next pickup tries again
                self._pending.difference_update(ids)
                raise

    async def prune(self) -> int:
        """Delete the rows handled ``KEEP_HANDLED`` ago."""
        async with self.db.session() as session:
            result = await session.execute(
                delete(InboxUpdate).where(InboxUpdate.handled_at < self.clock.now() - KEEP_HANDLED)
            )
        return result.rowcount or 0


async def forget_updates(session: Any, user_id: int, *, now: datetime) -> int:
    """/forget: the person's updates not handled yet (handled ones hold no text)."""
    result = await session.execute(
        delete(InboxUpdate).where(InboxUpdate.chat_id == user_id, InboxUpdate.handled_at.is_(None))
    )
    return result.rowcount or 0


async def queue_updates(
    application: Any, payloads: Iterable[dict[str, Any]], parsed: Update | None = None
) -> int:
    """Put stored updates into PTB's queue, as the Updater would; ``parsed`` is one of them
    already decoded (the webhook's), not decoded twice."""
    count = 0
    for payload in payloads:
        if parsed is not None and payload["update_id"] == parsed.update_id:
            update = parsed
        else:
            update = Update.de_json(payload, application.bot)
        await application.update_queue.put(update)
        count += 1
    return count


class InboxRequest(BaseRequest):
    """The ``getUpdates`` request, storing each batch before PTB's Updater sees it (and so
    before its next call acknowledges the batch to Telegram)."""

    def __init__(self, inner: BaseRequest, inbox: Inbox) -> None:
        self._inner = inner
        self._inbox = inbox

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout  # PTB adds the long-poll timeout to it

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return await self._inner.do_request(*args, **kwargs)

    async def post(self, url: str, request_data: RequestData | None = None, **timeouts: Any) -> Any:
        result = await self._inner.post(url, request_data, **timeouts)
        if isinstance(result, list) and result:
            try:
                await self._inbox.store(result)
            except Exception as exc:  # not kept: not acknowledged either (same offset again)
                log.warning("inbox: could not keep %d updates: %s", len(result), exc)
                raise NetworkError("updates not kept; asking Telegram again") from exc
        return result


# ---------------------------------------------------------------------- the Application's side


async def recover(application: Any, deps: Any) -> None:
    """In ``post_init``, before the updates start: queue what a crash (or a stop) left. In
    polling mode only one process polls, so every unhandled update is left over."""
    polling = not deps.settings.webhook_url
    try:
        left = await deps.inbox.take_over(everything=polling)
    except Exception as exc:  # the prune job tries again (and on PostgreSQL the pickup)
        log.warning("inbox: could not read the updates left over: %s", exc)
        return
    deps.inbox.recovered = True
    if left:
        log.info("inbox: handling %d updates left over from before the restart", len(left))
        await queue_updates(application, left)


async def pickup_job(context: Any) -> None:
    """PostgreSQL: the updates another replica gave this one, and those of a replica gone."""
    deps = context.deps
    if deps.state.stopping:
        return
    await queue_updates(context.application, await deps.inbox.take_over(everything=False))


async def prune_job(context: Any) -> None:
    if not context.deps.inbox.recovered:  # the start could not read what a crash left
        await recover(context.application, context.deps)
    pruned = await context.deps.inbox.prune()
    if pruned:
        log.debug("inbox: %d handled updates pruned", pruned)


def schedule(application: Any, deps: Any) -> None:
    if application.job_queue is None:
        return
    jobs = [(prune_job, PRUNE_INTERVAL, "inbox-prune")]
    if not deps.db.is_sqlite:  # replicas: what another gave this one, and orphans
        jobs.append((pickup_job, PICKUP_INTERVAL, "inbox-pickup"))
    for callback, interval, name in jobs:
        application.job_queue.run_repeating(
            callback,
            interval=interval,
            first=interval,
            name=name,
            job_kwargs={"misfire_grace_time": None, "max_instances": 1, "coalesce": True},
        )
