"""A small clinic's history with known figures, for the insight tests (figures, CSV, charts)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tipbot.core.db import Database
from tipbot.core.db.models import (
    ConsultRequest,
    Delivery,
    DeliveryStatus,
    FunnelCount,
    RequestStatus,
    Subscriber,
    SubscriptionStatus,
    TipTried,
    TipVote,
)

# Known answers, as of ``now`` given to ``seed``.
ACTIVE, STOPPED, NEW_THIS_WEEK = 4, 1, 2
SENT_OMEGA3, SENT_EXERCISE = 3, 1


def _subscriber(user_id: int, created: datetime, **fields) -> Subscriber:
    return Subscriber(
        user_id=user_id,
        timezone="UTC",
        send_time=time(9, 0),
        topics=["omega3", "exercise"],
        created_at=created,
        **fields,
    )


async def seed(db: Database, now: datetime) -> None:
    """Five people (two joined this week, one via ``flyer``; one stopped, one Spanish), four
    daily tips this week (one failed, one from last month), votes, three requests."""
    week_ago = now - timedelta(days=7)
    async with db.session() as session:
        session.add_all(
            [
                _subscriber(1, now - timedelta(days=60), language="en"),
                _subscriber(2, now - timedelta(days=30), language="es"),
                _subscriber(3, now - timedelta(days=20), status=SubscriptionStatus.STOPPED),
                _subscriber(4, now - timedelta(days=2), source="flyer", language="en"),
                _subscriber(5, now - timedelta(hours=3), language="es"),
            ]
        )
        await session.flush()

        def delivery(who: int, days_ago: float, tip: str, status=DeliveryStatus.SENT):
            at = now - timedelta(days=days_ago)
            return Delivery(
                subscriber_id=who,
                local_date=at.date(),
                tip_id=tip,
                status=status,
                due_at=at,
                created_at=at,
                sent_at=at if status == DeliveryStatus.SENT else None,
            )

        session.add_all(
            [
                delivery(1, 1, "omega3-03"),
                delivery(2, 1, "omega3-03"),
                delivery(1, 2, "omega3-08"),
                delivery(2, 3, "exercise-01"),
                delivery(4, 1, "exercise-01", DeliveryStatus.FAILED),
                delivery(1, 30, "exercise-01"),  # before the week
            ]
        )
        session.add_all(
            [
                TipVote(
                    subscriber_id=1,
                    tip_id="omega3-03",
                    topic="omega3",
                    vote=1,
                    updated_at=now - timedelta(days=1),
                ),
                TipVote(
                    subscriber_id=2,
                    tip_id="omega3-03",
                    topic="omega3",
                    vote=1,
                    updated_at=now - timedelta(days=1),
                ),
                TipVote(
                    subscriber_id=1,
                    tip_id="omega3-08",
                    topic="omega3",
                    vote=-1,
                    updated_at=now - timedelta(days=2),
                ),
                TipVote(
                    subscriber_id=2,
                    tip_id="exercise-01",
                    topic="exercise",
                    vote=-1,
                    updated_at=now - timedelta(days=3),
                ),
                TipVote(
                    subscriber_id=3,
                    tip_id="exercise-01",
                    topic="exercise",
                    vote=-1,
                    updated_at=now - timedelta(days=20),
                ),
            ]
        )

        # "✅ I tried it" (issue 24): two on omega-3 tips this week, one on exercise long ago.
        session.add_all(
            [
                TipTried(user_id=1, tip_id="omega3-03", created_at=now - timedelta(days=1)),
                TipTried(user_id=2, tip_id="omega3-08", created_at=now - timedelta(days=2)),
                TipTried(user_id=3, tip_id="exercise-01", created_at=now - timedelta(days=30)),
            ]
        )

        def request(
            who: int,
            hours_ago: float,
            claim_after=None,
            close_after=None,
            status=None,
            rating=None,
            answer_after=None,
        ):
            created = now - timedelta(hours=hours_ago)
            return ConsultRequest(
                rating=rating,
                first_response_at=created + answer_after if answer_after else None,
                user_id=who,
                name=f"Person {who}",
                contact_kind="telegram",
                preferred_time="any",
                consent_at=created,
                created_at=created,
                status=status,
                claimed_at=created + claim_after if claim_after else None,
                closed_at=created + close_after if close_after else None,
            )

        session.add_all(
            [
                request(
                    1,
                    50,
                    timedelta(minutes=10),
                    timedelta(hours=2),
                    RequestStatus.CLOSED,
                    rating=5,
                    answer_after=timedelta(minutes=25),
                ),
                request(
                    2,
                    30,
                    timedelta(minutes=40),
                    None,
                    RequestStatus.CLAIMED,
                    answer_after=timedelta(minutes=50),
                ),
                request(4, 5, None, None, RequestStatus.OPEN),
                request(3, 24 * 20, timedelta(hours=1), timedelta(hours=3), RequestStatus.CLOSED),
            ]
        )
        session.add_all(
            [
                FunnelCount(day=(now - timedelta(days=1)).date(), step="button", count=5),
                FunnelCount(day=now.date(), step="button", count=1),
                FunnelCount(day=(now - timedelta(days=2)).date(), step="form", count=4),
                FunnelCount(day=date(2000, 1, 1), step="form", count=99),  # long ago
            ]
        )
    del week_ago
