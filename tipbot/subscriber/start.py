"""/start (with deep-link payloads) and /help."""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from tipbot import texts
from tipbot.commands import help_lines
from tipbot.core.callbacks import OpenSetting
from tipbot.core.runtime import Context
from tipbot.core.schedule import describe_when
from tipbot.subscriber.service import (
    SubscribeOutcome,
    format_time,
    subscribe,
)

_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def campaign_source(args: list[str]) -> str | None:
    """The deep-link payload as a campaign source, or None when absent or malformed."""
    if len(args) != 1 or not _PAYLOAD.match(args[0]) or args[0] == "consult":
        return None
    return args[0]


def settings_keyboard(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_SET_TIME.render(language), callback_data=OpenSetting("time").pack()
                ),
                InlineKeyboardButton(
                    texts.BUTTON_SET_TIMEZONE.render(language),
                    callback_data=OpenSetting("timezone").pack(),
                ),
                InlineKeyboardButton(
                    texts.BUTTON_SET_TOPICS.render(language),
                    callback_data=OpenSetting("topics").pack(),
                ),
            ],
            [
                InlineKeyboardButton(
                    texts.BUTTON_SET_DAYS.render(language), callback_data=OpenSetting("days").pack()
                )
            ],
        ]
    )


async def start(update: Update, context: Context) -> None:
    deps = context.deps
    user = update.effective_user
    now = deps.clock.now()
    async with deps.db.session() as session:
        result = await subscribe(
            session,
            user.id,
            settings=deps.settings,
            library=deps.library,
            now=now,
            source=campaign_source(context.args or []),
            language_code=user.language_code,
        )
    subscriber, language = result.subscriber, context.language
    template = {
        SubscribeOutcome.NEW: texts.WELCOME.render(language),
        SubscribeOutcome.RESUBSCRIBED: texts.WELCOME_BACK.render(language),
        SubscribeOutcome.ALREADY: texts.ALREADY_SUBSCRIBED.render(language),
    }[result.outcome]
    await update.effective_message.reply_text(
        template.format(
            time=format_time(subscriber.send_time),
            timezone=html.escape(subscriber.timezone),
            when=describe_when(subscriber.next_send_at, subscriber.timezone, now, language),
        ),
        reply_markup=settings_keyboard(language),
    )


async def help_command(update: Update, context: Context) -> None:
    await update.effective_message.reply_text(
        texts.HELP.render(
            context.language, commands=help_lines(context.deps.library, context.language)
        ),
    )
