"""The outbox worker: claims due rows (:mod:`tipbot.consult.outbox`) with a lease, commits the
claim, calls Telegram, and records the result. Passing failures are retried with capped
exponential backoff, forever; only permanent refusals end as ``dead``. Backoff is computed
from ``deps.clock``. One worker at a time per process, so a request's messages keep their
order; other replicas are kept apart by the lease.

When the staff group has become a supergroup, the first send to the old id answers
``ChatMigrated``: the worker follows it (:mod:`tipbot.consult.migration`) and sends the row
again, to the new group, in the same run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, TelegramError

from tipbot import i18n, texts
from tipbot.consult import erase
from tipbot.consult.cards import render_card
from tipbot.consult.history import person_history, render_history
from tipbot.core.db.models import ConsultRequest, OutboxMessage, OutboxStatus, StaffThreadMessage
from tipbot.core.sender import QUEUED, Outcome, classify, send_text
from tipbot.core.staff import stored_staff_chat

if TYPE_CHECKING:
    from telegram.ext import Application

    from tipbot.core.runtime import Context, Deps


from tipbot.consult.migration import follow_migration
from tipbot.consult.outbox import JOB_NAME, WORKER_INTERVAL_SECONDS, Kind, enqueue

log = logging.getLogger(__name__)


BATCH_SIZE = 50


MAX_BATCHES_PER_RUN = 20


LEASE = timedelta(minutes=2)


FIRST_RETRY = timedelta(seconds=5)


MAX_RETRY = timedelta(minutes=10)


#: A row this replica leaves unsent because it is stopping (SIGTERM): unlocked at once, no
#: attempt counted; any replica (or this one after the restart) sends it.
SHUTDOWN = "shutdown"


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, … capped at 10 minutes."""
    doublings = min(max(attempts - 1, 0), 16)  # retries go on forever; the exponent must not
    return min(FIRST_RETRY * 2**doublings, MAX_RETRY)


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    kind: str
    chat_id: int | None
    request_id: int | None
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class _Result:
    outcome: Outcome  # SENT, TRANSIENT (retry), FAILED/GONE (dead); see _finish
    message_id: int | None = None
    reason: str | None = None
    # Not attempted (e.g. the card is not posted yet): retry after this long, no error.
    wait: timedelta | None = None
    chat_id: int | None = None  # where the message went (or was meant to go)
    migrate_to_chat_id: int | None = None  # that chat became this supergroup


GIVEN_BACK = _Result(Outcome.TRANSIENT, reason=SHUTDOWN, wait=timedelta(0))


