"""Staff announcements to every active subscriber, resumable after a restart, never twice.

Confirming a draft snapshots its recipients as ``pending`` rows. A worker claims slices
(``pending`` → ``sending``, committed *before* anything is sent; SKIP LOCKED on PostgreSQL
so replicas share the work), sends them as bulk sends of the bot's sending policy, and
records the outcomes as they come (``core/bulk.py``). A restart resumes ``pending`` rows
only: a row caught in ``sending`` by a crash is not sent again (at most once, like daily
tips); on a graceful stop the unsent rows go back to ``pending``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application

from tipbot import i18n, texts
from tipbot.core.bulk import BulkSend
from tipbot.core.db.models import (
    Broadcast,
    BroadcastRecipient,
    BroadcastStatus,
    Subscriber,
    SubscriptionStatus,
)
from tipbot.core.runtime import Context, Deps, deps_of
from tipbot.core.sender import NOT_SENT, Outcome, Prepared, SendResult, send_text
from tipbot.subscriber.service import mark_blocked

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, BLOCKED, FAILED = "pending", "sending", "sent", "blocked", "failed"
BATCH_SIZE = 500  # the most claimed at once; the sending policy claims ~1 s of sending
PROGRESS_EVERY_SECONDS = 5.0  # a group takes ~20 messages/edits a minute
MAX_TEXT_LENGTH = 3500  # leaves room for the preview's own words within Telegram's 4096
NO_MESSAGE_YET = 0  # progress_message_id while one replica is posting the progress message


@dataclass(frozen=True)
class Progress:
    broadcast_id: int
    total: int
    sent: int
    blocked: int
    failed: int
    pending: int

    @property
    def text(self) -> str:
        """For the staff group, so in the staff language (also when a restart resumes it)."""
        return texts.BROADCAST_PROGRESS.render(
            i18n.staff_language(),
            id=self.broadcast_id,
            sent=f"{self.sent:,}",
            total=f"{self.total:,}",
            blocked=f"{self.blocked:,}",
            failed=f"{self.failed:,}",
        )


# ----------------------------------------------------------------------------- services


async def count_recipients(session: AsyncSession) -> int:
    query = select(func.count()).where(Subscriber.status == SubscriptionStatus.ACTIVE)
    return await session.scalar(query) or 0


async def create_draft(
    session: AsyncSession, text: str, created_by: int, now: datetime
) -> Broadcast:
    draft = Broadcast(
        text=text, created_by=created_by, total=await count_recipients(session), created_at=now
    )
    session.add(draft)
    await session.flush()
    return draft


async def confirm(
    session: AsyncSession, broadcast_id: int, progress_chat_id: int
) -> Broadcast | None:
    """draft → sending, snapshotting the recipients; None if it was not a draft any more
    (a second press, another staff member first, or cancelled)."""
    moved = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.DRAFT)
        .values(status=BroadcastStatus.SENDING, progress_chat_id=progress_chat_id)
    )
    if moved.rowcount != 1:
        return None
    await session.execute(
        insert(BroadcastRecipient).from_select(
            ["broadcast_id", "subscriber_id", "status"],
            select(literal(broadcast_id), Subscriber.user_id, literal(PENDING)).where(
                Subscriber.status == SubscriptionStatus.ACTIVE
            ),
        )
    )
    broadcast = await session.get(Broadcast, broadcast_id, populate_existing=True)
    broadcast.total = await session.scalar(
        select(func.count()).where(BroadcastRecipient.broadcast_id == broadcast_id)
    )
    return broadcast


async def cancel(session: AsyncSession, broadcast_id: int) -> bool:
    moved = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.DRAFT)
        .values(status=BroadcastStatus.CANCELLED)
    )
    return moved.rowcount == 1


async def claim_batch(session: AsyncSession, broadcast_id: int, size: int) -> list[int]:
    """Mark up to ``size`` pending recipients as being sent, and return them."""
    ids = list(
        await session.scalars(
            select(BroadcastRecipient.subscriber_id)
            .where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.status == PENDING,
            )
            .order_by(BroadcastRecipient.subscriber_id)
            .limit(size)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        await session.execute(
            update(BroadcastRecipient)
            .where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.subscriber_id.in_(ids),
            )
            .values(status=SENDING)
        )
    return ids


async def record_results(
    session: AsyncSession, broadcast_id: int, results: dict[int, SendResult]
) -> None:
    by_status: dict[str, list[int]] = {SENT: [], BLOCKED: [], FAILED: [], PENDING: []}
    for subscriber_id, result in results.items():
        if result == NOT_SENT:  # left by a stop: sent after the restart
            by_status[PENDING].append(subscriber_id)
        elif result.outcome is Outcome.SENT:
            by_status[SENT].append(subscriber_id)
        elif result.outcome is Outcome.GONE:
            by_status[BLOCKED].append(subscriber_id)
        else:
            by_status[FAILED].append(subscriber_id)
    for status, ids in by_status.items():
        if ids:
            await session.execute(
                update(BroadcastRecipient)
                .where(
                    BroadcastRecipient.broadcast_id == broadcast_id,
                    BroadcastRecipient.subscriber_id.in_(ids),
                )
                .values(status=status)
            )
    await mark_blocked(session, by_status[BLOCKED])  # keeps a /stop sent since the snapshot


async def tally(session: AsyncSession, broadcast_id: int) -> Progress:
    """Counts from the recipient rows (not from one worker's memory: replicas share the work)."""
    broadcast = await session.get(Broadcast, broadcast_id, populate_existing=True)
    counts = dict(
        (
            await session.execute(
                select(BroadcastRecipient.status, func.count())
                .where(BroadcastRecipient.broadcast_id == broadcast_id)
                .group_by(BroadcastRecipient.status)
            )
        ).all()
    )
    progress = Progress(
        broadcast_id,
        broadcast.total,
        counts.get(SENT, 0),
        counts.get(BLOCKED, 0),
        counts.get(FAILED, 0),
        counts.get(PENDING, 0),
    )
    broadcast.sent, broadcast.blocked, broadcast.failed = (
        progress.sent,
        progress.blocked,
        progress.failed,
    )
    return progress


async def finish(session: AsyncSession, broadcast_id: int, now: datetime) -> None:
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SENDING)
        .values(status=BroadcastStatus.DONE, finished_at=now)
    )


