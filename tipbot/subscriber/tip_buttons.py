"""The buttons under a tip besides 👍/👎: "✅ I tried it", "⭐ Save", "⏰ Later" and its
choices, and ``/saved``. The logic is ``marks.py``; this only reads buttons and answers."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from tipbot import texts
from tipbot.core.callbacks import Later, Save, SavedPage, SnoozeFor, Tried
from tipbot.core.content import Library, Tip
from tipbot.core.runtime import Context
from tipbot.subscriber import marks
from tipbot.subscriber.marks import SnoozeOutcome, TipState
from tipbot.subscriber.picker import TOPIC_EMOJI, tip_keyboard


def has_later(message: Message | None) -> bool:
    """Whether the tip's message still offers "⏰ Later" (a daily tip not yet moved)."""
    markup = message.reply_markup if message else None
    return markup is not None and any(
        Later.parse(button.callback_data) or SnoozeFor.parse(button.callback_data)
        for row in markup.inline_keyboard
        for button in row
    )


def keyboard_for(tip: Tip, language: str, state: TipState, later: bool) -> InlineKeyboardMarkup:
    return tip_keyboard(
        tip, language, vote=state.vote, later=later, tried=state.tried, saved=state.saved
    )


async def refresh_keyboard(update: Update, context: Context, tip: Tip) -> None:
    """Show the person's marks on the tip, keeping "⏰ Later" where it was."""
    query = update.callback_query
    async with context.deps.db.session() as session:
        state = await marks.tip_state(session, update.effective_user.id, tip.id)
    await query.edit_message_reply_markup(
        keyboard_for(tip, context.language, state, has_later(query.message))
    )


def _tip_of(context: Context, tip_id: str | None) -> Tip | None:
    return context.deps.library.tips.get(tip_id) if tip_id else None


async def _unknown(update: Update, context: Context, parsed: object) -> None:
    unknown = texts.UNKNOWN_TIP if parsed is not None else texts.BUTTON_NOT_VALID
    await update.callback_query.answer(unknown.render(context.language))


async def tried_button(update: Update, context: Context) -> None:
    query, deps, language = update.callback_query, context.deps, context.language
    button = Tried.parse(query.data)
    tip = _tip_of(context, button.tip_id if button else None)
    if tip is None:
        await _unknown(update, context, button)
        return
    async with deps.db.session() as session:
        ticked = await marks.toggle_tried(session, update.effective_user.id, tip, deps.clock.now())
    if ticked is None:
        await query.answer(texts.NOT_SUBSCRIBED.render(language), show_alert=True)
        return
    await query.answer((texts.TRIED_THANKS if ticked else texts.TRIED_UNDONE).render(language))
    await refresh_keyboard(update, context, tip)


async def save_button(update: Update, context: Context) -> None:
    query, deps, language = update.callback_query, context.deps, context.language
    button = Save.parse(query.data)
    tip = _tip_of(context, button.tip_id if button else None)
    if tip is None:
        await _unknown(update, context, button)
        return
    async with deps.db.session() as session:
        saved = await marks.toggle_saved(session, update.effective_user.id, tip, deps.clock.now())
    if saved is None:
        await query.answer(texts.NOT_SUBSCRIBED.render(language), show_alert=True)
        return
    await query.answer((texts.SAVED_NOTE if saved else texts.UNSAVED_NOTE).render(language))
    await refresh_keyboard(update, context, tip)


def snooze_keyboard(tip: Tip, language: str) -> InlineKeyboardMarkup:
    choices = [
        (texts.BUTTON_SNOOZE_1H, "1h"),
        (texts.BUTTON_SNOOZE_3H, "3h"),
        (texts.BUTTON_SNOOZE_EVENING, "evening"),
    ]
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label.render(language), callback_data=SnoozeFor(choice, tip.id).pack()
                )
                for label, choice in choices
            ],
            [
                InlineKeyboardButton(
                    texts.BUTTON_SNOOZE_BACK.render(language),
                    callback_data=SnoozeFor("back", tip.id).pack(),
                )
            ],
        ]
    )


async def later_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = Later.parse(query.data)
    tip = _tip_of(context, button.tip_id if button else None)
    if tip is None:
        await _unknown(update, context, button)
        return
    await query.answer(texts.SNOOZE_PROMPT.render(context.language))
    await query.edit_message_reply_markup(snooze_keyboard(tip, context.language))


