"""The person's side: the consultation form and the open request.

The form is a state machine over a draft row in the database (:mod:`tipbot.consult.drafts`
says why not a ConversationHandler): the entry points (/consult, the button under a tip, the
``start=consult`` deep link) start a draft; each later private message or form button runs
the step the draft is at, in a handler group of its own that comes before the other areas,
so an answer never reaches them. Steps are plain functions that return the next step.
The request is committed before the person is told "received".
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from tipbot import i18n, texts
from tipbot.consult import drafts, outbox
from tipbot.consult.cards import contact_label, topic_label
from tipbot.consult.media import media_of
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
from tipbot.core.db.models import ConsultDraft, ConsultRequest, RequestStatus
from tipbot.core.ids import parse_id
from tipbot.core.runtime import Context, Deps
from tipbot.core.schedule import describe_when

log = logging.getLogger(__name__)

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
EXPIRY_CHECK_SECONDS = 60
EXPIRY_JOB_NAME = "consult-form-expiry"
# The draft of the update being handled (read from the database, written back after it).
FORM_KEY = "consult_form"
ENTRY_KEY = "consult_entry"
VERSION_KEY = "consult_draft_version"
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
        text or texts.CONSULT_ASK_NAME.render(context.language),
        reply_markup=_keyboard([[name[:NAME_LIMIT] for name in sorted(suggestions)]]),
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
        texts.CONSULT_ASK_CONTACT.render(context.language), reply_markup=_keyboard(rows)
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
        reply_markup=_keyboard([options[:2], options[2:]]),
    )
    return TIME


async def ask_topic(update: Update, context: Context) -> int:
    titles = [
        topic.title for topic in context.deps.library.localized(context.language).topics.values()
    ]
    rows = [titles[i : i + 2] for i in range(0, len(titles), 2)]
    rows.append([texts.BUTTON_CONSULT_OTHER_TOPIC.render(context.language)])
    await update.effective_chat.send_message(
        texts.CONSULT_ASK_TOPIC.render(context.language), reply_markup=_keyboard(rows)
    )
    return TOPIC


async def ask_note(update: Update, context: Context) -> int:
    text = texts.CONSULT_ASK_NOTE.render(
        context.language, limit=NOTE_LIMIT, skip=texts.BUTTON_CONSULT_SKIP.render(context.language)
    )
    await update.effective_chat.send_message(
        text, reply_markup=_keyboard([[texts.BUTTON_CONSULT_SKIP.render(context.language)]])
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
    await update.effective_chat.send_message(text, reply_markup=_keyboard(rows))
    return CONSENT


async def show_summary(update: Update, context: Context) -> int:
    form = _form(context)
    await update.effective_chat.send_message(
        texts.CONSULT_SUMMARY_INTRO.render(context.language), reply_markup=ReplyKeyboardRemove()
    )
    summary = texts.CONSULT_SUMMARY.render(
        context.language,
        name=html.escape(form.name),
        contact=html.escape(contact_label(form.contact_kind, form.contact_value, context.language)),
        preferred_time=html.escape(form.preferred_time),
        topic=html.escape(topic_label(form.topic, context.deps.library, context.language)),
        note=html.escape(form.note) if form.note else texts.NOTHING.render(context.language),
    )
    buttons = [
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_CONFIRM.render(context.language),
            callback_data=f"{FORM_PREFIX}:confirm",
        ),
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_EDIT.render(context.language), callback_data=f"{FORM_PREFIX}:edit"
        ),
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_CANCEL.render(context.language),
            callback_data=f"{FORM_PREFIX}:cancel",
        ),
    ]
    await update.effective_chat.send_message(summary, reply_markup=InlineKeyboardMarkup([buttons]))
    return CONFIRM


# ----------------------------------------------------------------------------- entry


async def _open_request(context: Context, user_id: int) -> ConsultRequest | None:
    async with context.deps.db.session() as session:
        return await open_request_of(session, user_id)


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
            callback_data=f"{REQUEST_PREFIX}:note:{request.id}",
        ),
        InlineKeyboardButton(
            texts.BUTTON_CONSULT_CANCEL_REQUEST.render(context.language),
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
        return END
    context.user_data[FORM_KEY] = FormAnswers(language=context.language)
    context.user_data[ENTRY_KEY] = "link" if context.args == ["consult"] else "bot"
    return await ask_name(update, context, texts.CONSULT_INTRO.render(context.language))


# ----------------------------------------------------------------------------- answers


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
    _form(context).name = name
    return await ask_contact(update, context)


async def got_contact(update: Update, context: Context) -> int:
    contact = update.effective_message.contact
    if contact.user_id != update.effective_user.id:
        button = texts.BUTTON_CONSULT_SHARE_PHONE.render(context.language)
        await update.effective_chat.send_message(
            texts.CONSULT_NOT_OWN_CONTACT.render(context.language, button=button)
        )
        return await ask_contact(update, context)
    form = _form(context)
    form.contact_kind, form.contact_value = "phone", contact.phone_number
    return await ask_time(update, context)


async def got_contact_text(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    form = _form(context)
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
    form = _form(context)
    form.contact_kind, form.contact_value = "email", text
    return await ask_time(update, context)


async def got_time(update: Update, context: Context) -> int:
    answer = await _text_answer(update, context, TIME_LIMIT)
    if answer is None:
        return await ask_time(update, context)
    _form(context).preferred_time = answer
    return await ask_topic(update, context)


async def got_topic(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    topics = context.deps.library.localized(context.language).topics.values()
    by_title = {topic.title: topic.id for topic in topics}
    if text != texts.BUTTON_CONSULT_OTHER_TOPIC.render(context.language) and text not in by_title:
        await update.effective_chat.send_message(texts.CONSULT_PICK_BUTTON.render(context.language))
        return await ask_topic(update, context)
    _form(context).topic = by_title.get(text)
    return await ask_note(update, context)


async def got_note(update: Update, context: Context) -> int:
    if (update.effective_message.text or "").strip() == texts.BUTTON_CONSULT_SKIP.render(
        context.language
    ):
        _form(context).note = None
        return await ask_consent(update, context)
    note = await _text_answer(update, context, NOTE_LIMIT)
    if note is None:
        return await ask_note(update, context)
    _form(context).note = note
    return await ask_consent(update, context)


async def got_consent(update: Update, context: Context) -> int:
    text = (update.effective_message.text or "").strip()
    if text == texts.BUTTON_CONSULT_AGREE.render(context.language):
        return await show_summary(update, context)
    if text == texts.BUTTON_CONSULT_DISAGREE.render(context.language):
        _clear(context)
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
            _form(context),
            now=deps.clock.now(),
            fallback_source=source,
        )
    _clear(context)
    if not created:
        await show_open_request(update, context, request)
        return END
    outbox.kick(context.application)
    await update.effective_chat.send_message(
        texts.CONSULT_RECEIVED.render(context.language, number=request.id)
    )
    return END


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
        texts.CONSULT_CANCELLED.render(context.language), reply_markup=ReplyKeyboardRemove()
    )
    return END


def _clear(context: Context) -> None:
    context.user_data.pop(FORM_KEY, None)
    context.user_data.pop(ENTRY_KEY, None)
    context.user_data.pop(VERSION_KEY, None)


Step = Callable[[Update, Context], Awaitable[int]]


def _reask(ask: Step) -> Step:
    """For answers of the wrong kind (a sticker, a photo): say so and ask again."""

    async def reask(update: Update, context: Context) -> int:
        await update.effective_chat.send_message(
            texts.CONSULT_EMPTY_ANSWER.render(context.language)
        )
        return await ask(update, context)

    return reask


# ----------------------------------------------------------------------------- outside the form


async def expired_form_button(update: Update, context: Context) -> None:
    """Summary buttons of a form that no longer exists (timed out, or the bot restarted)."""
    await update.callback_query.answer(
        texts.CONSULT_REQUEST_GONE.render(context.language), show_alert=True
    )


async def open_request_button(update: Update, context: Context) -> None:
    """ "Add a note" / "Cancel the request" under the person's open request."""
    query = update.callback_query
    _, action, raw_id = query.data.split(":")
    number = parse_id(raw_id, ConsultRequest.id)
    deps = context.deps
    if number is None:
        await query.answer(texts.CONSULT_REQUEST_GONE.render(context.language), show_alert=True)
        return
    if action == "note":
        request = await _open_request(context, update.effective_user.id)
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
        if await _open_request(context, user_id) is not None:
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
    outbox.kick(context.application)
    if relayed.first:
        await update.effective_chat.send_message(
            texts.CONSULT_RELAY_NOTICE.render(context.language, number=relayed.request_id)
        )
    raise ApplicationHandlerStop


