"""Tips on demand (/tip, /topic, one command per topic) and the buttons under every tip."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from tipbot import texts
from tipbot.core import metrics
from tipbot.core.callbacks import MoreTips, Vote
from tipbot.core.content import Library
from tipbot.core.runtime import Context
from tipbot.subscriber import marks
from tipbot.subscriber.ondemand_service import VoteOutcome, give_tip, record_vote
from tipbot.subscriber.picker import TOPIC_EMOJI, render_tip
from tipbot.subscriber.tip_buttons import refresh_keyboard


def topic_list_keyboard(library: Library, language: str) -> InlineKeyboardMarkup:
    """One button per topic; pressing one is the same as "Another tip" of that topic."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{TOPIC_EMOJI.get(topic.id, '💡')} {topic.title}",
                    callback_data=MoreTips(topic.id).pack(),
                )
            ]
            for topic in library.localized(language).topics.values()
        ]
    )


async def send_tip(update: Update, context: Context, topic_id: str | None) -> None:
    deps, user = context.deps, update.effective_user
    async with deps.db.session() as session:
        tip, vote, variant = await give_tip(
            session,
            user.id,
            topic_id=topic_id,
            settings=deps.settings,
            library=deps.library,
            now=deps.clock.now(),
            language_code=user.language_code,
        )
        state = await marks.tip_state(session, user.id, tip.id)
    text, keyboard = render_tip(
        deps.library,
        tip,
        context.language,
        vote=vote,
        variant=variant,
        tried=state.tried,
        saved=state.saved,
    )
    await update.effective_chat.send_message(text, reply_markup=keyboard)
    metrics.TIPS_SENT.labels(kind="on_demand").inc()


async def tip_command(update: Update, context: Context) -> None:
    await send_tip(update, context, None)


async def topic_command(update: Update, context: Context) -> None:
    """``/prebiotics`` and friends name their topic; ``/topic NAME`` names it in an argument."""
    library = context.deps.library
    command = update.effective_message.text.split()[0].split("@")[0].lstrip("/").lower()
    name = " ".join(context.args or []) if command == "topic" else command
    topic = library.topic_for_command(name) if name else None
    if topic is not None:
        await send_tip(update, context, topic.id)
        return
    language = context.language
    text = (
        texts.TOPIC_UNKNOWN.render(language, text=html.escape(name[:64]))
        if name
        else texts.TOPIC_LIST.render(language)
    )
    await update.effective_message.reply_text(
        text, reply_markup=topic_list_keyboard(library, language)
    )


async def more_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = MoreTips.parse(query.data)
    topic_id = button.topic_id if button else None
    if topic_id not in context.deps.library.topics:
        await query.answer(texts.BUTTON_NOT_VALID.render(context.language))
        return
    await query.answer()
    await send_tip(update, context, topic_id)


async def vote_button(update: Update, context: Context) -> None:
    query, deps, language = update.callback_query, context.deps, context.language
    button = Vote.parse(query.data)
    tip = deps.library.tips.get(button.tip_id) if button else None
    if tip is None:
        unknown = texts.UNKNOWN_TIP if button is not None else texts.BUTTON_NOT_VALID
        await query.answer(unknown.render(language))
        return
    vote = button.value
    async with deps.db.session() as session:
        outcome = await record_vote(session, update.effective_user.id, tip, vote)
    if outcome is VoteOutcome.NOT_KNOWN:
        await query.answer(texts.NOT_SUBSCRIBED.render(language), show_alert=True)
        return
    await query.answer(texts.VOTE_THANKS.render(language))
    if outcome is VoteOutcome.STORED:
        await refresh_keyboard(update, context, tip)


def button_handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(more_button, pattern=MoreTips.pattern()),
        CallbackQueryHandler(vote_button, pattern=Vote.pattern()),
    ]