async def _claim(deps: Deps, now: datetime) -> list[_Claimed]:
    """Lease due rows to this worker (``SKIP LOCKED``: replicas never share a row)."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now),
        )
        .order_by(OutboxMessage.id)
        .limit(BATCH_SIZE)
    )
    if deps.settings.staff_chat_id is None:
        query = query.where(OutboxMessage.chat_id.is_not(None))  # staff rows wait
    if not deps.db.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    async with deps.db.session() as session:
        # Another replica may have followed a migration of the staff group: use its id.
        deps.staff.follow(await stored_staff_chat(session, deps.settings.staff_chat_id))
        rows = list(await session.scalars(query))
        for row in rows:
            row.locked_until = now + LEASE
        return [
            _Claimed(row.id, row.kind, row.chat_id, row.request_id, dict(row.payload), row.attempts)
            for row in rows
        ]


async def run_outbox(deps: Deps, bot: Bot) -> int:
    """Send what is due; return how many rows were sent. Never raises for one bad row.

    One worker at a time per process (kicks queue up behind it), so a request's messages
    keep their order; other replicas are kept apart by the lease.
    """
    # Texts come rendered in their reader's language; cards render in the staff language.
    sent = 0
    async with deps.state.outbox_lock:
        # Again while rows come due: sending may queue more (e.g. "delivered" in the thread).
        for _ in range(MAX_BATCHES_PER_RUN):
            if deps.state.stopping:
                break
            rows = await _claim(deps, deps.clock.now())
            if not rows:
                break
            for index, row in enumerate(rows):
                if deps.state.stopping:  # not attempted: back to be sent after the restart
                    await _give_back(deps, rows[index:])
                    break
                try:
                    result = await _deliver(deps, bot, row)
                    if result.migrate_to_chat_id is not None:
                        result = await _after_migration(deps, bot, row, result)
                except Exception:  # one broken row must not stop the others
                    log.exception("outbox row failed id=%s kind=%s", row.id, row.kind)
                    result = _Result(Outcome.TRANSIENT, reason="error")
                if result.reason == SHUTDOWN and result.wait is None:
                    result = GIVEN_BACK  # it gave its rate slot back: never attempted
                await _finish(deps, row, result)
                sent += result.outcome is Outcome.SENT
    return sent


async def _give_back(deps: Deps, rows: list[_Claimed]) -> None:
    """Stopping: unlock the claimed rows not attempted, in one statement (no attempt
    counted), so the stop does not wait for a transaction per row."""
    async with deps.db.session() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in rows]))
            .values(locked_until=None)
        )


async def _after_migration(deps: Deps, bot: Bot, row: _Claimed, result: _Result) -> _Result:
    """The staff group became a supergroup: follow it, then send this row again at once,
    unless it edits a message of the old group (read-only now; its card is posted anew)."""
    failed = _Result(Outcome.FAILED, reason="chat_migrated")
    if row.chat_id is not None:  # a staff message copied from the old group: gone with it
        return failed
    await follow_migration(deps, bot, result.chat_id, result.migrate_to_chat_id)
    if deps.staff.chat_id != result.migrate_to_chat_id:  # not the staff group that moved
        return failed
    if row.kind == Kind.CARD_EDIT and "message_id" in row.payload:
        return _Result(Outcome.SENT)
    return _Result(Outcome.TRANSIENT, wait=timedelta(0))


async def _deliver(deps: Deps, bot: Bot, row: _Claimed) -> _Result:
    staff_chat = deps.staff.chat_id
    if row.kind == Kind.PERSON:
        return await _send(bot, row.chat_id, row.payload["text"], **_buttons(row.payload))
    if row.kind == Kind.COPY and row.chat_id is not None:
        return await _copy(bot, row.chat_id, row.payload)
    history = ""
    async with deps.db.session() as session:
        request = await session.get(ConsultRequest, row.request_id) if row.request_id else None
        if request is not None and row.kind in (Kind.CARD, Kind.CARD_EDIT):
            found = await person_history(session, request)
            history = render_history(found, deps.library, deps.settings.clinic_zone)
    if row.kind == Kind.ERASE:
        return await _erase(bot, row.payload)
    if row.kind == Kind.CARD_EDIT and "message_id" in row.payload:
        return await _edit(bot, row.payload["card_chat_id"], row.payload["message_id"], row.payload)
    if request is None:  # deleted (/forget): nothing left to post
        return _Result(Outcome.SENT)
    if row.kind == Kind.CARD:
        if request.staff_message_id is not None and not row.payload.get("repost"):
            return _Result(Outcome.SENT, request.staff_message_id)  # never post a card twice
        text, keyboard = render_card(request, deps.library, deps.settings.clinic_zone, history)
        return await _send(bot, staff_chat, text, reply_markup=keyboard)
    if request.staff_message_id is None:
        return _Result(Outcome.TRANSIENT, wait=FIRST_RETRY)  # the card goes first
    if row.kind == Kind.CARD_EDIT:
        text, keyboard = render_card(request, deps.library, deps.settings.clinic_zone, history)
        payload = {"text": text, "keyboard": keyboard}
        return await _edit(bot, request.staff_chat_id, request.staff_message_id, payload)
    if row.kind == Kind.THREAD:
        reply_to = row.payload.get("reply_to") or request.staff_message_id
        return await _send(
            bot,
            request.staff_chat_id,
            row.payload["text"],
            reply_to=reply_to,
            **_buttons(row.payload),
        )
    if row.kind == Kind.COPY:
        return await _copy(
            bot, request.staff_chat_id, row.payload, reply_to=request.staff_message_id
        )
    log.error("unknown outbox kind id=%s kind=%s", row.id, row.kind)
    return _Result(Outcome.FAILED, reason="unknown_kind")


def _buttons(payload: dict[str, Any]) -> dict[str, Any]:
    """``buttons`` of a message (rows of [label, callback data]) as its keyboard."""
    rows = payload.get("buttons")
    if not rows:
        return {}
    keyboard = [
        [InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows
    ]
    return {"reply_markup": InlineKeyboardMarkup(keyboard)}


async def _send(
    bot: Bot, chat_id: int | None, text: str, *, reply_to: int | None = None, **kwargs: Any
) -> _Result:
    if chat_id is None:
        return _Result(Outcome.TRANSIENT, wait=FIRST_RETRY)
    if reply_to is not None:
        kwargs["reply_to_message_id"] = reply_to
        kwargs["allow_sending_without_reply"] = True
    # One attempt: the outbox retries with backoff on the clock, not by sleeping here.
    result = await send_text(bot, chat_id, text, attempts=1, rate_limit_args=QUEUED, **kwargs)
    return _Result(
        result.outcome,
        result.message_id,
        result.reason,
        chat_id=chat_id,
        migrate_to_chat_id=result.migrate_to_chat_id,
    )


async def _call(chat_id: int, call: Awaitable[Any], *, message_id: int | None = None) -> _Result:
    """One Bot API call whose answer is a message (id) or an error, as a ``_Result``."""
    try:
        answer = await call
    except ChatMigrated as error:
        return _Result(
            Outcome.FAILED,
            reason="chat_migrated",
            chat_id=chat_id,
            migrate_to_chat_id=error.new_chat_id,
        )
    except BadRequest as error:
        if "message is not modified" in str(error).lower():
            return _Result(Outcome.SENT, message_id, chat_id=chat_id)
        outcome, reason = classify(error)
        return _Result(outcome, reason=reason, chat_id=chat_id)
    except TelegramError as error:
        outcome, reason = classify(error)
        return _Result(outcome, reason=reason, chat_id=chat_id)
    return _Result(Outcome.SENT, getattr(answer, "message_id", message_id), chat_id=chat_id)


async def _edit(bot: Bot, chat_id: int, message_id: int, payload: dict[str, Any]) -> _Result:
    call = bot.edit_message_text(
        payload["text"],
        chat_id=chat_id,
        message_id=message_id,
        reply_markup=payload.get("keyboard"),
        rate_limit_args=QUEUED,
    )
    return await _call(chat_id, call, message_id=message_id)


async def _copy(
    bot: Bot, chat_id: int | None, payload: dict[str, Any], *, reply_to: int | None = None
) -> _Result:
    """Copy a photo, voice note, … (no "forwarded from": the person's name stays private)."""
    if chat_id is None:
        return _Result(Outcome.TRANSIENT, wait=FIRST_RETRY)
    kwargs: dict[str, Any] = {}
    if "caption" in payload:
        kwargs["caption"] = payload["caption"]
    if reply_to is not None:
        kwargs["reply_to_message_id"] = reply_to
        kwargs["allow_sending_without_reply"] = True
    call = bot.copy_message(
        chat_id, payload["from_chat_id"], payload["message_id"], rate_limit_args=QUEUED, **kwargs
    )
    return await _call(chat_id, call)


async def _erase(bot: Bot, payload: dict[str, Any]) -> _Result:
    try:
        await erase.erase(bot, payload["card_chat_id"], payload["message_id"], payload["text"])
    except TelegramError as error:
        outcome, reason = classify(error)
        return _Result(outcome, reason=reason)
    return _Result(Outcome.SENT)


async def _finish(deps: Deps, row: _Claimed, result: _Result) -> None:
    now = deps.clock.now()
    async with deps.db.session() as session:
        stored = await session.get(OutboxMessage, row.id, with_for_update=True)
        if stored is None:  # deleted meanwhile (/forget)
            return
        stored.locked_until = None
        if result.wait is not None:
            stored.next_attempt_at = now + result.wait
            return
        stored.attempts += 1
        outcome = result.outcome
        if outcome is Outcome.GONE and row.chat_id is None:
            # The staff group is unreachable (bot removed, wrong id): wait for the operator.
            log.error("staff group unreachable outbox_id=%s reason=%s", row.id, result.reason)
            outcome = Outcome.TRANSIENT
        if outcome is Outcome.TRANSIENT:
            stored.last_error = result.reason
            stored.next_attempt_at = now + backoff(stored.attempts)
            log.info(
                "outbox retry id=%s kind=%s attempts=%s reason=%s",
                row.id,
                row.kind,
                stored.attempts,
                result.reason,
            )
            return
        if outcome is not Outcome.SENT:
            stored.status = OutboxStatus.DEAD
            stored.last_error = result.reason
            log.warning("outbox dead id=%s kind=%s reason=%s", row.id, row.kind, result.reason)
            await _acknowledge(session, stored, now, delivered=False, reason=result.reason)
            return
        stored.status = OutboxStatus.SENT
        stored.sent_at = now
        stored.result_message_id = result.message_id
        if result.message_id is not None and row.chat_id is None and row.request_id:
            await _remember_thread_message(session, result.chat_id, result.message_id, row)
        await _acknowledge(session, stored, now, delivered=True, reason=None)


async def _remember_thread_message(
    session: AsyncSession, chat_id: int | None, message_id: int, row: _Claimed
) -> None:
    """Map the staff-group message to its request, so replies to it reach the person."""
    request = await session.get(ConsultRequest, row.request_id)
    if request is None or chat_id is None:
        return
    if row.kind == Kind.CARD:
        request.staff_chat_id, request.staff_message_id = chat_id, message_id
    if await session.get(StaffThreadMessage, (chat_id, message_id)) is None:
        session.add(
            StaffThreadMessage(chat_id=chat_id, message_id=message_id, request_id=request.id)
        )


async def _acknowledge(
    session: AsyncSession,
    row: OutboxMessage,
    now: datetime,
    *,
    delivered: bool,
    reason: str | None,
) -> None:
    """Tell the staff thread whether a staff message reached the person."""
    if "ack_reply_to" not in row.payload or row.request_id is None:
        return
    reply_to = row.payload["ack_reply_to"]
    number, language = row.request_id, i18n.staff_language()
    if delivered:
        text = texts.THREAD_DELIVERED.render(language, number=number)
    elif reason in {"blocked", "deactivated", "chat_not_found"}:
        text = texts.THREAD_BLOCKED.render(language, number=number)
    else:
        text = texts.THREAD_NOT_DELIVERED.render(language, number=number)
    enqueue(session, Kind.THREAD, now=now, request_id=row.request_id, text=text, reply_to=reply_to)


async def outbox_job(context: Context) -> None:
    await run_outbox(context.deps, context.bot)


def schedule(application: Application) -> None:
    application.job_queue.run_repeating(
        outbox_job, interval=WORKER_INTERVAL_SECONDS, first=WORKER_INTERVAL_SECONDS, name=JOB_NAME
    )
