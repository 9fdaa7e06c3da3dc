"""The form's answers: each is checked (bad input gets a friendly word and the question
again) and moves the form on; ``STEPS`` says what each step accepts. The request is committed
before the person is told "received"."""

from __future__ import annotations

from sqlalchemy import select
from telegram import (
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from tipbot import texts
from tipbot.consult import outbox
from tipbot.consult.cards import time_choice
from tipbot.consult.form_questions import (
    ask_consent,
    ask_contact,
    ask_email,
    ask_name,
    ask_note,
    ask_time,
    ask_topic,
    show_open_request,
    show_summary,
)
from tipbot.consult.form_state import (
    CONFIRM,
    CONSENT,
    CONTACT,
    DEEP_LINK_SOURCE,
    EMAIL,
    END,
    ENTRY_KEY,
    NAME,
    NOT_A_COMMAND,
    NOTE,
    STEP_NAMES,
    TEXT,
    TIME,
    TOPIC,
    Step,
    clear_form,
    form_of,
)
from tipbot.consult.service import (
    NAME_LIMIT,
    NOTE_LIMIT,
    TIME_LIMIT,
    create_request,
    valid_email,
)
from tipbot.core.callbacks import FormAction
from tipbot.core.db.models import Subscriber
from tipbot.core.hours import closed_notice
from tipbot.core.runtime import Context


async def _text_answer(update: Update, context: Context, limit: int) -> str | None:
    """The stripped answer, or None after telling the person what was wrong with it."""
    text = (update.effective_message.text or "").strip()
    if not text:
        await update.effective_chat.send_message(
            texts.CONSULT_EMPTY_ANSWER.render(context.language)
        )
        return None
    if len(text) > limit:
        await update.effective_chat.send_message(
            texts.CONSULT_TOO_LONG.render(context.language, limit=limit)
        )
        return None
    return text


async def got_name(update: Update, context: Context) -> int:
    name = await _text_answer(update, context, NAME_LIMIT)
    if name is None:
        return await ask_name(update, context)
    form_of(context).name = name
    return await ask_contact(update, context)


async def got_contact(update: Update, context: Context) -> int:
    contact = update.effective_message.contact
    if contact.user_id != update.effective_user.id:
        button = texts.BUTTON_CONSULT_SHARE_PHONE.render(context.language)
        await update.effective_chat.send_message(
            texts.CONSULT_NOT_OWN_CONTACT.render(context.language, button=button)
        )
        return await ask_contact(update, context)
    form = form_of(context)
    form.contact_kind, form.contact_value = "phone", contact.phone_number
    return await ask_time(update, context)


async def got_contact_text(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    form = form_of(context)
    if text == texts.BUTTON_CONSULT_EMAIL.render(context.language):
        return await ask_email(update, context)
    if text == texts.BUTTON_CONSULT_TELEGRAM.render(context.language):
        form.contact_kind, form.contact_value = "telegram", None
        return await ask_time(update, context)
    if valid_email(text):
        form.contact_kind, form.contact_value = "email", text
        return await ask_time(update, context)
    await update.effective_chat.send_message(
        texts.CONSULT_BAD_EMAIL.render(context.language)
        if "@" in text
        else texts.CONSULT_PICK_BUTTON.render(context.language)
    )
    return await ask_contact(update, context)


async def got_email(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    if not valid_email(text):
        await update.effective_chat.send_message(texts.CONSULT_BAD_EMAIL.render(context.language))
        return await ask_email(update, context)
    form = form_of(context)
    form.contact_kind, form.contact_value = "email", text
    return await ask_time(update, context)


async def got_time(update: Update, context: Context) -> int:
    answer = await _text_answer(update, context, TIME_LIMIT)
    if answer is None:
        return await ask_time(update, context)
    form_of(context).preferred_time = time_choice(answer, context.language)
    return await ask_topic(update, context)


async def got_topic(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    topics = context.deps.library.localized(context.language).topics.values()
    by_title = {topic.title: topic.id for topic in topics}
    if text != texts.BUTTON_CONSULT_OTHER_TOPIC.render(context.language) and text not in by_title:
        await update.effective_chat.send_message(texts.CONSULT_PICK_BUTTON.render(context.language))
        return await ask_topic(update, context)
    form_of(context).topic = by_title.get(text)
    return await ask_note(update, context)


async def got_note(update: Update, context: Context) -> int:
    if (update.effective_message.text or "").strip() == texts.BUTTON_CONSULT_SKIP.render(
        context.language
    ):
        form_of(context).note = None
        return await ask_consent(update, context)
    note = await _text_answer(update, context, NOTE_LIMIT)
    if note is None:
        return await ask_note(update, context)
    form_of(context).note = note
    return await ask_consent(update, context)


async def got_consent(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    if text == texts.BUTTON_CONSULT_AGREE.render(context.language):
        return await show_summary(update, context)
    if text == texts.BUTTON_CONSULT_DISAGREE.render(context.language):
        clear_form(context)
        await update.effective_chat.send_message(
            texts.CONSULT_NO_CONSENT.render(context.language), reply_markup=ReplyKeyboardRemove()
        )
        return END
    await update.effective_chat.send_message(texts.CONSULT_PICK_BUTTON.render(context.language))
    return await ask_consent(update, context)


async def repeat_summary(update: Update, context: Context) -> int:
    await update.effective_chat.send_message(texts.CONSULT_PICK_BUTTON.render(context.language))
    return await show_summary(update, context)


async def confirm(update: Update, context: Context) -> int:
    """Persist first, confirm second: "received" only once the request is committed."""
    query = update.callback_query
    await query.answer()
    await query.edit_message_reply_markup(None)
    deps = context.deps
    source = DEEP_LINK_SOURCE if context.user_data.get(ENTRY_KEY) == "link" else None
    async with deps.db.session() as session:
        request, created = await create_request(
            session,
            update.effective_user.id,
            form_of(context),
            now=deps.clock.now(),
            fallback_source=source,
        )
        zone = await session.scalar(
            select(Subscriber.timezone).where(Subscriber.user_id == update.effective_user.id)
        )
    clear_form(context)
    if not created:
        await show_open_request(update, context, request)
        return END
    outbox.kick(context.application)
    received = texts.CONSULT_RECEIVED.render(context.language, number=request.id)
    # Outside the working hours, the person learns when to expect an answer.
    zone = zone or deps.settings.default_timezone  # not subscribed: the zone they would get
    closed = closed_notice(deps.settings.business_hours, deps.clock.now(), context.language, zone)
    await update.effective_chat.send_message(received + (f"\n\n{closed}" if closed else ""))
    return END


async def edit(update: Update, context: Context) -> int:
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    return await ask_name(update, context)


async def cancel(update: Update, context: Context) -> int:
    if update.callback_query:
        await update.callback_query.answer()
        await update.callback_query.edit_message_reply_markup(None)
    clear_form(context)
    await update.effective_chat.send_message(
        texts.CONSULT_CANCELLED.render(context.language), reply_markup=ReplyKeyboardRemove()
    )
    return END


def _reask(ask: Step) -> Step:
    """For answers of the wrong kind (a sticker, a photo): say so and ask again."""

    async def reask(update: Update, context: Context) -> int:
        await update.effective_chat.send_message(
            texts.CONSULT_EMPTY_ANSWER.render(context.language)
        )
        return await ask(update, context)

    return reask


def _answer(got: Step, ask: Step) -> list[MessageHandler]:
    """A step answered in text; anything else (a sticker, a photo) gets the question again."""
    return [
        MessageHandler(TEXT, got),
        MessageHandler(NOT_A_COMMAND, _reask(ask)),
    ]


# What each step accepts; /cancel is handled in every step (``cancel_form``).
STEPS: dict[str, list[BaseHandler]] = {
    STEP_NAMES[NAME]: _answer(got_name, ask_name),
    STEP_NAMES[CONTACT]: [
        MessageHandler(filters.CONTACT, got_contact),
        *_answer(got_contact_text, ask_contact),
    ],
    STEP_NAMES[EMAIL]: _answer(got_email, ask_email),
    STEP_NAMES[TIME]: _answer(got_time, ask_time),
    STEP_NAMES[TOPIC]: _answer(got_topic, ask_topic),
    STEP_NAMES[NOTE]: _answer(got_note, ask_note),
    STEP_NAMES[CONSENT]: _answer(got_consent, ask_consent),
    STEP_NAMES[CONFIRM]: [
        CallbackQueryHandler(confirm, pattern=FormAction("confirm").exactly()),
        CallbackQueryHandler(edit, pattern=FormAction("edit").exactly()),
        CallbackQueryHandler(cancel, pattern=FormAction("cancel").exactly()),
        MessageHandler(NOT_A_COMMAND, repeat_summary),
    ],
}
