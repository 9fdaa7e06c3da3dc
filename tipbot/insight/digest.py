"""The weekly digest: a few charts and three lines in the staff group, once a week.

``TIPBOT_DIGEST`` names the weekday and the clinic-zone time (default ``mon 09:00``). A job
checks every few minutes whether this week's moment has come; the first replica to see it
records the week in ``bot_settings`` (a primary-key insert: one winner across replicas and
restarts) and posts. A bot that was down at that moment posts when it comes back, within
``LATE_LIMIT``; later than that, the week is skipped rather than posted days late.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from telegram import Bot, InputMediaPhoto
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from tipbot import i18n, texts
from tipbot.core.content import Library
from tipbot.core.db import Database
from tipbot.core.db.models import BotSetting
from tipbot.core.runtime import Context, Deps
from tipbot.core.schedule import occurrence
from tipbot.insight.charts import render_digest
from tipbot.insight.figures import Digest, gather_digest

log = logging.getLogger(__name__)

CHECK_SECONDS = 300
LATE_LIMIT = timedelta(hours=12)
JOB_NAME = "weekly-digest"
_KEY = "digest:{day}"


def topic_of(library: Library) -> dict[str, str]:
    return {tip.id: tip.topic for tip in library.tips.values()}


async def gather(deps: Deps) -> Digest:
    """Every figure as of now, read without a write transaction (SQLite writers go on)."""
    async with deps.db.read() as reader:
        return await gather_digest(reader, deps.clock.now(), topic_of(deps.library))


def due_occurrence(now: datetime, weekday: int, at: time, zone: ZoneInfo) -> date | None:
    """The clinic-zone day of the digest due at ``now`` (its moment passed less than
    ``LATE_LIMIT`` ago), else None."""
    local = now.astimezone(zone).date()
    day = local - timedelta(days=(local.weekday() - weekday) % 7)
    moment = occurrence(day, at, zone)
    if moment > now:  # later today: last week's is the latest one
        day -= timedelta(days=7)
        moment = occurrence(day, at, zone)
    return day if now - moment < LATE_LIMIT else None


# ----------------------------------------------------------------------------- text


def _duration(value: timedelta | None, language: str) -> str:
    if value is None:
        return texts.STATS_NONE.render(language)
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def summary(digest: Digest, language: str) -> str:
    """The three lines under the charts (Telegram HTML)."""
    status = digest.totals.by_status
    topics = digest.topics
    best = digest.best[0].tip_id if digest.best else texts.STATS_NONE.render(language)
    return texts.DIGEST_TEXT.render(
        language,
        start=i18n.format_date(digest.week.since, language),
        end=i18n.format_date(digest.week.until, language),
        active=f"{status.get('active', 0):,}",
        new=f"{digest.totals.new:,}",
        left=f"{status.get('stopped', 0) + status.get('blocked', 0):,}",
        sent=f"{sum(t.sent for t in topics):,}",
        up=f"{sum(t.up for t in topics):,}",
        down=f"{sum(t.down for t in topics):,}",
        best=f"<code>{best}</code>",
        requests=f"{digest.funnel.request:,}",
        claimed=f"{digest.funnel.claimed:,}",
        claim_time=_duration(digest.times.to_claim.median, language),
        closed=f"{digest.funnel.closed:,}",
    )


# ----------------------------------------------------------------------------- posting


@dataclass(frozen=True)
class Posted:
    day: date
    message_ids: list[int]


async def _claim(db: Database, key: str, now: datetime) -> bool:
    dialect: Any = sqlite if db.is_sqlite else postgresql
    statement = (
        dialect.insert(BotSetting)
        .values(key=key, value=now.isoformat(), updated_at=now)
        .on_conflict_do_nothing(index_elements=[BotSetting.key])
    )
    async with db.session() as session:
        result = await session.execute(statement)
    return result.rowcount == 1


async def _release(db: Database, key: str) -> None:
    async with db.session() as session:
        await session.execute(delete(BotSetting).where(BotSetting.key == key))


async def post_digest_if_due(deps: Deps, bot: Bot) -> Posted | None:
    """Post this week's digest unless it is not time, it is off, there is no staff group,
    or another replica (or an earlier run) posted it already."""

    schedule, chat_id = deps.settings.digest_schedule, deps.staff.chat_id
    if schedule is None or chat_id is None:
        return None
    now = deps.clock.now()
    day = due_occurrence(now, *schedule, ZoneInfo(deps.settings.clinic_zone))
    if day is None:
        return None
    key = _KEY.format(day=day.isoformat())
    if not await _claim(deps.db, key, now):
        return None
    language = i18n.staff_language()
    try:
        digest = await gather(deps)
        pictures = await render_digest(digest, language)
        media = [
            InputMediaPhoto(
                png,
                filename=f"digest-{day.isoformat()}-{number}.png",
                **(
                    {"caption": summary(digest, language), "parse_mode": ParseMode.HTML}
                    if not number
                    else {}
                ),
            )
            for number, png in enumerate(pictures)
        ]
        messages = await bot.send_media_group(chat_id, media)
    except TelegramError as exc:  # not posted: the next check tries again
        await _release(deps.db, key)
        log.warning("weekly digest for %s not posted: %s", day, exc)
        return None
    except BaseException:
        await _release(deps.db, key)
        raise
    log.info("weekly digest for %s posted to the staff group", day)
    return Posted(day, [message.message_id for message in messages])


async def digest_job(context: Context) -> None:
    await post_digest_if_due(context.deps, context.bot)


def schedule(application: Application) -> None:
    """The check, every few minutes (cheap: one clock comparison until the moment comes)."""
    application.job_queue.run_repeating(
        digest_job, interval=CHECK_SECONDS, first=CHECK_SECONDS, name=JOB_NAME
    )
