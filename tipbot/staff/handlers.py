"""Staff tools in the staff group: /stats, /broadcast (preview → confirm), /reload.

Authority is checked on every command and every button press (staff group + staff member),
never inferred from callback data.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from tipbot import texts
from tipbot.core.callbacks import BROADCAST_PREFIX
from tipbot.core.db.models import Broadcast
from tipbot.core.ids import parse_id
from tipbot.core.runtime import Context, run_at_start
from tipbot.staff import broadcast
from tipbot.staff.library import reload_library
from tipbot.staff.stats import Stats, gather_stats

log = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 20


async def _is_staff_here(update: Update, context: Context) -> bool:
    deps = context.deps
    chat, user = update.effective_chat, update.effective_user
    return bool(
        chat
        and user
        and deps.staff.is_staff_chat(chat.id)
        and await deps.staff.is_staff(context.bot, user.id)
    )


async def _refuse(update: Update) -> None:
    log.info(
        "staff tool refused user_id=%s chat_id=%s",
        update.effective_user and update.effective_user.id,
        update.effective_chat and update.effective_chat.id,
    )
    if update.callback_query:
        await update.callback_query.answer(texts.STAFF_ONLY, show_alert=True)
    else:
        await update.effective_message.reply_text(texts.STAFF_ONLY)


# ----------------------------------------------------------------------------- /stats


def _counts(counts: dict[str, int]) -> str:
    if not counts:
        return texts.STATS_NONE
    return ", ".join(f"{html.escape(key)} {value:,}" for key, value in sorted(counts.items()))


def _duration(value: timedelta | None) -> str:
    if value is None:
        return texts.STATS_NONE
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def render_stats(stats: Stats) -> str:
    sources = {(source or texts.STATS_DIRECT): count for source, count in stats.sources}
    votes = "\n".join(
        texts.STATS_VOTE_LINE.format(topic=html.escape(v.topic), up=v.up, down=v.down)
        for v in stats.votes_by_topic
    )
    least_liked = "\n".join(
        texts.STATS_TIP_LINE.format(tip=html.escape(t.tip_id), up=t.up, down=t.down)
        for t in stats.least_liked
    )
    return texts.STATS.format(
        subscribers=_counts(stats.subscribers),
        new_this_week=f"{stats.new_this_week:,}",
        sources=_counts(sources),
        tips_sent=f"{stats.tips_sent_week:,}",
        tips_unknown=f"{stats.tips_unknown_week:,}",
        votes=votes or f"  {texts.STATS_NONE}",
        least_liked=least_liked or f"  {texts.STATS_NONE}",
        requests=_counts(stats.requests),
        median_claim=_duration(stats.median_time_to_claim),
    )


async def stats_command(update: Update, context: Context) -> None:
    if not await _is_staff_here(update, context):
        await _refuse(update)
        return
    deps = context.deps
    async with deps.db.session() as session:
        stats = await gather_stats(session, deps.clock.now())
    text = render_stats(stats)
    if deps.staff.moved_to is not None:  # until the operator updates the environment
        text += texts.STATS_STAFF_CHAT_MOVED.format(
            old=deps.settings.staff_chat_id, new=deps.staff.moved_to
        )
    await update.effective_message.reply_text(text)


# ----------------------------------------------------------------------------- /broadcast


_COMMAND_AND_SPACE = re.compile(r"\S*\s*")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _announcement(update: Update) -> tuple[str, int]:
    """The text after the command as Telegram HTML, keeping the staff member's formatting,
    and its length in characters. PTB renders the HTML from the entities clipped to that
    text (their offsets are UTF-16 units): cutting ``text_html`` itself would split a tag
    that spans the command (a message sent all bold) and leave invalid HTML."""
    message = update.effective_message
    text = message.text or ""
    head = _COMMAND_AND_SPACE.match(text).end()
    rest = text[head:].rstrip()
    start = _utf16_len(text[:head])
    end = start + _utf16_len(rest)
    entities = []
    for entity in message.entities:
        low, high = max(entity.offset, start), min(entity.offset + entity.length, end)
        if high > low:
            clipped = {**entity.to_dict(), "offset": low - start, "length": high - low}
            entities.append(MessageEntity.de_json(clipped, message.get_bot()))
    part = Message(message.message_id, message.date, message.chat, text=rest, entities=entities)
    return part.text_html, len(rest)


async def broadcast_command(update: Update, context: Context) -> None:
    if not await _is_staff_here(update, context):
        await _refuse(update)
        return
    text, length = _announcement(update)
    message = update.effective_message
    if not text:
        await message.reply_text(texts.BROADCAST_USAGE)
        return
    if length > broadcast.MAX_TEXT_LENGTH:
        await message.reply_text(
            texts.BROADCAST_TOO_LONG.format(length=length, limit=broadcast.MAX_TEXT_LENGTH)
        )
        return
    deps = context.deps
    async with deps.db.session() as session:
        draft = await broadcast.create_draft(
            session, text, update.effective_user.id, deps.clock.now()
        )
    if draft.total == 0:
        await message.reply_text(texts.BROADCAST_NO_RECIPIENTS)
        return
    count = f"{draft.total:,}"
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_BROADCAST_SEND.format(count=count),
                    callback_data=f"{BROADCAST_PREFIX}:send:{draft.id}",
                ),
                InlineKeyboardButton(
                    texts.BUTTON_BROADCAST_CANCEL,
                    callback_data=f"{BROADCAST_PREFIX}:cancel:{draft.id}",
                ),
            ]
        ]
    )
    await message.reply_text(
        texts.BROADCAST_PREVIEW.format(count=count, text=text),
        reply_markup=keyboard,
    )
    log.info("broadcast draft id=%s by user_id=%s", draft.id, update.effective_user.id)


async def broadcast_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if not await _is_staff_here(update, context):
        await _refuse(update)
        return
    _, action, raw_id = query.data.split(":")
    broadcast_id = parse_id(raw_id, Broadcast.id)
    if broadcast_id is None:
        await query.answer(texts.BROADCAST_NOT_A_DRAFT, show_alert=True)
        return
    deps = context.deps
    async with deps.db.session() as session:
        if action == "send":
            done = await broadcast.confirm(session, broadcast_id, update.effective_chat.id)
        else:
            done = await broadcast.cancel(session, broadcast_id)
    if not done:
        await query.answer(texts.BROADCAST_NOT_A_DRAFT, show_alert=True)
        return
    if action == "send":
        await query.answer(texts.BROADCAST_SENDING_ALERT)
        await query.edit_message_reply_markup(None)
        log.info("broadcast id=%s confirmed by user_id=%s", broadcast_id, query.from_user.id)
        broadcast.start_worker(context.application, broadcast_id)
    else:
        await query.answer()
        await query.edit_message_text(texts.BROADCAST_CANCELLED)


# ----------------------------------------------------------------------------- /reload


async def reload_command(update: Update, context: Context) -> None:
    if not await _is_staff_here(update, context):
        await _refuse(update)
        return
    result = await reload_library(context.deps)
    if result.ok:
        reply = texts.RELOAD_OK.format(
            tips=len(result.library.tips), topics=len(result.library.topics)
        )
    else:
        shown = result.problems[:MAX_PROBLEMS_SHOWN]
        if len(result.problems) > len(shown):
            shown.append(f"… and {len(result.problems) - len(shown)} more")
        problems = "\n".join(f"• {html.escape(problem)}" for problem in shown)
        reply = texts.RELOAD_FAILED.format(problems=problems)
    await update.effective_message.reply_text(reply)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("stats", stats_command))
    application.add_handler(CommandHandler("broadcast", broadcast_command))
    application.add_handler(CommandHandler("reload", reload_command))
    application.add_handler(
        CallbackQueryHandler(broadcast_button, pattern=rf"^{BROADCAST_PREFIX}:(send|cancel):\d+$")
    )
    run_at_start(application.job_queue, broadcast.resume_broadcasts, name="resume-broadcasts")
