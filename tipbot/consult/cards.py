"""How a request looks: the staff card (always in the staff language), contact and status
labels (in the language the caller names: the form's summary shows them to the person)."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from tipbot import i18n, texts
from tipbot.core.callbacks import CardAction
from tipbot.core.content import Library
from tipbot.core.db.models import ConsultRequest, RequestStatus

# The card's actions (``CardAction``). Its data only names the request; who may act and
# whether the action fits the request's state is checked anew.
CLAIM, UNCLAIM, CLOSE = "claim", "unclaim", "close"


def format_age(age: timedelta) -> str:
    """How long something has waited, roughly: "25 min", "3 h", "4 d"."""
    minutes = max(int(age.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} d"


def clinic_time(moment: datetime, zone: str, now: datetime | None = None) -> str:
    """A time in the clinic's zone, the zone named: "08:30 Europe/Berlin" when it is today
    there (``now`` given), else with the date: "2026-06-01 08:30 Europe/Berlin"."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    same_day = now is not None and now.astimezone(tz).date() == local.date()
    shown = f"{local:%H:%M}" if same_day else f"{local:%Y-%m-%d %H:%M}"
    return f"{shown} {zone}"


def contact_label(kind: str, value: str | None, language: str) -> str:
    if kind == "telegram" or not value:
        return texts.CONTACT_TELEGRAM.render(language)
    return value


def _or_nothing(value: str | None, language: str) -> str:
    return html.escape(value) if value else texts.NOTHING.render(language)


def status_label(request: ConsultRequest, language: str) -> str:
    staff = html.escape(request.claimed_by_name or "?")
    return {
        RequestStatus.OPEN: texts.CARD_STATUS_OPEN.render(language),
        RequestStatus.CLAIMED: texts.CARD_STATUS_CLAIMED.render(language, staff=staff),
        RequestStatus.CLOSED: texts.CARD_STATUS_CLOSED.render(language, staff=staff),
        RequestStatus.CANCELLED: texts.CARD_STATUS_CANCELLED.render(language),
    }[request.status]


def time_choice(answer: str, language: str) -> str:
    """What the form stores for a preferred time: one of the offered options as its message
    id (so staff read it in their language, the person in theirs), else the words typed."""
    for option in texts.CONSULT_TIME_OPTIONS:
        if answer == option.render(language):
            return option.msgid
    return answer


def time_label(stored: str, language: str) -> str:
    """A stored preferred time in ``language`` (typed words stay as typed)."""
    for option in texts.CONSULT_TIME_OPTIONS:
        if stored == option.msgid:
            return option.render(language)
    return stored


def topic_label(topic_id: str | None, library: Library, language: str) -> str:
    """The topic's title (the id if the library no longer has it)."""
    if topic_id is None:
        return texts.BUTTON_CONSULT_OTHER_TOPIC.render(language)
    topic = library.localized(language).topics.get(topic_id)
    return topic.title if topic else topic_id


def render_card(
    request: ConsultRequest, library: Library, zone: str = "UTC", history: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card text and the buttons that fit the request's status (times in ``zone``), in
    the staff language whoever's update or job renders it; ``history`` is the person's
    (``consult.history``), rendered."""
    language = i18n.staff_language()
    text = texts.CARD.render(
        language,
        number=request.id,
        status=status_label(request, language),
        name=html.escape(request.name),
        contact=html.escape(contact_label(request.contact_kind, request.contact_value, language)),
        preferred_time=html.escape(time_label(request.preferred_time, language)),
        topic=html.escape(topic_label(request.topic, library, language)),
        note=_or_nothing(request.note, language),
        source=_or_nothing(request.source, language),
        language=i18n.language_name(request.language or i18n.default_language()),
        created=clinic_time(request.created_at, zone),
    )
    text += history
    if request.status in (RequestStatus.OPEN, RequestStatus.CLAIMED):
        text += texts.CARD_REPLY_HINT.render(language)
    return text, card_keyboard(request, language)


def card_keyboard(request: ConsultRequest, language: str) -> InlineKeyboardMarkup | None:
    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=CardAction(action, request.id).pack())

    if request.status is RequestStatus.OPEN:
        return InlineKeyboardMarkup(
            [
                [
                    button(texts.BUTTON_CARD_CLAIM.render(language), CLAIM),
                    button(texts.BUTTON_CARD_CLOSE.render(language), CLOSE),
                ]
            ]
        )
    if request.status is RequestStatus.CLAIMED:
        return InlineKeyboardMarkup(
            [
                [
                    button(texts.BUTTON_CARD_UNCLAIM.render(language), UNCLAIM),
                    button(texts.BUTTON_CARD_CLOSE.render(language), CLOSE),
                ]
            ]
        )
    return None


def card_removed(number: int) -> str:
    """What a removed request's staff-group messages are edited to: in the staff language,
    although the person's own /forget causes it."""
    return texts.CARD_REMOVED.render(i18n.staff_language(), number=number)
