"""``/stats``: the numbers staff ask about, in a few aggregate queries, with the digest's
overview chart (``tipbot.insight``) above them; ``/stats tip ID``: one tip's figures."""

from __future__ import annotations

import html
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Update
from telegram.constants import ChatAction

from tipbot import i18n, texts
from tipbot.core.db.models import (
    ConsultRequest,
    Delivery,
    DeliveryStatus,
    Subscriber,
    TipVote,
)
from tipbot.core.health import unknown_fate
from tipbot.core.runtime import Context
from tipbot.core.staff import staff_only
from tipbot.insight import digest as insight_digest
from tipbot.insight.charts import render_overview
from tipbot.insight.figures import tip_by_language, tip_marks
from tipbot.staff.variants import VariantFigures, variant_figures

WEEK = timedelta(days=7)
TOP_SOURCES = 10
LEAST_LIKED = 5
CLAIM_SAMPLE = 1000  # the median over the latest claims is enough, and bounded


@dataclass(frozen=True)
class TopicVotes:
    topic: str
    up: int
    down: int


@dataclass(frozen=True)
class TipScore:
    tip_id: str
    up: int
    down: int


@dataclass(frozen=True)
class Stats:
    subscribers: dict[str, int]
    new_this_week: int
    sources: list[tuple[str | None, int]]
    tips_sent_week: int
    tips_unknown_week: int  # left pending by a crash: maybe sent, never sent again
    votes_by_topic: list[TopicVotes]
    least_liked: list[TipScore]
    requests: dict[str, int]
    median_time_to_claim: timedelta | None


async def gather_stats(session: AsyncSession, now: datetime) -> Stats:
    week_ago = now - WEEK
    subscribers = await _count_by(session, Subscriber.status)
    new_this_week = await session.scalar(
        select(func.count()).where(Subscriber.created_at >= week_ago)
    )
    sources = await session.execute(
        select(Subscriber.source, func.count())
        .group_by(Subscriber.source)
        .order_by(func.count().desc(), Subscriber.source)
        .limit(TOP_SOURCES)
    )
    tips_sent = await session.scalar(
        select(func.count()).where(
            Delivery.status == DeliveryStatus.SENT, Delivery.sent_at >= week_ago
        )
    )
    tips_unknown = await session.scalar(select(func.count()).where(unknown_fate(now)))
    up = func.sum(case((TipVote.vote > 0, 1), else_=0))
    down = func.sum(case((TipVote.vote < 0, 1), else_=0))
    by_topic = await session.execute(
        select(TipVote.topic, up, down).group_by(TipVote.topic).order_by(TipVote.topic)
    )
    least_liked = await session.execute(
        select(TipVote.tip_id, up, down)
        .group_by(TipVote.tip_id)
        .having(down > 0)
        .order_by((up - down).asc(), down.desc(), TipVote.tip_id)
        .limit(LEAST_LIKED)
    )
    claims = await session.execute(
        select(ConsultRequest.created_at, ConsultRequest.claimed_at)
        .where(ConsultRequest.claimed_at.is_not(None))
        .order_by(ConsultRequest.claimed_at.desc())
        .limit(CLAIM_SAMPLE)
    )
    waits = [claimed - created for created, claimed in claims]
    return Stats(
        subscribers=subscribers,
        new_this_week=new_this_week or 0,
        sources=list(sources),
        tips_sent_week=tips_sent or 0,
        tips_unknown_week=tips_unknown or 0,
        votes_by_topic=[TopicVotes(t, int(u), int(d)) for t, u, d in by_topic],
        least_liked=[TipScore(t, int(u), int(d)) for t, u, d in least_liked],
        requests=await _count_by(session, ConsultRequest.status),
        median_time_to_claim=statistics.median(waits) if waits else None,
    )


async def _count_by(session: AsyncSession, column) -> dict[str, int]:
    rows = await session.execute(select(column, func.count()).group_by(column))
    return {str(getattr(key, "value", key)): count for key, count in rows}


# ----------------------------------------------------------------------------- /stats


def _counts(counts: dict[str, int], language: str) -> str:
    if not counts:
        return texts.STATS_NONE.render(language)
    return ", ".join(f"{html.escape(key)} {value:,}" for key, value in sorted(counts.items()))


