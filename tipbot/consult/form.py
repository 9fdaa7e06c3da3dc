"""The person's side: the consultation form (a ConversationHandler) and the open request.

The form's answers live in ``context.user_data`` (PTB keeps conversation state in memory:
a restart or a switch of replica mid-form loses the form, never a submitted request).
The request is committed before the person is told "received".
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Awaitable, Callable

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from tipbot import texts
from tipbot.consult import outbox
from tipbot.consult.cards import contact_label, topic_label
from tipbot.consult.deeplink import CONSULT_DEEP_LINK
from tipbot.consult.service import (
    NAME_LIMIT,
    NOTE_LIMIT,
    TIME_LIMIT,
    FormAnswers,
    cancel_request,
    create_request,
    open_request_of,
    relay_from_person,
    valid_email,
)
from tipbot.core.callbacks import CONSULT_DATA, FORM_PREFIX, REQUEST_PREFIX
from tipbot.core.db.models import ConsultRequest, RequestStatus
from tipbot.core.runtime import Context
from tipbot.subscriber import fallback
from tipbot.subscriber.service import describe_when

NAME, CONTACT, EMAIL, TIME, TOPIC, NOTE, CONSENT, CONFIRM = range(8)
FORM_TIMEOUT_SECONDS = 30 * 60
FORM_KEY = "consult_form"
ENTRY_KEY = "consult_entry"
DEEP_LINK_SOURCE = "consult-link"  # source of a deep-link visitor without a campaign

TEXT = filters.TEXT & ~filters.COMMAND


def _form(context: Context) -> FormAnswers:
    return context.user_data.setdefault(FORM_KEY, FormAnswers())


def _keyboard(rows: list[list[str | KeyboardButton]]) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


# ----------------------------------------------------------------------------- questions


async def ask_name(update: Update, context: Context, text: str | None = None) -> int:
    suggestions = {update.effective_user.first_name, _form(context).name} - {""}
    await update.effective_chat.send_message(
        text or texts.CONSULT_ASK_NAME,
        reply_markup=_keyboard([[name[:NAME_LIMIT] for name in sorted(suggestions)]]),
    )
    return NAME


async def ask_contact(update: Update, _context: Context) -> int:
    share = KeyboardButton(texts.BUTTON_CONSULT_SHARE_PHONE, request_contact=True)
    rows = [[share], [texts.BUTTON_CONSULT_EMAIL], [texts.BUTTON_CONSULT_TELEGRAM]]
    await update.effective_chat.send_message(
        texts.CONSULT_ASK_CONTACT, reply_markup=_keyboard(rows)
    )
    return CONTACT


async def ask_email(update: Update, _context: Context) -> int:
    await update.effective_chat.send_message(
        texts.CONSULT_ASK_EMAIL, reply_markup=ReplyKeyboardRemove()
    )
    return EMAIL


async def ask_time(update: Update, _context: Context) -> int:
    options = list(texts.CONSULT_TIME_OPTIONS)
    await update.effective_chat.send_message(
        texts.CONSULT_ASK_TIME, reply_markup=_keyboard([options[:2], options[2:]])
    )
    return TIME


async def ask_topic(update: Update, context: Context) -> int:
    titles = [topic.title for topic in context.deps.library.localized().topics.values()]
    rows = [titles[i : i + 2] for i in range(0, len(titles), 2)]
    rows.append([texts.BUTTON_CONSULT_OTHER_TOPIC])
    await update.effective_chat.send_message(texts.CONSULT_ASK_TOPIC, reply_markup=_keyboard(rows))
    return TOPIC


async def ask_note(update: Update, _context: Context) -> int:
    text = texts.CONSULT_ASK_NOTE.format(limit=NOTE_LIMIT, skip=texts.BUTTON_CONSULT_SKIP)
    await update.effective_chat.send_message(
        text, reply_markup=_keyboard([[texts.BUTTON_CONSULT_SKIP]])
    )
    return NOTE


async def ask_consent(update: Update, _context: Context) -> int:
    rows = [[texts.BUTTON_CONSULT_AGREE], [texts.BUTTON_CONSULT_DISAGREE]]
    await update.effective_chat.send_message(
        texts.CONSULT_ASK_CONSENT, reply_markup=_keyboard(rows)
    )
    return CONSENT


async def show_summary(update: Update, context: Context) -> int:
    form = _form(context)
    await update.effective_chat.send_message(
        texts.CONSULT_SUMMARY_INTRO, reply_markup=ReplyKeyboardRemove()
    )
    summary = texts.CONSULT_SUMMARY.format(
        name=html.escape(form.name),
        contact=html.escape(contact_label(form.contact_kind, form.contact_value)),
        preferred_time=html.escape(form.preferred_time),
        topic=html.escape(topic_label(form.topic, context.deps.library)),
        note=html.escape(form.note) if form.note else texts.NOTHING,
    )
    buttons = [
        InlineKeyboardButton(texts.BUTTON_CONSULT_CONFIRM, callback_data=f"{FORM_PREFIX}:confirm"),
        InlineKeyboardButton(texts.BUTTON_CONSULT_EDIT, callback_data=f"{FORM_PREFIX}:edit"),
        InlineKeyboardButton(texts.BUTTON_CONSULT_CANCEL, callback_data=f"{FORM_PREFIX}:cancel"),
    ]
    await update.effective_chat.send_message(summary, reply_markup=InlineKeyboardMarkup([buttons]))
    return CONFIRM


# ----------------------------------------------------------------------------- entry


async def _open_request(context: Context, user_id: int) -> ConsultRequest | None:
    async with context.deps.db.session() as session:
        return await open_request_of(session, user_id)


async def show_open_request(update: Update, context: Context, request: ConsultRequest) -> None:
    if request.status is RequestStatus.CLAIMED:
        status = texts.CONSULT_STATUS_CLAIMED.format(
            staff=html.escape(request.claimed_by_name or "")
        )
    else:
        status = texts.CONSULT_STATUS_OPEN
    now = context.deps.clock.now()
    text = texts.CONSULT_ALREADY_OPEN.format(
        number=request.id, status=status, when=describe_when(request.created_at, "UTC", now)
    )
    buttons = [
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_ADD_NOTE, callback_data=f"{REQUEST_PREFIX}:note:{request.id}"
        ),
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_CANCEL_REQUEST,
            callback_data=f"{REQUEST_PREFIX}:cancel:{request.id}",
        ),
    ]
    await update.effective_chat.send_message(text, reply_markup=InlineKeyboardMarkup([buttons]))


async def start_form(update: Update, context: Context) -> int:
    """``/consult``, the button under a tip, or the ``start=consult`` deep link."""
    if update.callback_query:
        await update.callback_query.answer()
    request = await _open_request(context, update.effective_user.id)
    if request is not None:
        await show_open_request(update, context, request)
        return ConversationHandler.END
    context.user_data[FORM_KEY] = FormAnswers()
    context.user_data[ENTRY_KEY] = "link" if context.args == ["consult"] else "bot"
    return await ask_name(update, context, texts.CONSULT_INTRO)


# ----------------------------------------------------------------------------- answers


async def _text_answer(update: Update, limit: int) -> str | None:
    """The stripped answer, or None after telling the person what was wrong with it."""
    text = (update.effective_message.text or "").strip()
    if not text:
        await update.effective_chat.send_message(texts.CONSULT_EMPTY_ANSWER)
        return None
    if len(text) > limit:
        await update.effective_chat.send_message(texts.CONSULT_TOO_LONG.format(limit=limit))
        return None
    return text


async def got_name(update: Update, context: Context) -> int:
    name = await _text_answer(update, NAME_LIMIT)
    if name is None:
        return await ask_name(update, context)
    _form(context).name = name
    return await ask_contact(update, context)


async def got_contact(update: Update, context: Context) -> int:
    contact = update.effective_message.contact
    if contact.user_id != update.effective_user.id:
        button = texts.BUTTON_CONSULT_SHARE_PHONE
        await update.effective_chat.send_message(
            texts.CONSULT_NOT_OWN_CONTACT.format(button=button)
        )
        return await ask_contact(update, context)
    form = _form(context)
    form.contact_kind, form.contact_value = "phone", contact.phone_number
    return await ask_time(update, context)


async def got_contact_text(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    form = _form(context)
    if text == texts.BUTTON_CONSULT_EMAIL:
        return await ask_email(update, context)
    if text == texts.BUTTON_CONSULT_TELEGRAM:
        form.contact_kind, form.contact_value = "telegram", None
        return await ask_time(update, context)
    if valid_email(text):
        form.contact_kind, form.contact_value = "email", text
        return await ask_time(update, context)
    await update.effective_chat.send_message(
        texts.CONSULT_BAD_EMAIL if "@" in text else texts.CONSULT_PICK_BUTTON
    )
    return await ask_contact(update, context)


async def got_email(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    if not valid_email(text):
        await update.effective_chat.send_message(texts.CONSULT_BAD_EMAIL)
        return await ask_email(update, context)
    form = _form(context)
    form.contact_kind, form.contact_value = "email", text
    return await ask_time(update, context)


async def got_time(update: Update, context: Context) -> int:
    answer = await _text_answer(update, TIME_LIMIT)
    if answer is None:
        return await ask_time(update, context)
    _form(context).preferred_time = answer
    return await ask_topic(update, context)


async def got_topic(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    topics = context.deps.library.localized().topics.values()
    by_title = {topic.title: topic.id for topic in topics}
    if text != texts.BUTTON_CONSULT_OTHER_TOPIC and text not in by_title:
        await update.effective_chat.send_message(texts.CONSULT_PICK_BUTTON)
        return await ask_topic(update, context)
    _form(context).topic = by_title.get(text)
    return await ask_note(update, context)


async def got_note(update: Update, context: Context) -> int:
    if (update.effective_message.text or "").strip() == texts.BUTTON_CONSULT_SKIP:
        _form(context).note = None
        return await ask_consent(update, context)
    note = await _text_answer(update, NOTE_LIMIT)
    if note is None:
        return await ask_note(update, context)
    _form(context).note = note
    return await ask_consent(update, context)


async def got_consent(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    if text == texts.BUTTON_CONSULT_AGREE:
        return await show_summary(update, context)
    if text == texts.BUTTON_CONSULT_DISAGREE:
        _clear(context)
        await update.effective_chat.send_message(
            texts.CONSULT_NO_CONSENT, reply_markup=ReplyKeyboardRemove()
        )
        return ConversationHandler.END
    await update.effective_chat.send_message(texts.CONSULT_PICK_BUTTON)
    return await ask_consent(update, context)


async def repeat_summary(update: Update, context: Context) -> int:
    await update.effective_chat.send_message(texts.CONSULT_PICK_BUTTON)
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
            _form(context),
            now=deps.clock.now(),
            fallback_source=source,
        )
    _clear(context)
    if not created:
        await show_open_request(update, context, request)
        return ConversationHandler.END
    outbox.kick(context.application)
    await update.effective_chat.send_message(texts.CONSULT_RECEIVED.format(number=request.id))
    return ConversationHandler.END


async def edit(update: Update, context: Context) -> int:
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    return await ask_name(update, context)


async def cancel(update: Update, context: Context) -> int:
    if update.callback_query:
        await update.callback_query.answer()
        await update.callback_query.edit_message_reply_markup(None)
    _clear(context)
    await update.effective_chat.send_message(
        texts.CONSULT_CANCELLED, reply_markup=ReplyKeyboardRemove()
    )
    return ConversationHandler.END


async def timed_out(update: Update, context: Context) -> None:
    _clear(context)
    await update.effective_chat.send_message(
        texts.CONSULT_TIMED_OUT, reply_markup=ReplyKeyboardRemove()
    )


def _clear(context: Context) -> None:
    context.user_data.pop(FORM_KEY, None)
    context.user_data.pop(ENTRY_KEY, None)


Step = Callable[[Update, Context], Awaitable[int]]


def _reask(ask: Step) -> Step:
    """For answers of the wrong kind (a sticker, a photo): say so and ask again."""

    async def reask(update: Update, context: Context) -> int:
        await update.effective_chat.send_message(texts.CONSULT_EMPTY_ANSWER)
        return await ask(update, context)

    return reask


# ----------------------------------------------------------------------------- outside the form


async def expired_form_button(update: Update, _context: Context) -> None:
    """Summary buttons of a form that no longer exists (timed out, or the bot restarted)."""
    await update.callback_query.answer(texts.CONSULT_REQUEST_GONE, show_alert=True)


async def open_request_button(update: Update, context: Context) -> None:
    """ "Add a note" / "Cancel the request" under the person's open request."""
    query = update.callback_query
    _, action, raw_id = query.data.split(":")
    deps = context.deps
    if action == "note":
        request = await _open_request(context, update.effective_user.id)
        if request is None or request.id != int(raw_id):
            await query.answer(texts.CONSULT_REQUEST_GONE, show_alert=True)
            return
        await query.answer()
        await update.effective_chat.send_message(texts.CONSULT_ADD_NOTE)
        return
    async with deps.db.session() as session:
        request = await cancel_request(
            session, int(raw_id), update.effective_user.id, now=deps.clock.now()
        )
    if request is None:
        await query.answer(texts.CONSULT_REQUEST_GONE, show_alert=True)
        return
    outbox.kick(context.application)
    await query.answer()
    await query.edit_message_text(texts.CONSULT_REQUEST_CANCELLED.format(number=request.id))


