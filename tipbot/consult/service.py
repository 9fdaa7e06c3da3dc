"""A request's life: create, relay, claim/unclaim/close, reply, remind. Plain async functions
over a session and plain values (export and forgetting have modules of their own).

Every change that staff or the person must hear about writes its outbox rows in the same
transaction, so "committed" always implies "will be posted". Authority is the caller's
job (``deps.staff.is_staff``); these functions re-check the request's state every time.
"""

from __future__ import annotations

import enum
import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message

from tipbot import i18n, texts
from tipbot.consult import outbox
from tipbot.consult.cards import CLAIM, CLOSE, UNCLAIM, clinic_time, format_age
from tipbot.consult.media import Media, enqueue_copy
from tipbot.core.callbacks import Rate
from tipbot.core.db.models import (
    ConsultBlock,
    ConsultRequest,
    OutboxMessage,
    RequestStatus,
    StaffThreadMessage,
    Subscriber,
)
from tipbot.core.hours import ClinicHours, business_time_between
from tipbot.core.ids import parse_id

ACTIVE = (RequestStatus.OPEN, RequestStatus.CLAIMED)
MAX_REMINDERS = 3
NAME_LIMIT = 128
TIME_LIMIT = 128
EMAIL_LIMIT = 254
NOTE_LIMIT = 1000
STAFF_REPLY_LIMIT = 4000  # Telegram's 4096 minus the "Message from the clinic" header
RELAY_LIMIT = 3500  # leaves room for the "#N name:" header within Telegram's 4096
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def valid_email(text: str) -> bool:
    return len(text) <= EMAIL_LIMIT and bool(_EMAIL.match(text))


@dataclass
class FormAnswers:
    """What the form collected, before it becomes a request."""

    name: str = ""
    contact_kind: str = "telegram"  # phone | email | telegram
    contact_value: str | None = None
    preferred_time: str = ""
    topic: str | None = None
    note: str | None = None
    language: str | None = None  # the one the person fills the form in


async def open_request_of(session: AsyncSession, user_id: int) -> ConsultRequest | None:
    return await session.scalar(
        select(ConsultRequest)
        .where(ConsultRequest.user_id == user_id, ConsultRequest.status.in_(ACTIVE))
        .order_by(ConsultRequest.id.desc())
        .limit(1)
    )


async def has_open_request(session: AsyncSession, user_id: int) -> bool:
    return await open_request_of(session, user_id) is not None


