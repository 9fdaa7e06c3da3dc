"""The sweep's rules (``tipbot/delivery/rules.py``), called directly: no database, no bot."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from tipbot.core.db.models import Delivery, DeliveryStatus, Subscriber, SubscriptionStatus
from tipbot.core.sender import Outcome, SendResult
from tipbot.delivery import sql_postgresql, sql_sqlite
from tipbot.delivery.rules import (
    ADVANCED_COLUMNS,
    DELIVERY_STATUS,
    DUE_COLUMNS,
    MAX_DELIVERY_ATTEMPTS,
    Claim,
    DueSubscriber,
    NewDelivery,
    Verdict,
    plan_claim,
    retries_expire_before,
    retry_is_due,
    verdict,
)

NOW = datetime(2026, 6, 1, 2, 30, tzinfo=UTC)  # 08:00 in Kolkata
GRACE = timedelta(hours=3)


def due(user_id: int = 1, at: datetime = NOW, **fields) -> DueSubscriber:
    values = {
        "user_id": user_id,
        "status": SubscriptionStatus.ACTIVE,
        "timezone": "Asia/Kolkata",
        "send_time": time(8, 0),
        "topics": ["omega3"],
        "next_send_at": at,
        "paused_until": None,
        "tip_seed": 7,
        "tip_cursors": {},
        "last_topic": None,
        "language": "es",
    }
    return DueSubscriber(**{**values, **fields})


def inserted(plan, *, skip: set[int] = frozenset()) -> list[SimpleNamespace]:
    """What the INSERT ... ON CONFLICT DO NOTHING RETURNING gives back: every row but ``skip``'s
    (their day had a row already), ids from 100, statuses as the plain strings of text SQL."""
    return [
        SimpleNamespace(id=100 + n, subscriber_id=row.subscriber_id, status=row.status.value,
                        tip_id=row.tip_id, variant=row.variant)
        for n, row in enumerate(plan.deliveries)
        if row.subscriber_id not in skip
    ]  # fmt: skip


# ----------------------------------------------------------------------------- what is due


def test_a_due_person_gets_the_days_row_a_tip_and_tomorrows_time(library):
    person = due()
    plan = plan_claim([person], library, now=NOW, grace=GRACE)
    (row,) = plan.deliveries
    assert row == NewDelivery(1, date(2026, 6, 1), row.tip_id, DeliveryStatus.PENDING, 1, NOW)
    assert row.tip_id in {tip.id for tip in library.tips_by_topic["omega3"]}
    assert person.next_send_at == NOW + timedelta(days=1)
    assert (person.tip_cursors, person.last_topic) == ({"omega3": 1}, "omega3")
    (claim,) = plan.settle(inserted(plan))
    assert claim == Claim(100, 1, row.tip_id, 1, "es")  # rendered in the person's language


def test_local_dates_follow_each_persons_zone(library):
    at = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)  # 20:00 on June 1st in Los Angeles
    people = [
        due(1, at, timezone="America/Los_Angeles", send_time=time(20, 0)),
        due(2, at, timezone="Asia/Kolkata", send_time=time(8, 30)),
    ]
    plan = plan_claim(people, library, now=at, grace=GRACE)
    assert [row.local_date for row in plan.deliveries] == [date(2026, 6, 1), date(2026, 6, 2)]


def test_within_the_grace_a_late_tip_still_goes_out(library):
    late = NOW + GRACE - timedelta(minutes=1)
    person = due()
    plan = plan_claim([person], library, now=late, grace=GRACE)
    assert [row.status for row in plan.deliveries] == [DeliveryStatus.PENDING]
    assert plan.deliveries[0].due_at == NOW  # the day's own due time, not the claim's
    assert person.next_send_at == NOW + timedelta(days=1)


def test_beyond_the_grace_the_day_is_skipped_and_the_next_time_awaited(library):
    later = NOW + timedelta(hours=5)
    person = due()
    plan = plan_claim([person], library, now=later, grace=GRACE)
    assert [(row.status, row.attempts, row.tip_id) for row in plan.deliveries] == [
        (DeliveryStatus.SKIPPED, 0, None)
    ]
    assert plan.skipped == 1 and plan.picked == {}
    assert person.next_send_at == NOW + timedelta(days=1)
    assert person.tip_cursors == {}  # no tip used
    assert plan.settle(inserted(plan)) == []


def test_after_a_long_downtime_the_old_day_is_skipped_and_todays_sent(library):
    person = due(at=NOW - timedelta(days=2))
    plan = plan_claim([person], library, now=NOW + timedelta(minutes=10), grace=GRACE)
    assert [(row.local_date, row.status, row.due_at) for row in plan.deliveries] == [
        (date(2026, 5, 30), DeliveryStatus.SKIPPED, NOW - timedelta(days=2)),
        (date(2026, 6, 1), DeliveryStatus.PENDING, NOW),
    ]
    assert person.next_send_at == NOW + timedelta(days=1)


def test_a_pause_that_is_over_ends_and_the_tip_goes_out(library):
    person = due(status=SubscriptionStatus.PAUSED, paused_until=NOW - timedelta(hours=1))
    plan = plan_claim([person], library, now=NOW, grace=GRACE)
    assert (person.status, person.paused_until) == (SubscriptionStatus.ACTIVE, None)
    assert [row.status for row in plan.deliveries] == [DeliveryStatus.PENDING]


@pytest.mark.parametrize(
    ("status", "paused_until", "next_send_at"),
    [
        (SubscriptionStatus.PAUSED, NOW + timedelta(days=2, hours=-1), NOW + timedelta(days=2)),
        (SubscriptionStatus.PAUSED, None, None),
        (SubscriptionStatus.STOPPED, None, None),
        (SubscriptionStatus.BLOCKED, None, None),
    ],
)
def test_a_person_not_active_is_only_given_their_next_time(
    library, status, paused_until, next_send_at
):
    person = due(status=status, paused_until=paused_until)
    plan = plan_claim([person], library, now=NOW, grace=GRACE)
    assert plan.deliveries == [] and plan.picked == {}
    assert person.next_send_at == next_send_at


def test_a_day_that_had_its_row_already_gives_the_tip_back(library):
    # e.g. a fall-back hour brings the same local day due twice
    first, second = due(1), due(2, tip_cursors={"omega3": 4}, last_topic="omega3")
    plan = plan_claim([first, second], library, now=NOW, grace=GRACE)
    claims = plan.settle(inserted(plan, skip={2}))
    assert [claim.chat_id for claim in claims] == [1]
    assert (second.tip_cursors, second.last_topic) == ({"omega3": 4}, "omega3")
    assert first.tip_cursors == {"omega3": 1}
    assert second.next_send_at == NOW + timedelta(days=1)  # still advanced: not due again


# ----------------------------------------------------------------------------- retries


def test_retries_are_spaced_quadratically_after_the_due_time():
    assert not retry_is_due(NOW, 1, NOW + timedelta(minutes=4))
    assert retry_is_due(NOW, 1, NOW + timedelta(minutes=5))
    assert not retry_is_due(NOW, 2, NOW + timedelta(minutes=19))
    assert retry_is_due(NOW, 2, NOW + timedelta(minutes=20))
    assert retry_is_due(NOW, 4, NOW + timedelta(minutes=80))


def test_retries_expire_at_the_end_of_the_grace_window():
    assert retries_expire_before(NOW, GRACE) == NOW - GRACE


# ----------------------------------------------------------------------------- outcomes


def _claim(attempts: int = 1) -> Claim:
    return Claim(1, 1, "tip", attempts)


@pytest.mark.parametrize(
    ("outcome", "attempts", "expected", "status"),
    [
        (Outcome.SENT, 1, Verdict.SENT, DeliveryStatus.SENT),
        (Outcome.TRANSIENT, 1, Verdict.RETRY, DeliveryStatus.RETRY),
        (Outcome.TRANSIENT, MAX_DELIVERY_ATTEMPTS - 1, Verdict.RETRY, DeliveryStatus.RETRY),
        (Outcome.TRANSIENT, MAX_DELIVERY_ATTEMPTS, Verdict.FAILED, DeliveryStatus.FAILED),
        (Outcome.FAILED, 1, Verdict.FAILED, DeliveryStatus.FAILED),
        (Outcome.GONE, 1, Verdict.BLOCKED, DeliveryStatus.FAILED),
        (Outcome.GONE, MAX_DELIVERY_ATTEMPTS, Verdict.BLOCKED, DeliveryStatus.FAILED),
    ],
)
def test_the_outcome_rule(outcome, attempts, expected, status):
    decided = verdict(_claim(attempts), SendResult(outcome, None, "reason"))
    assert decided is expected
    assert DELIVERY_STATUS[decided] is status


def test_each_verdict_is_a_field_of_the_sweep_report():
    from tipbot.delivery.sweep import SweepReport

    assert {v.value for v in Verdict} <= set(SweepReport.__dataclass_fields__)


# ----------------------------------------------------------------------------- the columns


def test_the_claims_columns_are_the_tables_and_each_statement_names_them_once():
    assert set(DUE_COLUMNS) <= set(Subscriber.__table__.c.keys())
    assert set(ADVANCED_COLUMNS) <= set(DUE_COLUMNS)
    assert set(NewDelivery._fields) <= set(Delivery.__table__.c.keys())
    advance_pg = sql_postgresql.ADVANCE.text
    for name in ADVANCED_COLUMNS:
        assert sql_sqlite.ADVANCE.count(f"{name} = ?") == 1
        assert advance_pg.count(f"{name} = ") == 1
    for name in NewDelivery._fields:
        assert f":{name} " in sql_postgresql.INSERT_DELIVERIES.text
        assert name in sql_sqlite.INSERT_DELIVERIES
