"""Which language each update is answered in, and /language to change it.

Before any other handler (``HandlerGroup.LANGUAGE``, so even "slow down" is in the person's
language) ``context.language`` is set for the update: the staff group speaks
``TIPBOT_STAFF_LANGUAGE``; a person speaks their stored language, or, before anything is
stored about them, what their Telegram app says (``language_code``). Replies to the person
render in it; staff-side output never does (it names the staff language itself).
"""

from __future__ import annotations

import html

from sqlalchemy import bindparam, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, TypeHandler

from tipbot import i18n, texts
from tipbot.core.callbacks import ChooseLanguage
from tipbot.core.db.models import Subscriber
from tipbot.core.runtime import Context, Deps
from tipbot.subscriber.service import person_for_on_demand, set_language

# Built once: this runs for every update of every person.
_STORED_LANGUAGE = select(Subscriber.language).where(Subscriber.user_id == bindparam("user_id"))


async def stored_language(deps: Deps, user_id: int) -> str | None:
    """One primary-key read outside any transaction: it never waits for the writers."""
    async with deps.db.read() as connection:
        return await connection.scalar(_STORED_LANGUAGE, {"user_id": user_id})


async def speak_their_language(update: Update, context: Context) -> None:
    """Set the language this update is answered in (its own context: nothing leaks)."""
    deps, chat, user = context.deps, update.effective_chat, update.effective_user
    if chat is not None and deps.staff.is_staff_chat(chat.id):
        context.language = i18n.staff_language()
    elif user is not None:
        private = chat is None or chat.type == chat.PRIVATE  # groups: no row to look up
        stored = await stored_language(deps, user.id) if private else None
        context.language = i18n.resolve(stored or user.language_code)


async def choose_language(deps: Deps, user_id: int, code: str, telegram_code: str | None) -> str:
    """Store the person's language (a row is made for it if they have none); returns it."""
    async with deps.db.session() as session:
        subscriber = await person_for_on_demand(
            session,
            user_id,
            settings=deps.settings,
            library=deps.library,
            now=deps.clock.now(),
            language_code=telegram_code,
        )
        return set_language(subscriber, code)


def language_keyboard() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(i18n.language_name(code), callback_data=ChooseLanguage(code).pack())
        for code in i18n.languages()
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def known_language(text: str) -> str | None:
    """The language a person typed (``es``, ``ES``, ``español``, ``Spanish``), if the bot has it."""
    wanted = text.strip().lower()
    for code in i18n.languages():
        names = {code.lower(), i18n.language_name(code).lower()}
        names.add(i18n.babel_locale(code).get_display_name("en").lower())
        if wanted in names:
            return code
    return None


async def language_command(update: Update, context: Context) -> None:
    message, language = update.effective_message, context.language
    if not context.args:
        await message.reply_text(
            texts.LANGUAGE_PROMPT.render(language, language=i18n.language_name(language)),
            reply_markup=language_keyboard(),
        )
        return
    typed = " ".join(context.args)
    code = known_language(typed)
    if code is None:
        await message.reply_text(
            texts.LANGUAGE_UNKNOWN.render(language, text=html.escape(typed[:32])),
            reply_markup=language_keyboard(),
        )
        return
    language = await _switch(update, context, code)
    await message.reply_text(texts.LANGUAGE_SET.render(language, language=i18n.language_name(code)))


async def language_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = ChooseLanguage.parse(query.data)
    code = button.code if button else None
    if code not in i18n.languages():
        await query.answer(texts.BUTTON_NOT_VALID.render(context.language))
        return
    language = await _switch(update, context, code)
    await query.answer()
    await query.edit_message_text(
        texts.LANGUAGE_SET.render(language, language=i18n.language_name(code))
    )


async def _switch(update: Update, context: Context, code: str) -> str:
    """Store the new language; the rest of this update answers in it too."""
    user = update.effective_user
    stored = await choose_language(context.deps, user.id, code, user.language_code)
    context.language = i18n.resolve(stored)
    return context.language


def language_handler() -> BaseHandler:
    """``HandlerGroup.LANGUAGE``: every update, before anything answers it."""
    return TypeHandler(Update, speak_their_language)


def button_handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(language_button, pattern=ChooseLanguage.pattern())]
