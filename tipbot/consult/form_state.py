"""Where a consultation form stands: its steps, the draft's keys in the update's context,
and the helpers every step shares. The draft itself is a database row
(:mod:`tipbot.consult.drafts`), so the next answer continues it on any replica.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import (
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.ext import (
    ConversationHandler,
    filters,
)

from tipbot.consult.service import (
    FormAnswers,
    open_request_of,
)
from tipbot.core.db.models import ConsultRequest
from tipbot.core.runtime import Context

NAME, CONTACT, EMAIL, TIME, TOPIC, NOTE, CONSENT, CONFIRM = range(8)


END = ConversationHandler.END


STEP_NAMES = {
    NAME: "name",
    CONTACT: "contact",
    EMAIL: "email",
    TIME: "time",
    TOPIC: "topic",
    NOTE: "note",
    CONSENT: "consent",
    CONFIRM: "confirm",
}


# The draft of the update being handled (read from the database, written back after it).
FORM_KEY = "consult_form"


ENTRY_KEY = "consult_entry"


VERSION_KEY = "consult_draft_version"


DEEP_LINK_SOURCE = "consult-link"  # source of a deep-link visitor without a campaign


TEXT = filters.TEXT & ~filters.COMMAND


NOT_A_COMMAND = filters.ALL & ~filters.COMMAND


Step = Callable[[Update, Context], Awaitable[int]]


def form_of(context: Context) -> FormAnswers:
    return context.user_data.setdefault(FORM_KEY, FormAnswers())


def reply_keyboard(rows: list[list[str | KeyboardButton]]) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def clear_form(context: Context) -> None:
    context.user_data.pop(FORM_KEY, None)
    context.user_data.pop(ENTRY_KEY, None)
    context.user_data.pop(VERSION_KEY, None)


async def open_request(context: Context, user_id: int) -> ConsultRequest | None:
    async with context.deps.db.session() as session:
        return await open_request_of(session, user_id)
