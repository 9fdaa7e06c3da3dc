"""Runs the consultation form over its draft row: the entry points start a draft; each later
private message or form button runs the step the draft is at, in ``HandlerGroup.FORM``
(before the areas, so an answer never reaches them), then stores where the form stands.
A ConversationHandler would keep that in one process's memory; :mod:`tipbot.consult.drafts`
says why a row."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from tipbot import i18n, texts
from tipbot.consult import drafts
from tipbot.consult.form_answers import STEPS, cancel
from tipbot.consult.form_questions import start_form
from tipbot.consult.form_state import (
    END,
    ENTRY_KEY,
    FORM_KEY,
    NOT_A_COMMAND,
    STEP_NAMES,
    VERSION_KEY,
    Step,
    clear_form,
    form_of,
)
from tipbot.core.callbacks import FormAction
from tipbot.core.db.models import ConsultDraft
from tipbot.core.runtime import Context, Deps

log = logging.getLogger(__name__)


EXPIRY_CHECK_SECONDS = 60


EXPIRY_JOB_NAME = "consult-form-expiry"


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
                answers=form_of(context),
                entry=context.user_data.get(ENTRY_KEY, "bot"),
                version=version,
                now=deps.clock.now(),
            )
    if not stored:
        log.info("form of user_id=%s changed meanwhile on another replica", user_id)
    clear_form(context)


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
    clear_form(context)
    await _run(start_form, update, context)


async def continue_form(update: Update, context: Context) -> None:
    """A private message or form button: the next step of the person's draft, if any.
    Anything the step does not take (another command, /help) is left to the other areas."""
    draft = await _load(update, context)
    if draft is None:
        return
    step = next((h for h in STEPS[draft.step] if h.check_update(update)), None)
    if step is None:
        clear_form(context)
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
        CallbackQueryHandler(continue_form, pattern=FormAction.pattern()),
    ]
