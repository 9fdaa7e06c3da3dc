"""What the bot says to anything no other handler took: never silence, never an echo."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from tipbot import texts
from tipbot.core.runtime import Context


async def unknown_command(update: Update, _context: Context) -> None:
    command = (update.effective_message.text or "").split()[0].split("@")[0]
    await update.effective_message.reply_text(
        texts.UNKNOWN_COMMAND.format(command=html.escape(command))
    )


async def free_text(update: Update, _context: Context) -> None:
    await update.effective_message.reply_text(texts.FREE_TEXT)


async def unknown_button(update: Update, _context: Context) -> None:
    """A button no handler knows (forged, or from an older version): answer, never hang."""
    await update.callback_query.answer(texts.BUTTON_NOT_VALID)


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    application.add_handler(
        MessageHandler(private & ~filters.COMMAND & filters.UpdateType.MESSAGE, free_text)
    )
    application.add_handler(CallbackQueryHandler(unknown_button))
