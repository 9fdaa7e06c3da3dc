"""Staff announcements (campaigns) to a segment of subscribers, resumable after a restart,
never twice.

Confirming a draft snapshots its recipients as ``pending`` rows. A worker claims slices
(``pending`` → ``sending``, committed *before* anything is sent; SKIP LOCKED on PostgreSQL
so replicas share the work), sends them as bulk sends of the bot's sending policy, and
records the outcomes as they come (``core/bulk.py``). A restart resumes ``pending`` rows
only: a row caught in ``sending`` by a crash is not sent again (at most once, like daily
tips); on a graceful stop the unsent rows go back to ``pending``.

Campaigns (``campaign.py``): a segment chooses the recipients; a broadcast ``at`` a time is
``scheduled`` and snapshots its recipients when it starts; one at each person's own time
(``tip``, ``daytime``) snapshots at once with a ``due_at`` per row, and the worker claims
only rows that are due. ``campaign_tick`` (every minute, and at start) starts what is due:
the state is in the DB, so a restart loses no schedule. A claim skips people who left
(``/forget`` deleted their row; ``/stop`` or a block since the snapshot); one sent outside
08:00–21:00 of the person's time goes silently (``disable_notification``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, literal, null, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import Application

from tipbot import i18n, texts
from tipbot.core.bulk import BulkSend
from tipbot.core.callbacks import StartConsult
from tipbot.core.db.models import (
    Broadcast,
    BroadcastRecipient,
    BroadcastStatus,
    Subscriber,
    SubscriptionStatus,
)
from tipbot.core.runtime import Context, Deps, deps_of
from tipbot.core.sender import NOT_SENT, Outcome, Prepared, SendResult, send_text
from tipbot.staff.campaign import CONSULT, Options, Segment, daytime_due, is_daytime
from tipbot.subscriber.service import mark_blocked

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, BLOCKED, FAILED = "pending", "sending", "sent", "blocked", "failed"
SKIPPED, CANCELLED = "skipped", "cancelled"  # left (or /stop) since the snapshot; called off
BATCH_SIZE = 500  # the most claimed at once; the sending policy claims ~1 s of sending
PROGRESS_EVERY_SECONDS = 5.0  # a group takes ~20 messages/edits a minute
MAX_TEXT_LENGTH = 3500  # leaves room for the preview's own words within Telegram's 4096
MAX_CAPTION_LENGTH = 1024  # Telegram's limit for a photo's caption
NO_MESSAGE_YET = 0  # progress_message_id while one replica is posting the progress message
TICK_SECONDS = 60  # how often scheduled campaigns and per-person due times are looked at
SNAPSHOT_CHUNK = 1000
GONE = (SubscriptionStatus.STOPPED, SubscriptionStatus.BLOCKED)


@dataclass(frozen=True, slots=True)
class Recipient:
    """A claimed row with what its send needs: the person's language and zone now."""

    subscriber_id: int
    language: str
    timezone: str


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


async def count_recipients(session: AsyncSession, segment: Segment | None = None) -> int:
    query = select(func.count()).where(*(segment or Segment()).conditions())
    return await session.scalar(query) or 0


async def count_by_language(session: AsyncSession, segment: Segment) -> dict[str, int]:
    """The segment's people per language (the one their messages are in), for the preview."""
    language = func.coalesce(Subscriber.language, i18n.default_language())
    rows = await session.execute(
        select(language, func.count()).where(*segment.conditions()).group_by(language)
    )
    return dict(rows.all())


async def create_draft(
    session: AsyncSession,
    text: str,
    created_by: int,
    now: datetime,
    *,
    options: Options | None = None,
    texts_by_language: dict[str, str] | None = None,
) -> Broadcast:
    options = options or Options()
    draft = Broadcast(
        text=text,
        texts=texts_by_language or {},
        created_by=created_by,
        total=await count_recipients(session, options.segment),
        created_at=now,
        segment=options.segment.to_json(),
        timing=options.timing,
        send_at=options.send_at,
        photo=options.photo,
        button=options.button,
    )
    session.add(draft)
    await session.flush()
    return draft


async def confirm(
    session: AsyncSession, broadcast_id: int, progress_chat_id: int, now: datetime | None = None
) -> BroadcastStatus | None:
    """draft → sending, snapshotting the recipients (or → scheduled, for one ``at`` a later
    time); its new status, or None if it was not a draft any more (a second press, another
    staff member first, or cancelled). Plain columns, no ORM object: the first ORM load of a
    broadcast in a process costs a statement compile, in the button's reply time."""
    now = now or datetime.now(UTC)
    row = (
        await session.execute(
            select(Broadcast.timing, Broadcast.send_at, Broadcast.segment).where(
                Broadcast.id == broadcast_id
            )
        )
    ).one_or_none()
    if row is None:
        return None
    timing, send_at, segment = row
    later = timing == "at" and send_at is not None and send_at > now
    status = BroadcastStatus.SCHEDULED if later else BroadcastStatus.SENDING
    moved = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.DRAFT)
        .values(status=status, progress_chat_id=progress_chat_id)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return None
    if not later:
        await _snapshot(session, broadcast_id, segment, timing, now)
    return status


