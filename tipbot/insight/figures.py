"""Every figure the clinic sees, each ONE function over SQL aggregates.

The database does the counting (GROUP BY, SUM(CASE …), scalar subqueries); Python only
touches the aggregated rows (a few dozen), never a row per subscriber or delivery, so the
digest costs the same CPU here for 100 or 100,000 subscribers (``bench/bench_insight.py``).

Adding a figure is adding one function here (or a column to one), one line to ``Digest``
in ``tipbot/insight/digest.py``, and one CSV in ``tipbot/insight/report.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ColumnElement

from tipbot.core.db.models import (
    ConsultRequest,
    Delivery,
    DeliveryStatus,
    FunnelCount,
    RequestStatus,
    SavedTip,
    Subscriber,
    TipTried,
    TipVote,
    UTCDateTime,
)

Reader = AsyncSession | AsyncConnection
WEEK = timedelta(days=7)
DIRECT = ""  # the source of people who came without a campaign link
NO_LANGUAGE = ""
#: Upper edges of the time buckets of claim and close times (the last one is open).
TIME_BUCKETS = (
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(days=1),
    timedelta(days=3),
)


@dataclass(frozen=True)
class Window:
    """A half-open time range ``[since, until)``, in UTC."""

    since: datetime
    until: datetime

    @classmethod
    def last(cls, days: int, now: datetime) -> Window:
        return cls(now - timedelta(days=days), now)

    def week_start(self, index: int) -> date:
        return (self.since + index * WEEK).date()

    @property
    def weeks(self) -> int:
        return max(1, -(-(self.until - self.since) // WEEK))


def _dialect(reader: Reader) -> str:
    bind = reader.bind if isinstance(reader, AsyncSession) else reader
    return bind.dialect.name


def _sqlite_time(value: datetime) -> str:
    """A UTC datetime as SQLite stores ``UTCDateTime`` (naive ISO text), for julianday()."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _seconds(reader: Reader, start: Any, end: Any) -> ColumnElement[float]:
    """``end - start`` in seconds, in SQL."""
    if _dialect(reader) == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def _week_index(reader: Reader, column: Any, since: datetime) -> ColumnElement[int]:
    """Whole weeks from ``since`` to ``column`` (0 for the first week), in SQL."""
    if _dialect(reader) == "sqlite":
        days = func.julianday(column) - func.julianday(literal(_sqlite_time(since)))
        return cast(days / 7, Integer)
    epoch = func.extract("epoch", column - literal(since, UTCDateTime))
    return cast(func.floor(epoch / WEEK.total_seconds()), Integer)


def _in(column: Any, window: Window) -> ColumnElement[bool]:
    return and_(column >= window.since, column < window.until)


# ----------------------------------------------------------------------------- subscribers


@dataclass(frozen=True)
class WeekCount:
    week: date  # the first day of the week (UTC)
    key: str  # a status or a source
    count: int


async def subscribers_by_week(reader: Reader, window: Window) -> list[WeekCount]:
    """Subscribers by the week they joined and the status they have now; everyone who joined
    before the window is in its first week (the chart adds them up: subscribers over time)."""
    index = case(
        (Subscriber.created_at < window.since, 0),
        else_=_week_index(reader, Subscriber.created_at, window.since),
    ).label("week")
    rows = await reader.execute(
        select(index, Subscriber.status, func.count())
        .where(Subscriber.created_at < window.until)
        .group_by(index, Subscriber.status)
        .order_by(index, Subscriber.status)
    )
    return [WeekCount(window.week_start(w), str(s), n) for w, s, n in rows]


async def new_by_source(reader: Reader, window: Window) -> list[WeekCount]:
    """New subscribers per week and source (deep-link campaign; ``""``: none)."""
    index = _week_index(reader, Subscriber.created_at, window.since).label("week")
    source = func.coalesce(Subscriber.source, DIRECT).label("source")
    rows = await reader.execute(
        select(index, source, func.count())
        .where(_in(Subscriber.created_at, window))
        .group_by(index, source)
        .order_by(index, source)
    )
    return [WeekCount(window.week_start(w), s, n) for w, s, n in rows]


