"""``/report`` (the last 7 days; ``/report 30``): per staff member and for the team, requests
claimed and closed, median first response and resolution time (working hours), the share
answered within the reminder time, and ratings.

Counts and ratings are SQL aggregates grouped by the holder; the medians need each request's
times in working hours (``business_time_between`` cannot run in SQL), so those rows are read,
only for requests of the window, as a few columns.
"""

from __future__ import annotations

import html
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from tipbot import i18n, texts
from tipbot.consult.cards import format_age
from tipbot.core.db.models import ConsultRequest, RequestStatus
from tipbot.core.hours import ClinicHours, business_time_between
from tipbot.core.runtime import Context
from tipbot.core.staff import staff_only

DEFAULT_DAYS = 7
MAX_DAYS = 366


@dataclass
class Figures:
    """One line of the report: a staff member's, or the team's (``who`` None)."""

    who: str | None
    requests: int = 0
    claimed: int = 0
    closed: int = 0
    rated: int = 0
    rating_sum: int = 0
    first: list[timedelta] = field(default_factory=list)
    resolution: list[timedelta] = field(default_factory=list)
    answered_in_time: int = 0

    @property
    def rating(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None


def _median(values: list[timedelta]) -> timedelta | None:
    return statistics.median(values) if values else None


async def support_report(
    session: AsyncSession,
    *,
    now: datetime,
    days: int,
    hours: ClinicHours | None,
    within: timedelta,
) -> tuple[Figures, list[Figures]]:
    """The team's figures and each holder's, for requests made in the last ``days``."""
    start = now - timedelta(days=days)
    in_window = ConsultRequest.created_at >= start
    holder = ConsultRequest.claimed_by
    closed = ConsultRequest.status == RequestStatus.CLOSED
    aggregates = (
        select(
            holder,
            func.max(ConsultRequest.claimed_by_name),
            func.count(ConsultRequest.id),
            func.count(ConsultRequest.claimed_at),
            func.count(ConsultRequest.closed_at).filter(closed),
            func.count(ConsultRequest.rating),
            func.coalesce(func.sum(ConsultRequest.rating), 0),
        )
        .where(in_window)
        .group_by(holder)
    )
    team = Figures(None)
    people: dict[int, Figures] = {}
    for user_id, name, count, claimed, closed_count, rated, rating_sum in (
        await session.execute(aggregates)
    ).all():
        team.requests += count
        team.claimed += claimed
        team.closed += closed_count
        team.rated += rated
        team.rating_sum += rating_sum
        if user_id is not None:
            people[user_id] = Figures(
                name or "?", count, claimed, closed_count, rated, int(rating_sum)
            )
    times = select(
        holder,
        ConsultRequest.status,
        ConsultRequest.created_at,
        ConsultRequest.first_response_at,
        ConsultRequest.closed_at,
    ).where(in_window)
    for user_id, status, created, first_at, closed_at in (await session.execute(times)).all():
        lines = [team] + ([people[user_id]] if user_id in people else [])
        first = business_time_between(created, first_at, hours) if first_at else None
        for figures in lines:
            if first is not None:
                figures.first.append(first)
                if first <= within:
                    figures.answered_in_time += 1
            if status is RequestStatus.CLOSED and closed_at is not None:
                figures.resolution.append(business_time_between(created, closed_at, hours))
    ordered = sorted(people.values(), key=lambda f: (-f.claimed, f.who or ""))
    return team, ordered


def render_report(team: Figures, people: list[Figures], *, days: int, within: timedelta) -> str:
    language = i18n.staff_language()
    none = texts.NOTHING.render(language)

    def line(figures: Figures) -> str:
        first, resolution = _median(figures.first), _median(figures.resolution)
        share = (
            f"{round(100 * figures.answered_in_time / figures.requests)}%"
            if figures.requests
            else none
        )
        rating = (
            texts.REPORT_RATING.render(
                language, average=f"{figures.rating:.1f}", count=figures.rated
            )
            if figures.rating is not None
            else none
        )
        return texts.REPORT_LINE.render(
            language,
            who=html.escape(figures.who) if figures.who else texts.REPORT_TEAM.render(language),
            requests=figures.requests,
            claimed=figures.claimed,
            closed=figures.closed,
            first=format_age(first) if first is not None else none,
            resolution=format_age(resolution) if resolution is not None else none,
            share=share,
            within=format_age(within),
            rating=rating,
        )

    lines = [line(team), *(line(figures) for figures in people)]
    return texts.REPORT.render(language, days=days, lines="\n\n".join(lines))


@staff_only
async def report_command(update: Update, context: Context) -> None:
    deps, staff, args = context.deps, i18n.staff_language(), context.args or []
    days = DEFAULT_DAYS
    if args:
        if len(args) != 1 or not args[0].isdigit() or not 1 <= int(args[0]) <= MAX_DAYS:
            await update.effective_message.reply_text(
                texts.REPORT_USAGE.render(staff, most=MAX_DAYS)
            )
            return
        days = int(args[0])
    within = deps.settings.consult_reminder
    async with deps.db.session() as session:
        team, people = await support_report(
            session,
            now=deps.clock.now(),
            days=days,
            hours=deps.settings.business_hours,
            within=within,
        )
    await update.effective_message.reply_text(render_report(team, people, days=days, within=within))