async def create_request(
    session: AsyncSession,
    user_id: int,
    answers: FormAnswers,
    *,
    now: datetime,
    fallback_source: str | None = None,
) -> tuple[ConsultRequest, bool]:
    """Store the request and its card in the outbox; (existing, False) if one is open.

    The source is the person's campaign (from their subscription), else ``fallback_source``.
    """
    existing = await open_request_of(session, user_id)
    if existing is not None:
        return existing, False
    subscriber = await session.get(Subscriber, user_id)
    source = (subscriber.source if subscriber else None) or fallback_source
    request = ConsultRequest(
        user_id=user_id,
        name=answers.name,
        contact_kind=answers.contact_kind,
        contact_value=answers.contact_value,
        preferred_time=answers.preferred_time,
        topic=answers.topic,
        note=answers.note,
        source=source,
        language=answers.language,
        consent_at=now,
        status=RequestStatus.OPEN,
        reminders_sent=0,
        relay_notice_sent=False,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(request)
    except IntegrityError:  # another replica stored this person's request a moment ago
        return await open_request_of(session, user_id), False
    outbox.enqueue(session, outbox.Kind.CARD, now=now, request_id=request.id)
    return request, True


async def cancel_request(
    session: AsyncSession, request_id: int, user_id: int, *, now: datetime
) -> ConsultRequest | None:
    """The person withdraws their own open request; None if it is not theirs or not open."""
    request = await session.get(ConsultRequest, request_id, with_for_update=True)
    if request is None or request.user_id != user_id or request.status not in ACTIVE:
        return None
    request.status = RequestStatus.CANCELLED
    request.closed_at = now
    outbox.enqueue(session, outbox.Kind.CARD_EDIT, now=now, request_id=request.id)
    text = texts.THREAD_CANCELLED.render(i18n.staff_language(), number=request.id)
    outbox.enqueue(session, outbox.Kind.THREAD, now=now, request_id=request.id, text=text)
    return request


@dataclass(frozen=True)
class Relay:
    request_id: int
    first: bool  # the first relay of this request: tell the person once
    blocked: bool = False  # not relayed: staff blocked the person (/block)
    tell_blocked: bool = False  # …and they have not been told yet (told once)


async def relay_from_person(
    session: AsyncSession,
    user_id: int,
    text: str | None,
    *,
    now: datetime,
    media: Media | None = None,
) -> Relay | None:
    """Pass the person's message (text, or ``media`` with its caption) to the staff thread
    of their open request, if any."""
    request = await open_request_of(session, user_id)
    if request is None:
        return None
    blocked = await session.get(ConsultBlock, user_id, with_for_update=True)
    if blocked is not None:  # /block: nothing reaches the staff group
        tell, blocked.notice_sent = not blocked.notice_sent, True
        return Relay(request.id, first=False, blocked=True, tell_blocked=tell)
    name, staff = html.escape(request.name), i18n.staff_language()
    if media is not None:
        header = texts.THREAD_MEDIA.render(
            staff, number=request.id, name=name, label=media.label(staff)
        )
        enqueue_copy(session, media, header, now=now, request_id=request.id)
    else:
        text = text or ""
        if len(text) > RELAY_LIMIT:
            text = text[:RELAY_LIMIT] + "…"
        message = texts.THREAD_RELAY.render(
            staff, number=request.id, name=name, text=html.escape(text)
        )
        outbox.enqueue(session, outbox.Kind.THREAD, now=now, request_id=request.id, text=message)
    first = not request.relay_notice_sent
    request.relay_notice_sent = True
    request.last_person_at = now
    return Relay(request.id, first)


class ActionOutcome(enum.Enum):
    DONE = "done"
    UNKNOWN = "unknown"  # no such request
    NOT_POSSIBLE = "not_possible"  # the request's state does not allow it
    ALREADY_CLAIMED = "already_claimed"


@dataclass(frozen=True)
class ActionResult:
    outcome: ActionOutcome
    request: ConsultRequest | None = None


async def staff_action(
    session: AsyncSession,
    request_id: int,
    action: str,
    *,
    staff_id: int,
    staff_name: str,
    now: datetime,
) -> ActionResult:
    """Claim, unclaim or close; the card is edited and the person told, via the outbox."""
    request = await session.get(ConsultRequest, request_id, with_for_update=True)
    if request is None:
        return ActionResult(ActionOutcome.UNKNOWN)
    if action == CLAIM and request.status is RequestStatus.CLAIMED:
        return ActionResult(ActionOutcome.ALREADY_CLAIMED, request)
    allowed = {
        CLAIM: (RequestStatus.OPEN,),
        UNCLAIM: (RequestStatus.CLAIMED,),
        CLOSE: ACTIVE,
    }
    if request.status not in allowed.get(action, ()):
        return ActionResult(ActionOutcome.NOT_POSSIBLE, request)
    number = request.id
    person = await person_language(session, request)
    if action == CLAIM:
        request.status = RequestStatus.CLAIMED
        request.claimed_by, request.claimed_by_name, request.claimed_at = staff_id, staff_name, now
        notice = texts.CONSULT_CLAIMED.render(person, staff=html.escape(staff_name), number=number)
    elif action == UNCLAIM:
        request.status = RequestStatus.OPEN
        request.claimed_by = request.claimed_by_name = request.claimed_at = None
        request.reminders_sent, request.last_reminded_at = 0, now  # reminders start afresh
        notice = texts.CONSULT_UNCLAIMED.render(person, number=number)
    else:
        request.status = RequestStatus.CLOSED
        request.closed_at = now
        if request.claimed_by is None:  # closed without a claim: record who closed it
            request.claimed_by, request.claimed_by_name = staff_id, staff_name
        notice = texts.CONSULT_CLOSED.render(person, number=number)
    request.updated_at = now
    outbox.enqueue(session, outbox.Kind.CARD_EDIT, now=now, request_id=number)
    extra = {}
    if action == CLOSE:  # asked once: a request is closed once (tipbot.helpdesk.ratings)
        notice += "\n\n" + texts.RATING_ASK.render(person)
        extra["buttons"] = [[[str(n), Rate(number, n).pack()] for n in (1, 2, 3, 4, 5)]]
    outbox.enqueue(
        session,
        outbox.Kind.PERSON,
        now=now,
        request_id=number,
        chat_id=request.user_id,
        text=notice,
        **extra,
    )
    return ActionResult(ActionOutcome.DONE, request)


async def person_language(session: AsyncSession, request: ConsultRequest) -> str:
    """The person's language now (they may have changed it since), else the form's."""
    stored = await session.scalar(
        select(Subscriber.language).where(Subscriber.user_id == request.user_id)
    )
    return i18n.resolve(stored or request.language)


async def request_for_staff_message(
    session: AsyncSession, chat_id: int, message_id: int
) -> ConsultRequest | None:
    """The request a staff-group message (card or relayed message) belongs to."""
    mapping = await session.get(StaffThreadMessage, (chat_id, message_id))
    return await session.get(ConsultRequest, mapping.request_id) if mapping else None


async def request_referred_to(session: AsyncSession, message: Message) -> ConsultRequest | None:
    """The request a staff-group message refers to: in reply mode, the card or relayed message
    it replies to (staff commands such as ``/s`` act on "this request")."""
    replied = message.reply_to_message
    if replied is None:
        return None
    request = await request_for_staff_message(session, message.chat_id, replied.message_id)
    if request is None and replied.from_user and replied.from_user.id == message.get_bot().id:
        # The card may still be in flight (its message id not yet recorded): as staff_reply.
        request = await request_named_in(session, replied.text or replied.caption) or (
            await request_for_staff_message(session, message.chat_id, replied.message_id)
        )
    return request


_NUMBER = re.compile(r"#(\d+)")


async def request_named_in(session: AsyncSession, bot_text: str | None) -> ConsultRequest | None:
    """The request a message *the bot wrote* names ("#N"), while a staff-group message of that
    request is in flight: a reply can arrive before the worker has recorded the message id."""
    match = _NUMBER.search(bot_text or "")
    number = parse_id(match.group(1), ConsultRequest.id) if match else None
    if number is None:
        return None
    in_flight = await session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.request_id == number,
            OutboxMessage.kind.in_((outbox.Kind.CARD, outbox.Kind.THREAD, outbox.Kind.COPY)),
            OutboxMessage.locked_until.is_not(None),
        )
    )
    return await session.get(ConsultRequest, number) if in_flight else None