@dataclass(frozen=True)
class SubscriberTotals:
    by_status: dict[str, int]
    new: int  # joined within the window


async def subscriber_totals(reader: Reader, window: Window) -> SubscriberTotals:
    joined = func.sum(case((_in(Subscriber.created_at, window), 1), else_=0))
    rows = (
        await reader.execute(
            select(Subscriber.status, func.count(), joined).group_by(Subscriber.status)
        )
    ).all()
    return SubscriberTotals({str(s): n for s, n, _ in rows}, sum(int(j or 0) for *_, j in rows))


# ----------------------------------------------------------------------------- tips


@dataclass(frozen=True)
class TopicFigures:
    topic: str
    sent: int
    up: int
    down: int
    tried: int = 0  # "✅ I tried it" pressed in the window (issue 24)

    @property
    def tried_rate(self) -> float:
        return self.tried / self.sent if self.sent else 0.0

    @property
    def up_rate(self) -> float:
        return self.up / self.sent if self.sent else 0.0

    @property
    def down_rate(self) -> float:
        return self.down / self.sent if self.sent else 0.0


_UP = func.sum(case((TipVote.vote > 0, 1), else_=0))
_DOWN = func.sum(case((TipVote.vote < 0, 1), else_=0))
OTHER_TOPIC = "?"  # a tip no longer in the library


async def tips_by_topic(
    reader: Reader, window: Window, topic_of: dict[str, str]
) -> list[TopicFigures]:
    """Daily tips sent per topic in the window, and the 👍 / 👎 given in it. Deliveries name
    the tip, the library its topic: SQL counts per tip (a few hundred rows), and the library
    adds those up per topic (a CASE of every tip id in the query cost 10x the CPU)."""
    sent: dict[str, int] = {}
    for tip_id, count in await reader.execute(
        select(Delivery.tip_id, func.count())
        # created_at is indexed and within seconds of the send
        .where(_in(Delivery.created_at, window), Delivery.status == DeliveryStatus.SENT)
        .group_by(Delivery.tip_id)
    ):
        topic = topic_of.get(tip_id, OTHER_TOPIC)
        sent[topic] = sent.get(topic, 0) + count
    votes = {
        t: (int(u), int(d))
        for t, u, d in await reader.execute(
            select(TipVote.topic, _UP, _DOWN)
            .where(_in(TipVote.updated_at, window))
            .group_by(TipVote.topic)
        )
    }
    tried: dict[str, int] = {}
    for tip_id, count in await reader.execute(
        select(TipTried.tip_id, func.count())
        .where(_in(TipTried.created_at, window))
        .group_by(TipTried.tip_id)
    ):
        topic = topic_of.get(tip_id, OTHER_TOPIC)
        tried[topic] = tried.get(topic, 0) + count
    topics = sorted(set(sent) | set(votes) | set(tried))
    return [
        TopicFigures(t, sent.get(t, 0), *votes.get(t, (0, 0)), tried=tried.get(t, 0))
        for t in topics
    ]


@dataclass(frozen=True)
class TipScore:
    tip_id: str
    up: int
    down: int

    @property
    def score(self) -> int:
        return self.up - self.down


async def best_and_worst_tips(reader: Reader, n: int = 5) -> tuple[list[TipScore], list[TipScore]]:
    """The ``n`` tips with the most 👍 over 👎 (with at least one 👍), and the ``n`` with the
    most 👎 over 👍 (with at least one 👎); a person's vote counts until they change it."""
    scores = [
        TipScore(t, int(u), int(d))
        for t, u, d in await reader.execute(
            select(TipVote.tip_id, _UP, _DOWN).group_by(TipVote.tip_id)
        )
    ]  # one row per tip voted on: the library's few hundred, sorted here
    best = sorted((t for t in scores if t.up > 0), key=lambda t: (-t.score, -t.up, t.tip_id))
    worst = sorted((t for t in scores if t.down > 0), key=lambda t: (t.score, -t.down, t.tip_id))
    return best[:n], worst[:n]


