"""The form's questions, its summary, and its entry (a new form, or the open request shown
again). Each question returns the step the form is at next."""

from __future__ import annotations

import html

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardRemove,
    Update,
)

from tipbot import texts
from tipbot.consult.cards import contact_label, time_label, topic_label
from tipbot.consult.form_state import (
    CONFIRM,
    CONSENT,
    CONTACT,
    EMAIL,
    END,
    ENTRY_KEY,
    FORM_KEY,
    NAME,
    NOTE,
    TIME,
    TOPIC,
    form_of,
    open_request,
    reply_keyboard,
)
from tipbot.consult.service import (
    NAME_LIMIT,
    NOTE_LIMIT,
    FormAnswers,
)
from tipbot.core import funnel
from tipbot.core.callbacks import FormAction, RequestAction
from tipbot.core.db.models import ConsultRequest, RequestStatus
from tipbot.core.runtime import Context
from tipbot.core.schedule import describe_when


async def ask_name(update: Update, context: Context, text: str | None = None) -> int:
    suggestions = {update.effective_user.first_name, form_of(context).name} - {""}
    await update.effective_chat.send_message(
        text or texts.CONSULT_ASK_NAME.render(context.language),
        reply_markup=reply_keyboard([[name[:NAME_LIMIT] for name in sorted(suggestions)]]),
    )
    return NAME


async def ask_contact(update: Update, context: Context) -> int:
    share = KeyboardButton(
        texts.BUTTON_CONSULT_SHARE_PHONE.render(context.language), request_contact=True
    )
    rows = [
        [share],
        [texts.BUTTON_CONSULT_EMAIL.render(context.language)],
        [texts.BUTTON_CONSULT_TELEGRAM.render(context.language)],
    ]
    await update.effective_chat.send_message(
        texts.CONSULT_ASK_CONTACT.render(context.language), reply_markup=reply_keyboard(rows)
    )
    return CONTACT


async def ask_email(update: Update, context: Context) -> int:
    await update.effective_chat.send_message(
        texts.CONSULT_ASK_EMAIL.render(context.language), reply_markup=ReplyKeyboardRemove()
    )
    return EMAIL


async def ask_time(update: Update, context: Context) -> int:
    options = [option.render(context.language) for option in texts.CONSULT_TIME_OPTIONS]
    await update.effective_chat.send_message(
        texts.CONSULT_ASK_TIME.render(context.language),
        reply_markup=reply_keyboard([options[:2], options[2:]]),
    )
    return TIME


async def ask_topic(update: Update, context: Context) -> int:
    titles = [
        topic.title for topic in context.deps.library.localized(context.language).topics.values()
    ]
    rows = [titles[i : i + 2] for i in range(0, len(titles), 2)]
    rows.append([texts.BUTTON_CONSULT_OTHER_TOPIC.render(context.language)])
    await update.effective_chat.send_message(
        texts.CONSULT_ASK_TOPIC.render(context.language), reply_markup=reply_keyboard(rows)
    )
    return TOPIC


async def ask_note(update: Update, context: Context) -> int:
    text = texts.CONSULT_ASK_NOTE.render(
        context.language, limit=NOTE_LIMIT, skip=texts.BUTTON_CONSULT_SKIP.render(context.language)
    )
    await update.effective_chat.send_message(
        text, reply_markup=reply_keyboard([[texts.BUTTON_CONSULT_SKIP.render(context.language)]])
    )
    return NOTE


async def ask_consent(update: Update, context: Context) -> int:
    rows = [
        [texts.BUTTON_CONSULT_AGREE.render(context.language)],
        [texts.BUTTON_CONSULT_DISAGREE.render(context.language)],
    ]
    text = texts.CONSULT_ASK_CONSENT.render(context.language)
    policy = context.deps.settings.privacy_policy_url
    if policy:  # the clinic's own policy, where the person decides (TIPBOT_PRIVACY_POLICY_URL)
        text += texts.CONSULT_PRIVACY_POLICY.render(
            context.language, url=html.escape(policy, quote=True)
        )
    await update.effective_chat.send_message(text, reply_markup=reply_keyboard(rows))
    return CONSENT


async def show_summary(update: Update, context: Context) -> int:
    form = form_of(context)
    await update.effective_chat.send_message(
        texts.CONSULT_SUMMARY_INTRO.render(context.language), reply_markup=ReplyKeyboardRemove()
    )
    summary = texts.CONSULT_SUMMARY.render(
        context.language,
        name=html.escape(form.name),
        contact=html.escape(contact_label(form.contact_kind, form.contact_value, context.language)),
        preferred_time=html.escape(time_label(form.preferred_time, context.language)),
        topic=html.escape(topic_label(form.topic, context.deps.library, context.language)),
        note=html.escape(form.note) if form.note else texts.NOTHING.render(context.language),
    )
    buttons = [
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_CONFIRM.render(context.language),
            callback_data=FormAction("confirm").pack(),
        ),
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_EDIT.render(context.language),
            callback_data=FormAction("edit").pack(),
        ),
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_CANCEL.render(context.language),
            callback_data=FormAction("cancel").pack(),
        ),
    ]
    await update.effective_chat.send_message(summary, reply_markup=InlineKeyboardMarkup([buttons]))
    return CONFIRM


async def show_open_request(update: Update, context: Context, request: ConsultRequest) -> None:
    if request.status is RequestStatus.CLAIMED:
        status = texts.CONSULT_STATUS_CLAIMED.render(
            context.language, staff=html.escape(request.claimed_by_name or "")
        )
    else:
        status = texts.CONSULT_STATUS_OPEN.render(context.language)
    now = context.deps.clock.now()
    text = texts.CONSULT_ALREADY_OPEN.render(
        context.language,
        number=request.id,
        status=status,
        when=describe_when(request.created_at, "UTC", now, context.language),
    )
    buttons = [
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_ADD_NOTE.render(context.language),
            callback_data=RequestAction("note", request.id).pack(),
        ),
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_CANCEL_REQUEST.render(context.language),
            callback_data=RequestAction("cancel", request.id).pack(),
        ),
    ]
    await update.effective_chat.send_message(text, reply_markup=InlineKeyboardMarkup([buttons]))


async def start_form(update: Update, context: Context) -> int:
    """``/consult``, the button under a tip, or the ``start=consult`` deep link."""
    deps = context.deps
    if update.callback_query:
        await update.callback_query.answer()
        await funnel.count_step(deps.db, funnel.BUTTON, deps.clock.now())
    request = await open_request(context, update.effective_user.id)
    if request is not None:
        await show_open_request(update, context, request)
        return END
    await funnel.count_step(deps.db, funnel.FORM, deps.clock.now())
    context.user_data[FORM_KEY] = FormAnswers(language=context.language)
    context.user_data[ENTRY_KEY] = "link" if context.args == ["consult"] else "bot"
    return await ask_name(update, context, texts.CONSULT_INTRO.render(context.language))
