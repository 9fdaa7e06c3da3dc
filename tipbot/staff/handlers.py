"""Staff tools in the staff group: /broadcast (preview → confirm), /reload (/stats: ``stats``).

Authority is checked on every command and every button press (``staff_only``: staff group +
staff member), never inferred from callback data. Everything here is written in the staff
language.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from tipbot import i18n, texts
from tipbot.core.callbacks import BroadcastAction
from tipbot.core.db.models import Broadcast, BroadcastStatus
from tipbot.core.runtime import Context
from tipbot.core.staff import staff_only
from tipbot.staff import broadcast, campaign
from tipbot.staff.library import reload_library

log = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 20


# ----------------------------------------------------------------------------- /broadcast


_COMMAND_AND_SPACE = re.compile(r"\S*\s*")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _html_of(message: Message, start: int, end: int) -> str:
    """``message.text[start:end]`` as Telegram HTML, keeping the staff member's formatting.
    PTB renders the HTML from the entities clipped to that part (their offsets are UTF-16
    units): cutting ``text_html`` itself would split a tag that spans the command (a
    message sent all bold) or a language line, and leave invalid HTML."""
    text = message.text or ""
    part_text = text[start:end]
    low_bound = _utf16_len(text[:start])
    high_bound = low_bound + _utf16_len(part_text)
    entities = []
    for entity in message.entities:
        low = max(entity.offset, low_bound)
        high = min(entity.offset + entity.length, high_bound)
        if high > low:
            clipped = {**entity.to_dict(), "offset": low - low_bound, "length": high - low}
            entities.append(MessageEntity.de_json(clipped, message.get_bot()))
    part = Message(
        message.message_id, message.date, message.chat, text=part_text, entities=entities
    )
    return part.text_html


@dataclass(frozen=True)
class Announcement:
    options: campaign.Options
    default: str  # HTML
    by_language: dict[str, str]


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def parse_announcement(message: Message, context: Context) -> Announcement:
    """The options, the default text and the per-language texts of a /broadcast, or an
    ``OptionError`` explaining (in the staff language) what is wrong."""
    staff, deps = i18n.staff_language(), context.deps
    text = (message.text or "").rstrip()
    head = _COMMAND_AND_SPACE.match(text).end()
    words, offset = campaign.split_options(text[head:])
    options = campaign.parse_options(
        words, library=deps.library, now=deps.clock.now(), clinic_zone=deps.settings.clinic_zone
    )
    photo = message.reply_to_message and message.reply_to_message.photo
    if photo and options.photo is None:  # a reply to a photo: that photo
        options = replace(options, photo=photo[-1].file_id)
    body = head + offset
    blocks, unknown = campaign.split_languages(text[body:])
    if unknown:
        markers = ", ".join(f"<code>[{html.escape(code)}]</code>" for code in unknown)
        choices = ", ".join(f"<code>{code}</code>" for code in i18n.languages())
        raise campaign.OptionError(
            texts.CAMPAIGN_UNKNOWN_LANGUAGE.render(staff, markers=markers, choices=choices)
        )
    limit = MAX_CAPTION if options.photo else broadcast.MAX_TEXT_LENGTH
    default, by_language = "", {}
    for language, start, end in blocks:
        start, end = _stripped(text, body + start, body + end)
        length = end - start
        if language is not None and language in by_language:
            raise campaign.OptionError(
                texts.CAMPAIGN_REPEATED_LANGUAGE.render(staff, language=language)
            )
        if language is not None and not length:
            raise campaign.OptionError(texts.CAMPAIGN_TEXT_EMPTY.render(staff, language=language))
        if length > limit:
            name = language or texts.CAMPAIGN_DEFAULT_TEXT.render(staff)
            if options.photo:
                raise campaign.OptionError(
                    texts.CAMPAIGN_CAPTION_TOO_LONG.render(
                        staff, language=name, length=length, limit=limit
                    )
                )
            raise campaign.OptionError(
                texts.BROADCAST_TOO_LONG.render(staff, length=length, limit=limit)
            )
        part = _html_of(message, start, end) if length else ""
        if language is None:
            default = part
        else:
            by_language[language] = part
    if not default and by_language:  # only language texts: the source language's is default
        source = i18n.SOURCE_LANGUAGE
        if source not in by_language:
            raise campaign.OptionError(texts.CAMPAIGN_TEXT_MISSING.render(staff, language=source))
        default = by_language.pop(source)
    return Announcement(options, default, by_language)


MAX_CAPTION = broadcast.MAX_CAPTION_LENGTH


def _when(draft: Broadcast, zone: str, language: str) -> str:
    if draft.timing == "at" and draft.send_at is not None:
        local = draft.send_at.astimezone(ZoneInfo(zone))
        return texts.CAMPAIGN_WHEN_AT.render(
            language, when=f"{i18n.weekday_date(local, language)} {local:%H:%M}", zone=zone
        )
    if draft.timing == "tip":
        return texts.CAMPAIGN_WHEN_TIP.render(language)
    if draft.timing == "daytime":
        return texts.CAMPAIGN_WHEN_DAYTIME.render(language)
    return texts.CAMPAIGN_WHEN_NOW.render(language)


def _extras(draft: Broadcast, language: str) -> str:
    extras = texts.CAMPAIGN_WITH_PHOTO.render(language) if draft.photo else ""
    if draft.button == campaign.CONSULT:
        extras += texts.CAMPAIGN_WITH_CONSULT.render(language)
    elif draft.button:
        extras += texts.CAMPAIGN_WITH_LINK.render(language, url=html.escape(draft.button))
    return extras


def _segment(draft: Broadcast, language: str) -> str:
    segment = campaign.Segment.from_json(draft.segment)
    return segment.describe() if segment.targeted else texts.CAMPAIGN_EVERYONE.render(language)


def render_preview(draft: Broadcast, counts: dict[str, int], zone: str) -> str:
    """Who (the count per language of the segment), when, and each text as it will read."""
    staff = i18n.staff_language()
    languages = ", ".join(f"{code} {count:,}" for code, count in sorted(counts.items()))
    own = dict(draft.texts)
    default_count = sum(n for code, n in counts.items() if code not in own)
    blocks = texts.CAMPAIGN_TEXT_BLOCK.render(
        staff,
        language=texts.CAMPAIGN_DEFAULT_TEXT.render(staff),
        count=f"{default_count:,}",
        text=draft.text,
    )
    for code, text in sorted(own.items()):
        blocks += texts.CAMPAIGN_TEXT_BLOCK.render(
            staff, language=code, count=f"{counts.get(code, 0):,}", text=text
        )
    return texts.CAMPAIGN_PREVIEW.render(
        staff,
        id=draft.id,
        count=f"{draft.total:,}",
        segment=_segment(draft, staff),
        languages=languages,
        when=_when(draft, zone, staff),
        extras=_extras(draft, staff),
        texts=blocks,
    )


def _is_plain(announcement: Announcement) -> bool:
    """Today's /broadcast: one text, to everyone, now, nothing else: today's preview."""
    return announcement.options == campaign.Options() and not announcement.by_language


@staff_only
async def broadcast_command(update: Update, context: Context) -> None:
    message, staff = update.effective_message, i18n.staff_language()
    try:
        announcement = parse_announcement(message, context)
    except campaign.OptionError as error:
        await message.reply_text(error.text)
        return
    if not announcement.default:
        await message.reply_text(texts.CAMPAIGN_USAGE.render(staff))
        return
    deps = context.deps
    options = announcement.options
    async with deps.db.session() as session:
        draft = await broadcast.create_draft(
            session,
            announcement.default,
            update.effective_user.id,
            deps.clock.now(),
            options=options,
            texts_by_language=announcement.by_language,
        )
        counts = await broadcast.count_by_language(session, options.segment)
    if draft.total == 0:
        if options.segment.targeted:
            reply = texts.CAMPAIGN_NO_RECIPIENTS.render(staff, segment=_segment(draft, staff))
        else:
            reply = texts.BROADCAST_NO_RECIPIENTS.render(staff)
        await message.reply_text(reply)
        return
    count = f"{draft.total:,}"
    send_label = texts.BUTTON_BROADCAST_SEND
    if draft.timing == "at":
        send_label = texts.BUTTON_CAMPAIGN_SCHEDULE
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    send_label.render(staff, count=count),
                    callback_data=BroadcastAction("send", draft.id).pack(),
                ),
                InlineKeyboardButton(
                    texts.BUTTON_BROADCAST_CANCEL.render(staff),
                    callback_data=BroadcastAction("cancel", draft.id).pack(),
                ),
            ]
        ]
    )
    if _is_plain(announcement):
        preview = texts.BROADCAST_PREVIEW.render(staff, count=count, text=draft.text)
    else:
        preview = render_preview(draft, counts, deps.settings.clinic_zone)
    if len(preview) > MAX_PREVIEW:  # several long texts: the preview shows their start
        preview = render_preview(_shortened(draft), counts, deps.settings.clinic_zone)
    await message.reply_text(preview, reply_markup=keyboard)
    log.info("broadcast draft id=%s by user_id=%s", draft.id, update.effective_user.id)


MAX_PREVIEW = 4000
SHORT_PREVIEW = 300


def _shortened(draft: Broadcast) -> Broadcast:
    """A copy whose texts are cut to their first words, as plain text (no tag cut in two)."""

    def cut(text: str) -> str:
        plain = html.escape(re.sub(r"<[^>]+>", "", text))
        return plain if len(plain) <= SHORT_PREVIEW else plain[:SHORT_PREVIEW] + "…"

    return Broadcast(
        id=draft.id,
        text=cut(draft.text),
        texts={code: cut(text) for code, text in draft.texts.items()},
        total=draft.total,
        segment=draft.segment,
        timing=draft.timing,
        send_at=draft.send_at,
        photo=draft.photo,
        button=draft.button,
    )


@staff_only
async def broadcast_button(update: Update, context: Context) -> None:
    query, staff = update.callback_query, i18n.staff_language()
    button = BroadcastAction.parse(query.data)
    if button is None:
        await query.answer(texts.BROADCAST_NOT_A_DRAFT.render(staff), show_alert=True)
        return
    action, broadcast_id, deps = button.action, button.broadcast_id, context.deps
    async with deps.db.session() as session:
        status = await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
        was_draft = status is BroadcastStatus.DRAFT
        if action == "send":
            done = await broadcast.confirm(
                session, broadcast_id, update.effective_chat.id, deps.clock.now()
            )
        else:
            done = await broadcast.cancel(session, broadcast_id)
    if not done:
        await query.answer(texts.BROADCAST_NOT_A_DRAFT.render(staff), show_alert=True)
        return
    if action == "send" and done is BroadcastStatus.SCHEDULED:
        await query.answer(texts.CAMPAIGN_SCHEDULED_ALERT.render(staff))
        await query.edit_message_reply_markup(None)
        await query.message.reply_text(texts.CAMPAIGN_SCHEDULED.render(staff, id=broadcast_id))
        log.info("broadcast id=%s scheduled by user_id=%s", broadcast_id, query.from_user.id)
    elif action == "send":
        await query.answer(texts.BROADCAST_SENDING_ALERT.render(staff))
        await query.edit_message_reply_markup(None)
        log.info("broadcast id=%s confirmed by user_id=%s", broadcast_id, query.from_user.id)
        broadcast.start_worker(context.application, broadcast_id)
    else:
        await query.answer()
        log.info("broadcast id=%s cancelled by user_id=%s", broadcast_id, query.from_user.id)
        if was_draft:
            await query.edit_message_text(texts.BROADCAST_CANCELLED.render(staff))
        else:
            await query.edit_message_text(texts.CAMPAIGN_CANCELLED.render(staff, id=broadcast_id))


@staff_only
async def broadcasts_command(update: Update, context: Context) -> None:
    """Scheduled and sending campaigns, each with a button to cancel it."""
    staff, deps = i18n.staff_language(), context.deps
    async with deps.db.session() as session:
        planned = await broadcast.upcoming(session)
        progress = {b.id: await broadcast.tally(session, b.id) for b in planned}
    if not planned:
        await update.effective_message.reply_text(texts.CAMPAIGN_LIST_EMPTY.render(staff))
        return
    items, rows = [], []
    for item in planned[:MAX_LISTED]:
        when = _when(item, deps.settings.clinic_zone, staff).removeprefix("⏱ ")
        if item.status is BroadcastStatus.SENDING:
            tally = progress[item.id]
            when += " · " + texts.CAMPAIGN_STATE_SENDING.render(
                staff, sent=f"{tally.sent:,}", total=f"{tally.total:,}"
            )
        items.append(
            texts.CAMPAIGN_LIST_ITEM.render(
                staff,
                id=item.id,
                when=when,
                segment=_segment(item, staff),
                preview=_shortened(item).text[:80],
            )
        )
        rows.append(
            [
                InlineKeyboardButton(
                    texts.BUTTON_CAMPAIGN_CANCEL.render(staff, id=item.id),
                    callback_data=BroadcastAction("cancel", item.id).pack(),
                )
            ]
        )
    await update.effective_message.reply_text(
        texts.CAMPAIGN_LIST.render(staff, items="\n\n".join(items)),
        reply_markup=InlineKeyboardMarkup(rows),
    )


MAX_LISTED = 20


# ----------------------------------------------------------------------------- /reload


@staff_only
async def reload_command(update: Update, context: Context) -> None:
    result = await reload_library(context.deps)
    if result.ok:
        reply = texts.RELOAD_OK.render(
            i18n.staff_language(), tips=len(result.library.tips), topics=len(result.library.topics)
        )
    else:
        shown = result.problems[:MAX_PROBLEMS_SHOWN]
        if len(result.problems) > len(shown):
            shown.append(f"… and {len(result.problems) - len(shown)} more")
        problems = "\n".join(f"• {html.escape(problem)}" for problem in shown)
        reply = texts.RELOAD_FAILED.render(i18n.staff_language(), problems=problems)
    await update.effective_message.reply_text(reply)


def button_handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(broadcast_button, pattern=BroadcastAction.pattern())]
