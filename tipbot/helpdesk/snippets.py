"""Snippets: ``/s NAME``, replying to a request's card or relayed message, sends a canned
answer (``content/snippets.yaml``) to the person in *their* language, as a staff reply, and
shows staff the text that went; ``/snippets`` lists them.

The snippet goes through ``reply_to_person`` like a typed reply, so it is escaped, counted as
the first response and acknowledged ("Delivered") the same way; what staff see goes through
the outbox, bound to the request.
"""

from __future__ import annotations

import html
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from tipbot import i18n, texts
from tipbot.consult import outbox
from tipbot.consult.cards import status_label
from tipbot.consult.service import person_language, reply_to_person, request_referred_to
from tipbot.core.content.snippets import Snippet, fill
from tipbot.core.db.models import ConsultRequest
from tipbot.core.hours import ClinicHours, describe
from tipbot.core.runtime import Context
from tipbot.core.staff import staff_only

PREVIEW = 60


async def send_snippet(
    session: AsyncSession,
    request: ConsultRequest,
    snippet: Snippet,
    *,
    staff_message_id: int,
    now: datetime,
    hours: ClinicHours | None,
) -> str | None:
    """Queue the snippet for the person (their language) and its copy for staff; the text
    sent, or None when the request is not open."""
    language = await person_language(session, request)
    text = fill(
        snippet.text(language), first_name=request.name, clinic_hours=describe(hours, language)
    )
    if not await reply_to_person(
        session, request, text, staff_message_id=staff_message_id, now=now
    ):
        return None
    shown = texts.SNIPPET_SENT.render(
        i18n.staff_language(),
        name=snippet.name,
        number=request.id,
        language=i18n.language_name(language),
        text=html.escape(text),
    )
    outbox.enqueue(
        session,
        outbox.Kind.THREAD,
        now=now,
        request_id=request.id,
        text=shown,
        reply_to=staff_message_id,
    )
    return text


@staff_only
async def snippet_command(update: Update, context: Context) -> None:
    message, deps, staff = update.effective_message, context.deps, i18n.staff_language()
    snippets = deps.library.all_snippets
    if len(context.args or []) != 1:
        await message.reply_text(texts.SNIPPET_USAGE.render(staff))
        return
    name = context.args[0].lower()
    snippet = snippets.get(name)
    if snippet is None:
        known = ", ".join(f"<code>{n}</code>" for n in snippets) or "–"
        await message.reply_text(
            texts.SNIPPET_UNKNOWN.render(staff, name=html.escape(name[:32]), names=known)
        )
        return
    async with deps.db.session() as session:
        request = await request_referred_to(session, message)
        if request is None:
            await message.reply_text(texts.SNIPPET_USAGE.render(staff))
            return
        request = await session.get(ConsultRequest, request.id, with_for_update=True)
        if request is None:  # forgotten meanwhile: its card says so
            return
        sent = await send_snippet(
            session,
            request,
            snippet,
            staff_message_id=message.message_id,
            now=deps.clock.now(),
            hours=deps.settings.business_hours,
        )
        number, status = request.id, status_label(request, staff)
    if sent is None:
        await message.reply_text(
            texts.THREAD_REQUEST_NOT_OPEN.render(staff, number=number, status=status)
        )
        return
    outbox.kick(context.application)


@staff_only
async def snippets_command(update: Update, context: Context) -> None:
    staff, snippets = i18n.staff_language(), context.deps.library.all_snippets
    if not snippets:
        await update.effective_message.reply_text(texts.SNIPPETS_NONE.render(staff))
        return
    lines = []
    for snippet in snippets.values():
        text = snippet.text(staff)
        preview = text if len(text) <= PREVIEW else text[:PREVIEW].rstrip() + "…"
        languages = ", ".join(sorted(snippet.texts))
        lines.append(f"<code>{snippet.name}</code> ({languages}) – {html.escape(preview)}")
    await update.effective_message.reply_text(
        texts.SNIPPETS_LIST.render(staff, lines="\n".join(lines))
    )
