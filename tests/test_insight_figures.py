"""The digest's figures (SQL aggregates) against a seeded database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.helpers import insight
from tipbot.core import funnel
from tipbot.insight import figures
from tipbot.insight.figures import Window

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


async def test_every_digest_figure_on_a_known_history(db, library):
    await insight.seed(db, NOW)
    topic_of = {tip.id: tip.topic for tip in library.tips.values()}
    async with db.read() as reader:
        digest = await figures.gather_digest(reader, NOW, topic_of)

    assert digest.totals.by_status == {"active": insight.ACTIVE, "stopped": insight.STOPPED}
    assert digest.totals.new == insight.NEW_THIS_WEEK

    # Everyone joined within the 12 weeks; by the status they have now.
    by_status: dict[str, int] = {}
    for row in digest.subscribers:
        by_status[row.key] = by_status.get(row.key, 0) + row.count
    assert by_status == {"active": 4, "stopped": 1}
    assert {row.week for row in digest.subscribers} <= {
        digest.history.week_start(i) for i in range(digest.history.weeks)
    }
    sources = {(row.key, row.count) for row in digest.sources}
    assert ("flyer", 1) in sources
    assert sum(row.count for row in digest.sources if row.key == figures.DIRECT) == 4

    topics = {t.topic: t for t in digest.topics}
    assert topics["omega3"].sent == insight.SENT_OMEGA3
    assert (
        topics["exercise"].sent == insight.SENT_EXERCISE
    )  # the failed one and last month's don't count
    assert (topics["omega3"].up, topics["omega3"].down) == (2, 1)
    assert (topics["exercise"].up, topics["exercise"].down) == (
        0,
        1,
    )  # the vote of 20 days ago is out
    assert topics["omega3"].up_rate == 2 / 3
    assert topics["omega3"].tried == 2 and topics["omega3"].tried_rate == 2 / 3
    assert topics["exercise"].tried == 0  # last month's "tried it" is out

    assert [(t.tip_id, t.up, t.down) for t in digest.best] == [("omega3-03", 2, 0)]
    assert [(t.tip_id, t.up, t.down) for t in digest.worst] == [
        ("exercise-01", 0, 2),
        ("omega3-08", 0, 1),
    ]

    assert digest.funnel == figures.Funnel(
        tips=4, button=6, form=4, request=3, claimed=2, closed=1, rated=1
    )

    claim, close = digest.times.to_claim, digest.times.to_close
    assert claim.count == 2 and claim.median == timedelta(minutes=10)  # the lower middle
    assert claim.buckets == [1, 1, 0, 0, 0, 0]
    assert close.count == 1 and close.median == timedelta(hours=2)
    assert close.buckets == [0, 0, 1, 0, 0, 0]
    answer = digest.times.to_first_answer  # the first message the person got from staff
    assert answer.count == 2 and answer.median == timedelta(minutes=25)
    assert answer.buckets == [0, 2, 0, 0, 0, 0]


async def test_an_empty_database_has_figures_too(db, library):
    async with db.read() as reader:
        digest = await figures.gather_digest(reader, NOW, {})
    assert digest.totals.by_status == {} and digest.totals.new == 0
    assert digest.subscribers == [] and digest.topics == [] and digest.best == []
    assert digest.funnel == figures.Funnel(0, 0, 0, 0, 0, 0)
    assert digest.times.to_claim.median is None


async def test_one_tip_per_language(db):
    await insight.seed(db, NOW)
    async with db.read() as reader:
        rows = await figures.tip_by_language(reader, "omega3-03")
        nothing = await figures.tip_by_language(reader, "no-such-tip")
    assert [(r.language, r.sent, r.up, r.down) for r in rows] == [("en", 1, 1, 0), ("es", 1, 1, 0)]
    assert nothing == []


async def test_funnel_steps_are_counted_per_day_without_a_person(db):
    await funnel.count_step(db, funnel.BUTTON, NOW)
    await funnel.count_step(db, funnel.BUTTON, NOW)
    await funnel.count_step(db, funnel.FORM, NOW + timedelta(days=1))
    async with db.read() as reader:
        result = await figures.consult_funnel(reader, Window(NOW - timedelta(days=1), NOW))
    assert (result.button, result.form) == (2, 0)