@dataclass(frozen=True)
class LanguageFigures:
    language: str  # "" where the person's language is not known
    sent: int
    up: int
    down: int


async def tip_by_language(reader: Reader, tip_id: str) -> list[LanguageFigures]:
    """One tip: daily sends and votes per subscriber language, all time (what the history
    keeps, TIPBOT_DELIVERY_RETENTION_DAYS)."""
    language = func.coalesce(Subscriber.language, NO_LANGUAGE).label("language")
    sent = dict(
        (
            await reader.execute(
                select(language, func.count())
                .select_from(Delivery)
                .join(Subscriber, Subscriber.user_id == Delivery.subscriber_id)
                .where(Delivery.tip_id == tip_id, Delivery.status == DeliveryStatus.SENT)
                .group_by(language)
            )
        ).all()
    )
    votes = {
        lang: (int(u), int(d))
        for lang, u, d in await reader.execute(
            select(language, _UP, _DOWN)
            .select_from(TipVote)
            .join(Subscriber, Subscriber.user_id == TipVote.subscriber_id)
            .where(TipVote.tip_id == tip_id)
            .group_by(language)
        )
    }
    languages = sorted(set(sent) | set(votes))
    return [
        LanguageFigures(lang, sent.get(lang, 0), *votes.get(lang, (0, 0))) for lang in languages
    ]