# ----------------------------------------------------------------------------- workers


def start_worker(application: Application, broadcast_id: int) -> None:
    """Send ``broadcast_id`` in the background (once per process)."""
    state = deps_of(application).state
    if state.stopping or broadcast_id in state.broadcasts:
        return
    task = application.create_task(
        run_broadcast(application, broadcast_id), name=f"broadcast-{broadcast_id}"
    )
    state.broadcasts[broadcast_id] = task
    task.add_done_callback(lambda _task: state.broadcasts.pop(broadcast_id, None))


async def resume_broadcasts(context: Context) -> None:
    """Start-up job: pick up broadcasts a previous run (or another replica) left unfinished."""
    deps = context.deps
    async with deps.db.session() as session:
        ids = list(
            await session.scalars(
                select(Broadcast.id).where(Broadcast.status == BroadcastStatus.SENDING)
            )
        )
    for broadcast_id in ids:
        log.info("resuming broadcast id=%s", broadcast_id)
        start_worker(context.application, broadcast_id)


async def run_broadcast(application: Application, broadcast_id: int) -> None:
    deps = deps_of(application)
    bot = application.bot
    async with deps.db.session() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        text, chat_id = broadcast.text, broadcast.progress_chat_id
        message_id = broadcast.progress_message_id
        progress = await tally(session, broadcast_id)
    if chat_id is not None and message_id is None:
        message_id = await _post_progress(deps, bot, broadcast_id, chat_id, progress.text)
    log.info("broadcast id=%s sending, %s pending", broadcast_id, progress.pending)
    last_edit = time.monotonic()

    async def claim(limit: int) -> tuple[list[int], bool]:
        async with deps.db.session() as session:
            batch = await claim_batch(session, broadcast_id, limit)
        return batch, len(batch) == limit

    message = Prepared.of(bot, text)

    async def send(subscriber_id: int) -> SendResult:
        return await deps.sending.send_bulk(bot, subscriber_id, message)

    async def record(outcomes: list[tuple[int, SendResult]]) -> None:
        nonlocal last_edit
        async with deps.db.session() as session:
            await record_results(session, broadcast_id, dict(outcomes))
            if not (chat_id and message_id):
                return
            if time.monotonic() - last_edit < PROGRESS_EVERY_SECONDS:
                return
            progress = await tally(session, broadcast_id)
        await _edit(bot, chat_id, message_id, progress.text)
        last_edit = time.monotonic()

    await BulkSend(
        slice_size=lambda: deps.sending.slice_size(BATCH_SIZE),
        workers=deps.sending.in_flight,
        claim=claim,
        send=send,
        record=record,
        stopping=lambda: deps.state.stopping,
    ).run()
    if deps.state.stopping:
        log.info("broadcast id=%s paused for shutdown", broadcast_id)
        return
    async with deps.db.session() as session:
        progress = await tally(session, broadcast_id)
        await finish(session, broadcast_id, deps.clock.now())
        # Another replica may have posted the progress message meanwhile.
        message_id = (await session.get(Broadcast, broadcast_id)).progress_message_id
    log.info(
        "broadcast id=%s done sent=%s blocked=%s failed=%s",
        broadcast_id,
        progress.sent,
        progress.blocked,
        progress.failed,
    )
    if chat_id and message_id:
        done = texts.BROADCAST_DONE.render(
            i18n.staff_language(),
            id=broadcast_id,
            sent=f"{progress.sent:,}",
            total=f"{progress.total:,}",
            blocked=f"{progress.blocked:,}",
            failed=f"{progress.failed:,}",
        )
        await _edit(bot, chat_id, message_id, done)


async def _post_progress(
    deps: Deps, bot: Bot, broadcast_id: int, chat_id: int, text: str
) -> int | None:
    """The one progress message of a broadcast, remembered so a resume edits the same one.

    Replicas resuming together race for it: the first to swap NULL for 0 posts it.
    """
    async with deps.db.session() as session:
        claimed = await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.progress_message_id.is_(None))
            .values(progress_message_id=NO_MESSAGE_YET)
        )
    if claimed.rowcount != 1:
        return None
    result = await send_text(bot, chat_id, text)
    async with deps.db.session() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        broadcast.progress_message_id = result.message_id
    return result.message_id


async def _edit(bot: Bot, chat_id: int, message_id: int, text: str) -> None:
    try:
        await bot.edit_message_text(text, chat_id, message_id)
    except TelegramError as exc:  # "message is not modified", or the group is unreachable
        log.info("broadcast progress edit skipped chat_id=%s: %s", chat_id, type(exc).__name__)
