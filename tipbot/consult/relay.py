"""The person's side outside the form: their messages to the clinic while a request is open
(``HandlerGroup.RELAY``), and the buttons under their open request and a stale summary."""

from __future__ import annotations

from telegram import (
    Update,
)
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from tipbot import texts
from tipbot.consult import outbox
from tipbot.consult.form_runner import begin
from tipbot.consult.form_state import open_request
from tipbot.consult.media import media_of
from tipbot.consult.service import (
    cancel_request,
    relay_from_person,
)
from tipbot.core.callbacks import FormAction, RequestAction, StartConsult
from tipbot.core.runtime import Context


async def expired_form_button(update: Update, context: Context) -> None:
    """Summary buttons of a form that no longer exists (timed out, or the bot restarted)."""
    await update.callback_query.answer(
        texts.CONSULT_REQUEST_GONE.render(context.language), show_alert=True
    )


async def open_request_button(update: Update, context: Context) -> None:
    """ "Add a note" / "Cancel the request" under the person's open request."""
    query = update.callback_query
    button, deps = RequestAction.parse(query.data), context.deps
    if button is None:
        await query.answer(texts.CONSULT_REQUEST_GONE.render(context.language), show_alert=True)
        return
    action, number = button.action, button.request_id
    if action == "note":
        request = await open_request(context, update.effective_user.id)
        if request is None or request.id != number:
            await query.answer(texts.CONSULT_REQUEST_GONE.render(context.language), show_alert=True)
            return
        await query.answer()
        await update.effective_chat.send_message(texts.CONSULT_ADD_NOTE.render(context.language))
        return
    async with deps.db.session() as session:
        request = await cancel_request(
            session, number, update.effective_user.id, now=deps.clock.now()
        )
    if request is None:
        await query.answer(texts.CONSULT_REQUEST_GONE.render(context.language), show_alert=True)
        return
    outbox.kick(context.application)
    await query.answer()
    await query.edit_message_text(
        texts.CONSULT_REQUEST_CANCELLED.render(context.language, number=request.id)
    )


async def relay(update: Update, context: Context) -> None:
    """While a request is open, the person's messages (text, photos, voice notes, …) go to
    the staff thread; kinds that cannot travel get a clear answer, never silence."""
    deps = context.deps
    message, user_id = update.effective_message, update.effective_user.id
    media = media_of(message)
    if media is None and message.text is None:  # a poll, a contact, a dice, …
        if await open_request(context, user_id) is not None:
            await update.effective_chat.send_message(
                texts.CONSULT_UNSUPPORTED_KIND.render(context.language)
            )
            raise ApplicationHandlerStop
        relayed = None
    else:
        async with deps.db.session() as session:
            relayed = await relay_from_person(
                session, user_id, message.text, now=deps.clock.now(), media=media
            )
    if relayed is None:  # no open request: the other areas answer it (a location sets
        return  # the time zone, anything else gets the fallback's reply)
    if relayed.blocked:  # told once, politely; then their messages stay unanswered
        if relayed.tell_blocked:
            await update.effective_chat.send_message(texts.CONSULT_BLOCKED.render(context.language))
        raise ApplicationHandlerStop
    outbox.kick(context.application)
    if relayed.first:
        await update.effective_chat.send_message(
            texts.CONSULT_RELAY_NOTICE.render(context.language, number=relayed.request_id)
        )
    raise ApplicationHandlerStop


def relay_handler() -> MessageHandler:
    """Every private message but commands and service messages, in ``HandlerGroup.RELAY``: before
    the other areas (group 0), which answer it when the person has no open request (the
    settings area's shared-location handler, the fallback)."""
    private = filters.ChatType.PRIVATE
    content = ~filters.COMMAND & ~filters.StatusUpdate.ALL
    return MessageHandler(private & content & filters.UpdateType.MESSAGE, relay)


def person_handlers() -> list[BaseHandler]:
    """The button under every tip, and those under the person's open request or summary."""
    return [
        # Before RequestAction, whose prefix ("consult") also begins this button's data.
        CallbackQueryHandler(begin, pattern=StartConsult.parse),
        CallbackQueryHandler(open_request_button, pattern=RequestAction.pattern()),
        CallbackQueryHandler(expired_form_button, pattern=FormAction.pattern()),
    ]
