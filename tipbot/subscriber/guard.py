"""Before any handler: flood control; and subscription commands sent in group chats."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CommandHandler, TypeHandler, filters

from tipbot import texts
from tipbot.commands import group_redirected
from tipbot.core.runtime import Context, Deps
from tipbot.core.staff import StaffChat
from tipbot.subscriber.floodguard import FloodGuard, Verdict

log = logging.getLogger(__name__)

GROUP_DEEP_LINK_PAYLOAD = "group"


def make_flood_control(guard: FloodGuard):
    async def flood_control(update: Update, context: Context) -> None:
        """Count the person's messages and button presses; drop the excess (staff exempt),
        except messages for the clinic's team: those are never lost."""
        user, chat = update.effective_user, update.effective_chat
        # Only what a person sends counts: membership updates (a block) must never be lost.
        if update.message is None and update.callback_query is None:
            return
        if user is None or context.deps.staff.is_staff_chat(chat.id if chat else None):
            return
        verdict = guard.check(user.id, context.deps.clock.now())
        if verdict is Verdict.ALLOW:
            return
        if await _writes_to_clinic(update, context):
            # Never dropped: it goes through the outbox, which sends at the staff group's pace.
            if verdict is Verdict.WARN:
                await context.bot.send_message(
                    chat.id, texts.SLOW_DOWN_CLINIC.render(context.language)
                )
            return
        if verdict is Verdict.WARN:
            log.info("flood control: muting user_id=%s", user.id)
        query = update.callback_query
        if query is not None:
            await query.answer(texts.SLOW_DOWN.render(context.language))
        elif verdict is Verdict.WARN and chat is not None and chat.type == chat.PRIVATE:
            await context.bot.send_message(chat.id, texts.SLOW_DOWN.render(context.language))
        raise ApplicationHandlerStop

    return flood_control


async def _writes_to_clinic(update: Update, context: Context) -> bool:
    """A message (not a command) from someone whose consultation request is open: it is for
    the clinic's team. Asked only over the limit, so the database is not hit per message."""
    message, chat = update.message, update.effective_chat
    if message is None or chat is None or chat.type != chat.PRIVATE:
        return False
    if message.text is not None and message.text.startswith("/"):
        return False
    async with context.deps.db.session() as session:
        for check in context.deps.writes_to_clinic:  # the consultation area's, in practice
            if await check(session, update.effective_user.id):
                return True
    return False


async def private_chat_only(update: Update, context: Context) -> None:
    """Settings are personal: point group members to a private chat, never subscribe a group."""
    link = f"https://t.me/{context.bot.username}?start={GROUP_DEEP_LINK_PAYLOAD}"
    await update.effective_message.reply_text(
        texts.PRIVATE_CHAT_ONLY.render(context.language, link=link)
    )


def flood_handler(deps: Deps) -> BaseHandler:
    """``HandlerGroup.FLOOD``: every update, after the language is known."""
    return TypeHandler(Update, make_flood_control(FloodGuard(deps.settings.user_rate_per_minute)))


def group_redirect_handler(deps: Deps) -> BaseHandler:
    """The private commands sent in a group (not the staff group): point to a private chat."""
    groups = filters.ChatType.GROUPS
    if deps.settings.staff_chat_id is not None:
        groups = groups & ~StaffChat(deps.staff)
    return CommandHandler(group_redirected(deps.library), private_chat_only, filters=groups)
