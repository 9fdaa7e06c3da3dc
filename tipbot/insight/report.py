"""``tipbot report DIR``: every figure of the weekly digest as CSV, one file per figure, for
the clinic's own spreadsheets (UTF-8, comma-separated, a header row; times in UTC, durations
in seconds). The figures are the digest's (``figures.gather_digest``), so the two never
disagree; a new figure is one more entry in ``TABLES``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path

from tipbot.core.content import Library
from tipbot.core.db import Database
from tipbot.insight.figures import TIME_BUCKETS, Digest, Durations, gather_digest


def _cell(text: str) -> str:
    """A source (a deep-link payload people choose) as a cell no spreadsheet runs as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _seconds(value: timedelta | None) -> str:
    return "" if value is None else str(int(value.total_seconds()))


def _durations(kind: str, d: Durations) -> list[list[object]]:
    edges = [_seconds(edge) for edge in TIME_BUCKETS]
    lows = ["0", *edges]
    highs = [*edges, ""]
    return [[kind, "count", "", "", d.count], [kind, "median", "", "", _seconds(d.median)]] + [
        [kind, "bucket", low, high, n] for low, high, n in zip(lows, highs, d.buckets, strict=True)
    ]


Table = tuple[list[str], Callable[[Digest], Iterable[list[object]]]]

TABLES: dict[str, Table] = {
    "subscribers_by_week": (
        ["week_start", "status_today", "joined"],
        lambda d: ([r.week, r.key, r.count] for r in d.subscribers),
    ),
    "new_by_source": (
        ["week_start", "source", "new_subscribers"],
        lambda d: ([r.week, _cell(r.key), r.count] for r in d.sources),
    ),
    "subscriber_totals": (
        ["status", "subscribers"],
        lambda d: [
            *([status, n] for status, n in sorted(d.totals.by_status.items())),
            ["new_in_window", d.totals.new],
        ],
    ),
    "tips_by_topic": (
        ["topic", "sent", "up", "down", "tried", "up_rate", "down_rate", "tried_rate"],
        lambda d: (
            [
                t.topic,
                t.sent,
                t.up,
                t.down,
                t.tried,
                f"{t.up_rate:.4f}",
                f"{t.down_rate:.4f}",
                f"{t.tried_rate:.4f}",
            ]
            for t in d.topics
        ),
    ),
    "best_tips": (
        ["rank", "tip_id", "up", "down", "score"],
        lambda d: ([i, t.tip_id, t.up, t.down, t.score] for i, t in enumerate(d.best, 1)),
    ),
    "worst_tips": (
        ["rank", "tip_id", "up", "down", "score"],
        lambda d: ([i, t.tip_id, t.up, t.down, t.score] for i, t in enumerate(d.worst, 1)),
    ),
    "consult_funnel": (
        ["step", "count"],
        lambda d: ([step, n] for step, n in d.funnel.steps()),
    ),
    "request_times": (
        ["measure", "kind", "from_seconds", "to_seconds", "value"],
        lambda d: [
            *_durations("to_claim", d.times.to_claim),
            *_durations("to_first_answer", d.times.to_first_answer),
            *_durations("to_close", d.times.to_close),
        ],
    ),
}


def write_report(digest: Digest, directory: Path) -> list[Path]:
    """One CSV per figure in ``directory`` (created), plus ``window.csv`` saying when."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    windows = [
        ["week", digest.week.since.isoformat(), digest.week.until.isoformat()],
        ["history", digest.history.since.isoformat(), digest.history.until.isoformat()],
    ]
    for name, (header, rows) in {
        "window": (["window", "since_utc", "until_utc"], lambda _d: windows),
        **TABLES,
    }.items():
        path = directory / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows(rows(digest))
        written.append(path)
    return written


async def report(database_url: str, directory: Path, library: Library, now: datetime) -> list[Path]:
    db = Database(database_url)
    try:
        async with db.read() as reader:
            digest = await gather_digest(
                reader, now, {tip.id: tip.topic for tip in library.tips.values()}
            )
    finally:
        await db.dispose()
    return write_report(digest, directory)
