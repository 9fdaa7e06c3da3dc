"""The person's history on a request's card: subscribed since, subscription status, topics,
language, and their earlier requests (number, date, outcome, rating).

Read when the card is rendered (posted or edited), so it is always current. Earlier requests
show only what staff need to see the pattern: never their contact details, names or notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot import i18n, texts
from tipbot.consult.cards import status_label, topic_label
from tipbot.core.content import Library
from tipbot.core.db.models import ConsultRequest, RequestStatus, Subscriber, SubscriptionStatus

EARLIER_SHOWN = 5  # the latest few; older ones add little and make the card long

_STATUS = {
    SubscriptionStatus.ACTIVE: texts.HISTORY_ACTIVE,
    SubscriptionStatus.PAUSED: texts.HISTORY_PAUSED,
    SubscriptionStatus.STOPPED: texts.HISTORY_STOPPED,
    SubscriptionStatus.BLOCKED: texts.HISTORY_BLOCKED,
}


@dataclass(frozen=True)
class Earlier:
    number: int
    created_at: datetime
    status: RequestStatus
    claimed_by_name: str | None
    rating: int | None


@dataclass(frozen=True)
class History:
    subscriber: Subscriber | None
    earlier: tuple[Earlier, ...]
    earlier_total: int


async def person_history(session: AsyncSession, request: ConsultRequest) -> History:
    subscriber = await session.get(Subscriber, request.user_id)
    rows = (
        await session.execute(
            select(
                ConsultRequest.id,
                ConsultRequest.created_at,
                ConsultRequest.status,
                ConsultRequest.claimed_by_name,
                ConsultRequest.rating,
            )
            .where(ConsultRequest.user_id == request.user_id, ConsultRequest.id < request.id)
            .order_by(ConsultRequest.id.desc())
        )
    ).all()
    earlier = tuple(Earlier(*row) for row in rows[:EARLIER_SHOWN])
    return History(subscriber, earlier, len(rows))


def render_history(history: History, library: Library, zone: str) -> str:
    """The card's history block, in the staff language."""
    language, tz = i18n.staff_language(), ZoneInfo(zone)
    subscriber = history.subscriber
    if subscriber is None:
        subscription = texts.HISTORY_NOT_SUBSCRIBED.render(language)
    else:
        topics = ", ".join(topic_label(t, library, language) for t in subscriber.topics or [])
        subscription = texts.HISTORY_SUBSCRIBED.render(
            language,
            since=i18n.format_date(subscriber.created_at.astimezone(tz), language),
            status=_STATUS[subscriber.status].render(language),
            topics=topics or texts.NOTHING.render(language),
            language=i18n.language_name(subscriber.language or i18n.default_language()),
        )
    if not history.earlier:
        earlier = texts.HISTORY_NO_EARLIER.render(language)
    else:
        items = []
        for item in history.earlier:
            outcome = status_label(_as_request(item), language)
            line = texts.HISTORY_EARLIER_ITEM.render(
                language,
                number=item.number,
                date=i18n.format_date(item.created_at.astimezone(tz), language),
                outcome=outcome,
            )
            if item.rating is not None:
                line += texts.HISTORY_RATED.render(language, rating=item.rating)
            items.append(line)
        more = history.earlier_total - len(history.earlier)
        if more:
            items.append(texts.HISTORY_MORE.render(language, count=more))
        earlier = texts.HISTORY_EARLIER.render(language, items="\n".join(items))
    return texts.HISTORY.render(language, subscription=subscription, earlier=earlier)


def _as_request(item: Earlier) -> ConsultRequest:
    """A detached stand-in, for ``status_label`` (which reads status and holder only)."""
    return ConsultRequest(status=item.status, claimed_by_name=item.claimed_by_name)