async def reply_to_person(
    session: AsyncSession,
    request: ConsultRequest,
    text: str | None,
    *,
    staff_message_id: int,
    now: datetime,
    media: Media | None = None,
) -> bool:
    """Queue a staff member's message (text, or ``media``) for the person; False if the
    request is not open."""
    if request.status not in ACTIVE:
        return False
    if request.first_response_at is None:  # response times (the help desk's report)
        request.first_response_at = now
    request.last_staff_at = now
    language = await person_language(session, request)
    if media is not None:
        header = texts.CONSULT_FROM_CLINIC_MEDIA.render(language)
        enqueue_copy(
            session,
            media,
            header,
            now=now,
            request_id=request.id,
            chat_id=request.user_id,
            ack_reply_to=staff_message_id,
        )
        return True
    text = texts.CONSULT_FROM_CLINIC.render(language, text=html.escape(text))
    outbox.enqueue(
        session,
        outbox.Kind.PERSON,
        now=now,
        request_id=request.id,
        chat_id=request.user_id,
        text=text,
        ack_reply_to=staff_message_id,
    )
    return True


async def active_requests(session: AsyncSession) -> list[ConsultRequest]:
    query = select(ConsultRequest).where(ConsultRequest.status.in_(ACTIVE))
    return list(await session.scalars(query.order_by(ConsultRequest.id)))


async def repost_card(
    session: AsyncSession, request_id: int, *, now: datetime
) -> ConsultRequest | None:
    request = await session.get(ConsultRequest, request_id)
    if request is not None:
        outbox.enqueue(session, outbox.Kind.CARD, now=now, request_id=request.id, repost=True)
    return request


async def queue_reminders(
    session: AsyncSession,
    *,
    now: datetime,
    interval: timedelta,
    zone: str = "UTC",
    hours: ClinicHours | None = None,
) -> int:
    """Remind the staff group of requests unclaimed for ``interval`` of the clinic's working
    ``hours`` (at most 3 times each; without hours, of wall-clock time). The query finds
    those due by the wall clock (never fewer: business time is at most wall time)."""
    due = await session.scalars(
        select(ConsultRequest)
        .where(
            ConsultRequest.status == RequestStatus.OPEN,
            ConsultRequest.reminders_sent < MAX_REMINDERS,
            ConsultRequest.created_at <= now - interval,
            or_(
                ConsultRequest.last_reminded_at.is_(None),
                ConsultRequest.last_reminded_at <= now - interval,
            ),
        )
        .order_by(ConsultRequest.id)
        .with_for_update()
    )
    count = 0
    for request in due:
        waited = business_time_between(request.created_at, now, hours)
        since_last = business_time_between(
            request.last_reminded_at or request.created_at, now, hours
        )
        if waited < interval or since_last < interval:
            continue
        text = texts.REMINDER.render(
            i18n.staff_language(),
            number=request.id,
            name=html.escape(request.name),
            age=format_age(waited),
            since=clinic_time(request.created_at, zone, now),
        )
        outbox.enqueue(session, outbox.Kind.THREAD, now=now, request_id=request.id, text=text)
        request.reminders_sent += 1
        request.last_reminded_at = now
        count += 1
    return count