async def start_scheduled(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """scheduled → sending once ``send_at`` has come, snapshotting the segment as it is
    then; False if it was not due, not scheduled any more, or another replica was first."""
    moved = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status == BroadcastStatus.SCHEDULED,
            Broadcast.send_at <= now,
        )
        .values(status=BroadcastStatus.SENDING)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return False
    timing, segment = (
        await session.execute(
            select(Broadcast.timing, Broadcast.segment).where(Broadcast.id == broadcast_id)
        )
    ).one()
    await _snapshot(session, broadcast_id, segment, timing, now)
    return True


async def _snapshot(
    session: AsyncSession,
    broadcast_id: int,
    segment: dict[str, Any] | None,
    timing: str,
    now: datetime,
) -> None:
    """The recipients, one ``pending`` row each, with when each is due."""
    where = Segment.from_json(segment).conditions()
    if timing == "daytime":  # a time per person's zone: computed here, in chunks
        rows = (
            await session.execute(
                select(Subscriber.user_id, Subscriber.send_time, Subscriber.timezone).where(*where)
            )
        ).all()
        for start in range(0, len(rows), SNAPSHOT_CHUNK):
            await session.execute(
                insert(BroadcastRecipient),
                [
                    {
                        "broadcast_id": broadcast_id,
                        "subscriber_id": user_id,
                        "status": PENDING,
                        "due_at": daytime_due(send_time, zone, now),
                    }
                    for user_id, send_time, zone in rows[start : start + SNAPSHOT_CHUNK]
                ],
            )
    else:
        # ``tip``: with the person's next tip (the sweep's own time); else at once.
        due = Subscriber.next_send_at if timing == "tip" else null()
        await session.execute(
            insert(BroadcastRecipient).from_select(
                ["broadcast_id", "subscriber_id", "status", "due_at"],
                select(literal(broadcast_id), Subscriber.user_id, literal(PENDING), due).where(
                    *where
                ),
            )
        )
    total = select(func.count()).where(BroadcastRecipient.broadcast_id == broadcast_id)
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(total=total.scalar_subquery())
        .execution_options(synchronize_session=False)
    )


async def cancel(session: AsyncSession, broadcast_id: int) -> bool:
    """Call off a draft, a scheduled campaign, or what a campaign at each person's own time
    has not sent yet; False once it is finished or cancelled."""
    moved = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status.in_(
                (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)
            ),
        )
        .values(status=BroadcastStatus.CANCELLED)
    )
    if moved.rowcount != 1:
        return False
    await session.execute(
        update(BroadcastRecipient)
        .where(
            BroadcastRecipient.broadcast_id == broadcast_id, BroadcastRecipient.status == PENDING
        )
        .values(status=CANCELLED)
    )
    return True


async def upcoming(session: AsyncSession) -> list[Broadcast]:
    """Campaigns that may still send: scheduled ones, and those sending (at people's own
    times, or right now), oldest first."""
    return list(
        await session.scalars(
            select(Broadcast)
            .where(Broadcast.status.in_((BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)))
            .order_by(Broadcast.id)
        )
    )


async def claim_batch(
    session: AsyncSession, broadcast_id: int, size: int, now: datetime | None = None
) -> list[Recipient]:
    """Mark up to ``size`` due pending recipients as being sent, and return those still
    subscribed; the others (forgotten, stopped, blocked since the snapshot) are skipped."""
    return (await claim_rows(session, broadcast_id, size, now))[0]


async def claim_rows(
    session: AsyncSession, broadcast_id: int, size: int, now: datetime | None = None
) -> tuple[list[Recipient], int]:
    """``claim_batch``, and how many rows it took (claimed and skipped): a full slice means
    more may be waiting."""
    now = now or datetime.now(UTC)
    rows = (
        await session.execute(
            select(
                BroadcastRecipient.subscriber_id,
                Subscriber.status,
                Subscriber.language,
                Subscriber.timezone,
            )
            .outerjoin(Subscriber, Subscriber.user_id == BroadcastRecipient.subscriber_id)
            .where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.status == PENDING,
                or_(BroadcastRecipient.due_at.is_(None), BroadcastRecipient.due_at <= now),
            )
            .order_by(BroadcastRecipient.subscriber_id)
            .limit(size)
            .with_for_update(skip_locked=True, of=BroadcastRecipient)
        )
    ).all()
    claimed = [
        Recipient(user_id, language or i18n.default_language(), zone)
        for user_id, status, language, zone in rows
        if status is not None and status not in GONE
    ]
    skipped = [row[0] for row in rows if row[1] is None or row[1] in GONE]
    for status, ids in ((SENDING, [r.subscriber_id for r in claimed]), (SKIPPED, skipped)):
        if ids:
            await session.execute(
                update(BroadcastRecipient)
                .where(
                    BroadcastRecipient.broadcast_id == broadcast_id,
                    BroadcastRecipient.subscriber_id.in_(ids),
                )
                .values(status=status)
            )
    return claimed, len(rows)


