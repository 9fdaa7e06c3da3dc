"""Linking the staff group: /chatid, and what the bot says when it is added to a group.

Finding a group's id is the step operators get stuck on, so the bot tells it: in the log
whenever it joins a group, and in the group itself when the person who added it is staff
(``TIPBOT_STAFF_USER_IDS``) or no staff group is configured yet, with the exact line to put
in the configuration. Elsewhere it stays quiet.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ChatMemberHandler

from tipbot import i18n, texts
from tipbot.core.config import Settings
from tipbot.core.runtime import Context

log = logging.getLogger(__name__)

_ABSENT = {ChatMember.LEFT, ChatMember.BANNED}


async def chatid_command(update: Update, context: Context) -> None:
    """In a group, for whoever sets the clinic up: the staff language; else the person's."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type == ChatType.PRIVATE:
        text = texts.CHATID_PRIVATE.render(context.language, user_id=user.id)
    else:
        text = texts.CHATID_GROUP.render(i18n.staff_language(), chat_id=chat.id)
    await update.effective_message.reply_text(text)


def joined(update: Update) -> bool:
    """True when this ``my_chat_member`` update is the bot arriving in a group."""
    change = update.my_chat_member
    return (
        change.chat.type != ChatType.PRIVATE
        and change.old_chat_member.status in _ABSENT
        and change.new_chat_member.status not in _ABSENT
    )


def greeting(settings: Settings, chat_id: int, added_by: int | None) -> str | None:
    """What to say in a group the bot was just added to (None: stay quiet); in the staff
    language, since it is addressed to the clinic setting the bot up."""
    language = i18n.staff_language()
    if chat_id == settings.staff_chat_id:
        return texts.GROUP_ADDED_STAFF.render(language)
    if settings.staff_chat_id is None or added_by in settings.staff_user_ids:
        return texts.GROUP_ADDED_CONFIGURE.render(language, chat_id=chat_id)
    return None


async def on_added_to_group(update: Update, context: Context) -> None:
    if not joined(update):
        return
    change = update.my_chat_member
    chat, added_by = change.chat, change.from_user.id if change.from_user else None
    log.info(
        "added to group %r by user_id=%s; to make it the staff group: TIPBOT_STAFF_CHAT_ID=%s",
        chat.title,
        added_by,
        chat.id,
    )
    text = greeting(context.deps.settings, chat.id, added_by)
    if text is None:
        return
    try:
        await context.bot.send_message(chat.id, text)
    except TelegramError as exc:  # e.g. members may not post: the log line above still helps
        log.warning("could not greet group chat_id=%s: %s", chat.id, exc)


def joined_group_handler() -> BaseHandler:
    """``HandlerGroup.MEMBERSHIP``: the bot added to a group."""
    return ChatMemberHandler(on_added_to_group, ChatMemberHandler.MY_CHAT_MEMBER)
