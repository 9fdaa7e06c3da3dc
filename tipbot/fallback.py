"""What the bot says to anything no other handler took: never silence, never an echo."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from tipbot import texts
from tipbot.core.runtime import Context


async def unknown_command(update: Update, context: Context) -> None:
    command = (update.effective_message.text or "").split()[0].split("@")[0]
    await update.effective_message.reply_text(
        texts.UNKNOWN_COMMAND.render(context.language, command=html.escape(command))
    )


async def free_text(update: Update, context: Context) -> None:
    await update.effective_message.reply_text(texts.FREE_TEXT.render(context.language))


async def unknown_button(update: Update, context: Context) -> None:
    """A button no handler knows (forged, or from an older version): answer, never hang."""
    await update.callback_query.answer(texts.BUTTON_NOT_VALID.render(context.language))


def fallback_handlers() -> list[BaseHandler]:
    """Last in ``HandlerGroup.AREAS``: what no other handler took."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & ~filters.COMMAND & filters.UpdateType.MESSAGE, free_text),
        CallbackQueryHandler(unknown_button),
    ]