NOT_A_COMMAND = filters.ALL & ~filters.COMMAND


def _answer(got: Step, ask: Step) -> list[MessageHandler]:
    """A step answered in text; anything else (a sticker, a photo) gets the question again."""
    return [
        MessageHandler(TEXT, got),
        MessageHandler(NOT_A_COMMAND, _reask(ask)),
    ]


# ----------------------------------------------------------------------------- the draft

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
        CallbackQueryHandler(confirm, pattern=f"^{FORM_PREFIX}:confirm$"),
        CallbackQueryHandler(edit, pattern=f"^{FORM_PREFIX}:edit$"),
        CallbackQueryHandler(cancel, pattern=f"^{FORM_PREFIX}:cancel$"),
        MessageHandler(NOT_A_COMMAND, repeat_summary),
    ],
}


async def _run(step: Step, update: Update, context: Context) -> None:
    """Run one step, then store where the form stands (or delete the draft if it ended)."""
    next_step = await step(update, context)
    deps, user_id = context.deps, update.effective_user.id
    version = context.user_data.get(VERSION_KEY)
    async with deps.db.session() as session:
        if next_step == END:
            stored = await drafts.discard(session, user_id, version) or version is None
        else:
            stored = await drafts.save(
                session,
                user_id,
                step=STEP_NAMES[next_step],
                answers=_form(context),
                entry=context.user_data.get(ENTRY_KEY, "bot"),
                version=version,
                now=deps.clock.now(),
            )
    if not stored:
        log.info("form of user_id=%s changed meanwhile on another replica", user_id)
    _clear(context)