async def pending_later(session: AsyncSession, broadcast_id: int) -> int:
    """Rows still to send (due later, or left by a stop): the campaign is not finished."""
    return (
        await session.scalar(
            select(func.count()).where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.status == PENDING,
            )
        )
        or 0
    )


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


async def finish(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    moved = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SENDING)
        .values(status=BroadcastStatus.DONE, finished_at=now)
    )
    return moved.rowcount == 1


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


async def campaign_tick(context: Context) -> None:
    """Every minute: start scheduled campaigns whose time has come, and send the rows of
    campaigns at people's own times that have fallen due. All state is in the DB."""
    await start_due(context.application)


async def start_due(application: Application) -> list[int]:
    """What ``campaign_tick`` does, callable directly (tests, with the ManualClock)."""
    deps = deps_of(application)
    now = deps.clock.now()
    started: list[int] = []
    async with deps.db.session() as session:
        scheduled = list(
            await session.scalars(
                select(Broadcast.id).where(
                    Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.send_at <= now
                )
            )
        )
    for broadcast_id in scheduled:
        async with deps.db.session() as session:
            if await start_scheduled(session, broadcast_id, now):
                log.info("scheduled broadcast id=%s starting", broadcast_id)
    async with deps.db.session() as session:
        due = list(
            await session.scalars(
                select(Broadcast.id)
                .where(Broadcast.status == BroadcastStatus.SENDING)
                .where(
                    select(BroadcastRecipient.subscriber_id)
                    .where(
                        BroadcastRecipient.broadcast_id == Broadcast.id,
                        BroadcastRecipient.status == PENDING,
                        or_(
                            BroadcastRecipient.due_at.is_(None),
                            BroadcastRecipient.due_at <= now,
                        ),
                    )
                    .exists()
                )
            )
        )
    for broadcast_id in due:
        start_worker(application, broadcast_id)
        started.append(broadcast_id)
    return started


def _keyboard(button: str | None, language: str) -> InlineKeyboardMarkup | None:
    if button is None:
        return None
    if button == CONSULT:
        found = InlineKeyboardButton(
            texts.BUTTON_CONSULT.render(language), callback_data=StartConsult().pack()
        )
    else:
        found = InlineKeyboardButton(texts.BUTTON_CAMPAIGN_LINK.render(language), url=button)
    return InlineKeyboardMarkup([[found]])


class Messages:
    """A broadcast's message per language (its text, or the default one), built once."""

    def __init__(self, bot: Bot, broadcast: Broadcast) -> None:
        self.bot = bot
        self.default = broadcast.text
        self.texts = dict(broadcast.texts or {})
        self.photo = broadcast.photo
        self.button = broadcast.button
        self.built: dict[str, Prepared] = {}

    def text_for(self, language: str) -> str:
        return self.texts.get(language, self.default)

    def __call__(self, language: str) -> Prepared:
        if language not in self.built:
            text, keyboard = self.text_for(language), _keyboard(self.button, language)
            if self.photo:
                self.built[language] = Prepared.photo_with_caption(
                    self.bot, self.photo, text, keyboard
                )
            else:
                self.built[language] = Prepared.of(self.bot, text, keyboard)
        return self.built[language]


async def run_broadcast(application: Application, broadcast_id: int) -> None:
    deps = deps_of(application)
    bot = application.bot
    async with deps.db.session() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        messages = Messages(bot, broadcast)
        chat_id, message_id = broadcast.progress_chat_id, broadcast.progress_message_id
        progress = await tally(session, broadcast_id)
    if chat_id is not None and message_id is None:
        message_id = await _post_progress(deps, bot, broadcast_id, chat_id, progress.text)
    log.info("broadcast id=%s sending, %s pending", broadcast_id, progress.pending)
    last_edit = time.monotonic()

    async def claim(limit: int) -> tuple[list[Recipient], bool]:
        async with deps.db.session() as session:
            batch, taken = await claim_rows(session, broadcast_id, limit, deps.clock.now())
        return batch, taken == limit

    async def send(recipient: Recipient) -> SendResult:
        fields = {}
        if not is_daytime(deps.clock.now(), recipient.timezone):
            fields["disable_notification"] = True  # night where they are: no sound
        message = messages(recipient.language)
        return await deps.sending.send_bulk(bot, recipient.subscriber_id, message, **fields)

    async def record(outcomes: list[tuple[Recipient, SendResult]]) -> None:
        nonlocal last_edit
        async with deps.db.session() as session:
            await record_results(
                session, broadcast_id, {r.subscriber_id: result for r, result in outcomes}
            )
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
        if await pending_later(session, broadcast_id):  # due later: campaign_tick goes on
            return
        if not await finish(session, broadcast_id, deps.clock.now()):
            return  # cancelled meanwhile: the cancel said so
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
