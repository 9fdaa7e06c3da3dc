"""How a request looks: the staff card, the person's summary, contact and status labels."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from tipbot import texts
from tipbot.core import i18n
from tipbot.core.callbacks import STAFF_PREFIX
from tipbot.core.content import Library
from tipbot.core.db.models import ConsultRequest, RequestStatus

# Callback data of the card's buttons: ``staff:<action>:<request id>``. It only names the
# request; who may act and whether the action fits the request's state is checked anew.
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


def contact_label(kind: str, value: str | None) -> str:
    if kind == "telegram" or not value:
        return texts.CONTACT_TELEGRAM
    return value


def _or_nothing(value: str | None) -> str:
    return html.escape(value) if value else texts.NOTHING


def status_label(request: ConsultRequest) -> str:
    staff = html.escape(request.claimed_by_name or "?")
    return {
        RequestStatus.OPEN: texts.CARD_STATUS_OPEN,
        RequestStatus.CLAIMED: texts.CARD_STATUS_CLAIMED.format(staff=staff),
        RequestStatus.CLOSED: texts.CARD_STATUS_CLOSED.format(staff=staff),
        RequestStatus.CANCELLED: texts.CARD_STATUS_CANCELLED,
    }[request.status]


def topic_label(topic_id: str | None, library: Library) -> str:
    """The topic's title (the id if the library no longer has it)."""
    if topic_id is None:
        return texts.BUTTON_CONSULT_OTHER_TOPIC
    topic = library.localized().topics.get(topic_id)
    return topic.title if topic else topic_id


def render_card(
    request: ConsultRequest, library: Library, zone: str = "UTC"
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card text and the buttons that fit the request's status (times in ``zone``)."""
    text = texts.CARD.format(
        number=request.id,
        status=status_label(request),
        name=html.escape(request.name),
        contact=html.escape(contact_label(request.contact_kind, request.contact_value)),
        preferred_time=html.escape(request.preferred_time),
        topic=html.escape(topic_label(request.topic, library)),
        note=_or_nothing(request.note),
        source=_or_nothing(request.source),
        language=i18n.language_name(request.language or i18n.catalogs().default),
        created=clinic_time(request.created_at, zone),
    )
    if request.status in (RequestStatus.OPEN, RequestStatus.CLAIMED):
        text += texts.CARD_REPLY_HINT
    return text, card_keyboard(request)


def card_keyboard(request: ConsultRequest) -> InlineKeyboardMarkup | None:
    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=f"{STAFF_PREFIX}:{action}:{request.id}")

    if request.status is RequestStatus.OPEN:
        return InlineKeyboardMarkup(
            [[button(texts.BUTTON_CARD_CLAIM, CLAIM), button(texts.BUTTON_CARD_CLOSE, CLOSE)]]
        )
    if request.status is RequestStatus.CLAIMED:
        return InlineKeyboardMarkup(
            [[button(texts.BUTTON_CARD_UNCLAIM, UNCLAIM), button(texts.BUTTON_CARD_CLOSE, CLOSE)]]
        )
    return None