async def relay(update: Update, context: Context) -> None:
    """While a request is open, the person's messages go to the staff thread."""
    deps = context.deps
    async with deps.db.session() as session:
        relayed = await relay_from_person(
            session, update.effective_user.id, update.effective_message.text, now=deps.clock.now()
        )
    if relayed is None:
        await fallback.free_text(update, context)
        return
    outbox.kick(context.application)
    if relayed.first:
        await update.effective_chat.send_message(
            texts.CONSULT_RELAY_NOTICE.format(number=relayed.request_id)
        )


NOT_A_COMMAND = filters.ALL & ~filters.COMMAND


def _answer(got: Step, ask: Step) -> list[MessageHandler]:
    """A step answered in text; anything else (a sticker, a photo) gets the question again."""
    return [
        MessageHandler(TEXT, got),
        MessageHandler(NOT_A_COMMAND, _reask(ask)),
    ]


def build_conversation() -> ConversationHandler:
    private = filters.ChatType.PRIVATE
    with warnings.catch_warnings():
        # PTB warns that per_message=False does not track each message's buttons: we keep
        # one form per person (per chat and user), which is what we want.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("consult", start_form, filters=private),
                CommandHandler("start", start_form, filters=private & CONSULT_DEEP_LINK),
                CallbackQueryHandler(start_form, pattern=f"^{CONSULT_DATA}$"),
            ],
            states={
                NAME: _answer(got_name, ask_name),
                CONTACT: [
                    MessageHandler(filters.CONTACT, got_contact),
                    *_answer(got_contact_text, ask_contact),
                ],
                EMAIL: _answer(got_email, ask_email),
                TIME: _answer(got_time, ask_time),
                TOPIC: _answer(got_topic, ask_topic),
                NOTE: _answer(got_note, ask_note),
                CONSENT: _answer(got_consent, ask_consent),
                CONFIRM: [
                    CallbackQueryHandler(confirm, pattern=f"^{FORM_PREFIX}:confirm$"),
                    CallbackQueryHandler(edit, pattern=f"^{FORM_PREFIX}:edit$"),
                    CallbackQueryHandler(cancel, pattern=f"^{FORM_PREFIX}:cancel$"),
                    MessageHandler(NOT_A_COMMAND, repeat_summary),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            conversation_timeout=FORM_TIMEOUT_SECONDS,
            allow_reentry=True,
            name="consult_form",
        )


def person_handlers() -> list:
    private = filters.ChatType.PRIVATE
    return [
        CallbackQueryHandler(open_request_button, pattern=rf"^{REQUEST_PREFIX}:(note|cancel):\d+$"),
        CallbackQueryHandler(expired_form_button, pattern=f"^{FORM_PREFIX}:"),
        MessageHandler(private & TEXT & filters.UpdateType.MESSAGE, relay),
    ]