async def tip_marks(reader: Reader, tip_id: str) -> tuple[int, int]:
    """One tip: how many people marked it "✅ I tried it", and how many keep it saved."""
    row = (
        await reader.execute(
            select(
                select(func.count())
                .select_from(TipTried)
                .where(TipTried.tip_id == tip_id)
                .scalar_subquery(),
                select(func.count())
                .select_from(SavedTip)
                .where(SavedTip.tip_id == tip_id)
                .scalar_subquery(),
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


# ----------------------------------------------------------------------------- consultations


@dataclass(frozen=True)
class Funnel:
    """From a tip to a closed request, within one window. The first two steps are counted
    per day (``tipbot.core.funnel``), so they cover whole UTC days."""

    tips: int  # daily tips sent
    button: int  # "Free consultation" pressed
    form: int  # forms started (any entry)
    request: int  # requests made
    claimed: int  # of those, claimed by staff
    closed: int  # of those, closed by staff
    rated: int = 0  # of those, rated by the person after the close (issue 23)

    def steps(self) -> list[tuple[str, int]]:
        return [
            ("tips", self.tips),
            ("button", self.button),
            ("form", self.form),
            ("request", self.request),
            ("claimed", self.claimed),
            ("closed", self.closed),
            ("rated", self.rated),
        ]


async def consult_funnel(reader: Reader, window: Window) -> Funnel:
    """One SELECT of scalar subqueries: each step one aggregate."""

    def counted(step: str) -> Any:
        days = and_(FunnelCount.day >= window.since.date(), FunnelCount.day <= window.until.date())
        return (
            select(func.coalesce(func.sum(FunnelCount.count), 0))
            .where(days, FunnelCount.step == step)
            .scalar_subquery()
        )

    made = _in(ConsultRequest.created_at, window)
    requests = select(func.count()).select_from(ConsultRequest).where(made)
    row = (
        await reader.execute(
            select(
                select(func.count())
                .select_from(Delivery)
                .where(_in(Delivery.created_at, window), Delivery.status == DeliveryStatus.SENT)
                .scalar_subquery(),
                counted("button"),
                counted("form"),
                requests.scalar_subquery(),
                requests.where(ConsultRequest.claimed_at.is_not(None)).scalar_subquery(),
                requests.where(ConsultRequest.status == RequestStatus.CLOSED).scalar_subquery(),
                requests.where(ConsultRequest.rating.is_not(None)).scalar_subquery(),
            )
        )
    ).one()
    return Funnel(*(int(value or 0) for value in row))


@dataclass(frozen=True)
class Durations:
    """How long something took, over the requests of a window."""

    count: int
    median: timedelta | None
    buckets: list[int]  # per TIME_BUCKETS edge, then the rest


@dataclass(frozen=True)
class RequestTimes:
    to_claim: Durations  # created -> claimed
    to_close: Durations  # created -> closed (closed by staff, not cancelled)
    # created -> the first staff message the person received (issue 23's help desk)
    to_first_answer: Durations


async def request_times(reader: Reader, window: Window) -> RequestTimes:
    """Time to claim, to the first answer and to close of the requests made in the window:
    counts per bucket
    (SUM(CASE …)) and the median (the middle row of the ordered durations, in SQL)."""
    made = _in(ConsultRequest.created_at, window)

    async def durations(end: Any, *where: Any) -> Durations:
        seconds = _seconds(reader, ConsultRequest.created_at, end)
        edges = [edge.total_seconds() for edge in TIME_BUCKETS]
        bucket_sums = [
            func.sum(case((seconds < edge, 1), else_=0))
            if i == 0
            else func.sum(case((and_(seconds >= edges[i - 1], seconds < edge), 1), else_=0))
            for i, edge in enumerate(edges)
        ]
        bucket_sums.append(func.sum(case((seconds >= edges[-1], 1), else_=0)))
        row = (await reader.execute(select(func.count(), *bucket_sums).where(made, *where))).one()
        count = int(row[0])
        median = None
        if count:  # every duration is known: the WHERE excludes NULL ends
            middle = await reader.scalar(
                select(seconds)
                .where(made, *where)
                .order_by(seconds)
                .offset((count - 1) // 2)
                .limit(1)
            )
            median = timedelta(seconds=round(float(middle)))
        return Durations(count, median, [int(v or 0) for v in row[1:]])

    return RequestTimes(
        to_claim=await durations(ConsultRequest.claimed_at, ConsultRequest.claimed_at.is_not(None)),
        to_close=await durations(
            ConsultRequest.closed_at,
            ConsultRequest.closed_at.is_not(None),
            ConsultRequest.status == RequestStatus.CLOSED,
        ),
        to_first_answer=await durations(
            ConsultRequest.first_response_at, ConsultRequest.first_response_at.is_not(None)
        ),
    )


# ----------------------------------------------------------------------------- the digest


HISTORY_WEEKS = 12  # the charts over time
BEST_WORST = 5


@dataclass(frozen=True)
class Digest:
    """Every figure of the weekly digest (and of ``/stats`` and ``tipbot report``)."""

    week: Window  # the last 7 days
    history: Window  # the last HISTORY_WEEKS weeks, for the charts over time
    totals: SubscriberTotals
    subscribers: list[WeekCount]
    sources: list[WeekCount]
    topics: list[TopicFigures]
    best: list[TipScore]
    worst: list[TipScore]
    funnel: Funnel
    times: RequestTimes


async def gather_digest(reader: Reader, now: datetime, topic_of: dict[str, str]) -> Digest:
    """All the digest's figures, as of ``now``: a dozen aggregate queries."""
    week = Window.last(7, now)
    history = Window(now - HISTORY_WEEKS * WEEK, now)
    best, worst = await best_and_worst_tips(reader, BEST_WORST)
    return Digest(
        week=week,
        history=history,
        totals=await subscriber_totals(reader, week),
        subscribers=await subscribers_by_week(reader, history),
        sources=await new_by_source(reader, history),
        topics=await tips_by_topic(reader, week, topic_of),
        best=best,
        worst=worst,
        funnel=await consult_funnel(reader, week),
        times=await request_times(reader, week),
    )