async def _draft_of(context: Context, user_id: int) -> ConsultDraft | None:
    async with context.deps.db.session() as session:
        return await session.get(ConsultDraft, user_id)


async def _load(update: Update, context: Context) -> ConsultDraft | None:
    """The person's draft, into this update's context; None if there is none (or it expired:
    then they are told, and the update goes no further)."""
    draft = await _draft_of(context, update.effective_user.id)
    if draft is None:
        return None
    if draft.expires_at <= context.deps.clock.now():
        async with context.deps.db.session() as session:
            gone = await drafts.discard(session, draft.user_id, draft.version)
        if gone:
            await update.effective_chat.send_message(
                texts.CONSULT_TIMED_OUT.render(context.language), reply_markup=ReplyKeyboardRemove()
            )
        raise ApplicationHandlerStop
    context.user_data[FORM_KEY] = drafts.answers_of(draft)
    context.user_data[ENTRY_KEY] = draft.entry
    context.user_data[VERSION_KEY] = draft.version
    return draft


async def begin(update: Update, context: Context) -> None:
    """``/consult``, the button under a tip, or the ``start=consult`` deep link: a new form
    (replacing one in progress)."""
    _clear(context)
    await _run(start_form, update, context)


async def continue_form(update: Update, context: Context) -> None:
    """A private message or form button: the next step of the person's draft, if any.
    Anything the step does not take (another command, /help) is left to the other areas."""
    draft = await _load(update, context)
    if draft is None:
        return
    step = next((h for h in STEPS[draft.step] if h.check_update(update)), None)
    if step is None:
        _clear(context)
        return
    await _run(step.callback, update, context)
    raise ApplicationHandlerStop


async def cancel_form(update: Update, context: Context) -> None:
    """/cancel: ends the form in progress; without one it is an unknown command."""
    if await _load(update, context) is None:
        return
    await _run(cancel, update, context)
    raise ApplicationHandlerStop


async def expire_drafts(deps: Deps, bot: Bot) -> int:
    """Delete forms silent for 30 minutes and tell each person; returns how many."""
    async with deps.db.session() as session:
        expired = await drafts.take_expired(
            session, deps.clock.now(), skip_locked=not deps.db.is_sqlite
        )
    for user_id, language in expired:  # each in the language their form was in
        try:
            await bot.send_message(
                user_id,
                texts.CONSULT_TIMED_OUT.render(i18n.resolve(language)),
                reply_markup=ReplyKeyboardRemove(),
            )
        except TelegramError as exc:  # blocked meanwhile: nothing else to do
            log.info("form timeout notice failed user_id=%s: %s", user_id, exc)
    return len(expired)


async def expiry_job(context: Context) -> None:
    await expire_drafts(context.deps, context.bot)


def form_step_handlers() -> list[BaseHandler]:
    """``HandlerGroup.FORM``: the next answer of an open form (its /cancel is a command)."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & NOT_A_COMMAND & filters.UpdateType.MESSAGE, continue_form),
        CallbackQueryHandler(continue_form, pattern=f"^{FORM_PREFIX}:"),
    ]


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
        CallbackQueryHandler(begin, pattern=f"^{CONSULT_DATA}$"),
        CallbackQueryHandler(open_request_button, pattern=rf"^{REQUEST_PREFIX}:(note|cancel):\d+$"),
        CallbackQueryHandler(expired_form_button, pattern=f"^{FORM_PREFIX}:"),
    ]