def _duration(value: timedelta | None, language: str) -> str:
    if value is None:
        return texts.STATS_NONE.render(language)
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def render_stats(stats: Stats, language: str) -> str:
    direct = texts.STATS_DIRECT.render(language)
    sources = {(source or direct): count for source, count in stats.sources}
    votes = "\n".join(
        texts.STATS_VOTE_LINE.render(language, topic=html.escape(v.topic), up=v.up, down=v.down)
        for v in stats.votes_by_topic
    )
    least_liked = "\n".join(
        texts.STATS_TIP_LINE.render(language, tip=html.escape(t.tip_id), up=t.up, down=t.down)
        for t in stats.least_liked
    )
    return texts.STATS.render(
        language,
        subscribers=_counts(stats.subscribers, language),
        new_this_week=f"{stats.new_this_week:,}",
        sources=_counts(sources, language),
        tips_sent=f"{stats.tips_sent_week:,}",
        tips_unknown=f"{stats.tips_unknown_week:,}",
        votes=votes or f"  {texts.STATS_NONE.render(language)}",
        least_liked=least_liked or f"  {texts.STATS_NONE.render(language)}",
        requests=_counts(stats.requests, language),
        median_claim=_duration(stats.median_time_to_claim, language),
    )


@staff_only
async def stats_command(update: Update, context: Context) -> None:
    """``/stats``: the numbers, then the overview chart; ``/stats tip ID``: one tip."""
    args = context.args or []
    if args:
        await tip_stats(update, context, args)
        return

    deps, language = context.deps, i18n.staff_language()
    message = update.effective_message
    async with deps.db.session() as session:
        stats = await gather_stats(session, deps.clock.now())
    text = render_stats(stats, language)
    if deps.staff.moved_to is not None:  # until the operator updates the environment
        text += texts.STATS_STAFF_CHAT_MOVED.render(
            language, old=deps.settings.staff_chat_id, new=deps.staff.moved_to
        )
    await message.reply_text(text)  # the numbers at once; the picture follows when drawn
    await message.reply_chat_action(ChatAction.UPLOAD_PHOTO)
    digest = await insight_digest.gather(deps)
    picture = await render_overview(digest, language)
    caption = texts.STATS_CHART_CAPTION.render(
        language,
        start=i18n.format_date(digest.history.since, language),
        end=i18n.format_date(digest.history.until, language),
    )
    await message.reply_photo(InputFile(picture, filename="stats.png"), caption=caption)


async def tip_stats(update: Update, context: Context, args: list[str]) -> None:
    """``/stats tip ID``: sent and votes per language, tried and saved, and per wording."""
    deps, language = context.deps, i18n.staff_language()
    message = update.effective_message
    library = deps.library
    example = next(iter(library.tips), "omega3-01")
    if len(args) != 2 or args[0].lower() != "tip":
        await message.reply_text(texts.STATS_TIP_USAGE.render(language, example=example))
        return
    tip = library.tips.get(args[1].strip().lower())
    if tip is None:
        await message.reply_text(
            texts.STATS_TIP_UNKNOWN.render(language, tip=html.escape(args[1][:64]), example=example)
        )
        return
    async with deps.db.read() as reader:
        rows = await tip_by_language(reader, tip.id)
        tried, saved = await tip_marks(reader, tip.id)
        wordings = await variant_figures(reader, tip.id) if tip.variants else []
    lines = "\n".join(
        texts.STATS_TIP_LANGUAGE_LINE.render(
            language,
            language=html.escape(
                i18n.language_name(row.language)
                if row.language
                else texts.STATS_UNKNOWN_LANGUAGE.render(language)
            ),
            sent=f"{row.sent:,}",
            up=f"{row.up:,}",
            down=f"{row.down:,}",
        )
        for row in rows
    )
    await message.reply_text(
        texts.STATS_TIP.render(
            language,
            tip=html.escape(tip.id),
            topic=html.escape(tip.topic),
            sent=f"{sum(r.sent for r in rows):,}",
            up=f"{sum(r.up for r in rows):,}",
            down=f"{sum(r.down for r in rows):,}",
            languages=lines or f"  {texts.STATS_NONE.render(language)}",
        )
        + "\n"
        + texts.STATS_TIP_MARKS.render(language, tried=f"{tried:,}", saved=f"{saved:,}")
        + _wordings(wordings, language)
    )


def _wordings(figures: list[VariantFigures], language: str) -> str:
    """The tip's wordings side by side (issue 25's variants), when it has more than one."""
    if not figures:
        return ""
    lines = "\n".join(
        texts.STATS_TIP_WORDING_LINE.render(
            language, variant=f.variant, sent=f"{f.sent:,}", up=f"{f.up:,}", down=f"{f.down:,}"
        )
        for f in figures
    )
    return "\n" + texts.STATS_TIP_WORDINGS.render(language, wordings=lines)
