"""The last line of defence: log the error (ids only) and tell the person, never silence."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, NetworkError, TelegramError

from tipbot import texts
from tipbot.core.runtime import Context

log = logging.getLogger(__name__)


def already_shown(error: object) -> bool:
    """An edit to what the message already shows (a button pressed on a message that an
    earlier press, or a forged one, already changed): nothing went wrong for anyone."""
    return isinstance(error, BadRequest) and "message is not modified" in str(error).lower()


async def on_error(update: object, context: Context) -> None:
    chat_id = user_id = None
    if isinstance(update, Update):
        chat_id = update.effective_chat.id if update.effective_chat else None
        user_id = update.effective_user.id if update.effective_user else None
    if already_shown(context.error):
        log.info("edit changed nothing update_id=%s", getattr(update, "update_id", None))
        return
    # Only ids and the exception: update payloads carry names and message texts.
    # Telegram unreachable is not a bug: the transport counts it, a traceback adds nothing.
    error = context.error
    outage = isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    log.log(
        logging.WARNING if outage else logging.ERROR,
        "handler failed update_id=%s chat_id=%s user_id=%s%s",
        getattr(update, "update_id", None),
        chat_id,
        user_id,
        f": Bot API unreachable ({error})" if outage else "",
        exc_info=None if outage else error,
    )
    if chat_id is None:
        return
    try:
        if isinstance(update, Update) and update.callback_query:
            await update.callback_query.answer(
                texts.ERROR_APOLOGY.render(context.language), show_alert=True
            )
        else:
            await context.bot.send_message(chat_id, texts.ERROR_APOLOGY.render(context.language))
    except TelegramError:
        log.warning("could not send the apology chat_id=%s", chat_id)
