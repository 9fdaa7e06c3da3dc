"""Staff tools in the staff group: /broadcast (preview → confirm), /reload (/stats: ``stats``).

Authority is checked on every command and every button press (``staff_only``: staff group +
staff member), never inferred from callback data. Everything here is written in the staff
language.
"""

from __future__ import annotations

import html
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from tipbot import i18n, texts
from tipbot.core.callbacks import BroadcastAction
from tipbot.core.runtime import Context
from tipbot.core.staff import staff_only
from tipbot.staff import broadcast
from tipbot.staff.library import reload_library

log = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 20


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


@staff_only
async def broadcast_command(update: Update, context: Context) -> None:
    text, length = _announcement(update)
    message = update.effective_message
    if not text:
        await message.reply_text(texts.BROADCAST_USAGE.render(i18n.staff_language()))
        return
    if length > broadcast.MAX_TEXT_LENGTH:
        await message.reply_text(
            texts.BROADCAST_TOO_LONG.render(
                i18n.staff_language(), length=length, limit=broadcast.MAX_TEXT_LENGTH
            )
        )
        return
    deps = context.deps
    async with deps.db.session() as session:
        draft = await broadcast.create_draft(
            session, text, update.effective_user.id, deps.clock.now()
        )
    if draft.total == 0:
        await message.reply_text(texts.BROADCAST_NO_RECIPIENTS.render(i18n.staff_language()))
        return
    count = f"{draft.total:,}"
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_BROADCAST_SEND.render(i18n.staff_language(), count=count),
                    callback_data=BroadcastAction("send", draft.id).pack(),
                ),
                InlineKeyboardButton(
                    texts.BUTTON_BROADCAST_CANCEL.render(i18n.staff_language()),
                    callback_data=BroadcastAction("cancel", draft.id).pack(),
                ),
            ]
        ]
    )
    await message.reply_text(
        texts.BROADCAST_PREVIEW.render(i18n.staff_language(), count=count, text=text),
        reply_markup=keyboard,
    )
    log.info("broadcast draft id=%s by user_id=%s", draft.id, update.effective_user.id)


@staff_only
async def broadcast_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = BroadcastAction.parse(query.data)
    if button is None:
        await query.answer(
            texts.BROADCAST_NOT_A_DRAFT.render(i18n.staff_language()), show_alert=True
        )
        return
    action, broadcast_id, deps = button.action, button.broadcast_id, context.deps
    async with deps.db.session() as session:
        if action == "send":
            done = await broadcast.confirm(session, broadcast_id, update.effective_chat.id)
        else:
            done = await broadcast.cancel(session, broadcast_id)
    if not done:
        await query.answer(
            texts.BROADCAST_NOT_A_DRAFT.render(i18n.staff_language()), show_alert=True
        )
        return
    if action == "send":
        await query.answer(texts.BROADCAST_SENDING_ALERT.render(i18n.staff_language()))
        await query.edit_message_reply_markup(None)
        log.info("broadcast id=%s confirmed by user_id=%s", broadcast_id, query.from_user.id)
        broadcast.start_worker(context.application, broadcast_id)
    else:
        await query.answer()
        await query.edit_message_text(texts.BROADCAST_CANCELLED.render(i18n.staff_language()))


# ----------------------------------------------------------------------------- /reload


@staff_only
async def reload_command(update: Update, context: Context) -> None:
    result = await reload_library(context.deps)
    if result.ok:
        reply = texts.RELOAD_OK.render(
            i18n.staff_language(), tips=len(result.library.tips), topics=len(result.library.topics)
        )
    else:
        shown = result.problems[:MAX_PROBLEMS_SHOWN]
        if len(result.problems) > len(shown):
            shown.append(f"… and {len(result.problems) - len(shown)} more")
        problems = "\n".join(f"• {html.escape(problem)}" for problem in shown)
        reply = texts.RELOAD_FAILED.render(i18n.staff_language(), problems=problems)
    await update.effective_message.reply_text(reply)


def button_handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(broadcast_button, pattern=BroadcastAction.pattern())]