def local_time(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%H:%M")


async def snooze_button(update: Update, context: Context) -> None:
    query, deps, language = update.callback_query, context.deps, context.language
    button = SnoozeFor.parse(query.data)
    tip = _tip_of(context, button.tip_id if button else None)
    if tip is None:
        await _unknown(update, context, button)
        return
    if button.choice == "back":
        await query.answer()
        await refresh_keyboard(update, context, tip)
        return
    async with deps.db.session() as session:
        result = await marks.snooze(
            session, update.effective_user.id, tip.id, button.choice, deps.clock.now()
        )
    refusal = {
        SnoozeOutcome.ONCE: texts.SNOOZE_ONCE,
        SnoozeOutcome.TOO_LATE: texts.SNOOZE_TOO_LATE,
        SnoozeOutcome.NOT_TODAY: texts.SNOOZE_NOT_TODAY,
        SnoozeOutcome.NOT_SUBSCRIBED: texts.NOT_SUBSCRIBED,
    }.get(result.outcome)
    if refusal is not None:
        await query.answer(refusal.render(language), show_alert=True)
        return
    await query.answer()
    # The message becomes the promise; the same tip comes again then, without "⏰ Later".
    await query.edit_message_text(
        texts.SNOOZED.render(language, time=local_time(result.at, result.timezone))
    )


# ----------------------------------------------------------------------------- /saved


def saved_text(page: marks.SavedPage, library: Library, language: str) -> str:
    localized = library.localized(language)
    items = []
    for tip in page.tips:
        shown = localized.tips.get(tip.id, tip)
        reference = localized.reference_of(shown)
        items.append(
            texts.SAVED_ITEM.render(
                language,
                emoji=TOPIC_EMOJI.get(tip.topic, "💡"),
                text=html.escape(shown.text),
                url=html.escape(reference.url, quote=True),
                source=html.escape(reference.short),
            )
        )
    first = page.page * marks.SAVED_PAGE_SIZE + 1
    return texts.SAVED_PAGE.render(
        language,
        first=first,
        last=first + len(page.tips) - 1,
        total=page.total,
        tips="\n\n".join(items),
    )


def saved_keyboard(page: marks.SavedPage, language: str) -> InlineKeyboardMarkup | None:
    buttons = []
    if page.page > 0:
        buttons.append(
            InlineKeyboardButton(
                texts.BUTTON_NEWER.render(language), callback_data=SavedPage(page.page - 1).pack()
            )
        )
    if page.has_older and page.page + 1 < 100:
        buttons.append(
            InlineKeyboardButton(
                texts.BUTTON_OLDER.render(language), callback_data=SavedPage(page.page + 1).pack()
            )
        )
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def _saved(context: Context, user_id: int, page: int) -> marks.SavedPage:
    async with context.deps.db.session() as session:
        return await marks.saved_page(session, user_id, context.deps.library, page)


async def saved_command(update: Update, context: Context) -> None:
    language = context.language
    page = await _saved(context, update.effective_user.id, 0)
    if not page.total:
        await update.effective_message.reply_text(texts.SAVED_NONE.render(language))
        return
    await update.effective_message.reply_text(
        saved_text(page, context.deps.library, language),
        reply_markup=saved_keyboard(page, language),
    )


async def saved_page_button(update: Update, context: Context) -> None:
    query, language = update.callback_query, context.language
    button = SavedPage.parse(query.data)
    if button is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(language))
        return
    page = await _saved(context, update.effective_user.id, button.page)
    await query.answer()
    if not page.total:
        await query.edit_message_text(texts.SAVED_NONE.render(language))
        return
    await query.edit_message_text(
        saved_text(page, context.deps.library, language),
        reply_markup=saved_keyboard(page, language),
    )


def button_handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(tried_button, pattern=Tried.pattern()),
        CallbackQueryHandler(save_button, pattern=Save.pattern()),
        CallbackQueryHandler(later_button, pattern=Later.pattern()),
        CallbackQueryHandler(snooze_button, pattern=SnoozeFor.pattern()),
        CallbackQueryHandler(saved_page_button, pattern=SavedPage.pattern()),
    ]
