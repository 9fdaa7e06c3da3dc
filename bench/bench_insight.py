"""Insight benchmark: the CPU the weekly digest costs. Prints figures, is not a test.

    .venv/bin/python bench/bench_insight.py [--subscribers 100000] [--days 365] [--repeats 5]
                                            [--keep PATH] [--profile]

Seeds a SQLite file (SQL ``INSERT … SELECT`` over recursive CTEs: seconds, not minutes, of
Python) with ``--subscribers`` people who joined over the year, ``--days`` of daily tips for
each of them (100,000 x 365 = 36.5 million deliveries), five votes and two "tried it" each,
one request per twenty people (half of the closed ones rated) and a year of funnel counters.
Then, ``--repeats`` times, measures the process CPU time (``time.process_time``: every
thread, SQLite's included) of what the weekly digest does: every figure
(``figures.gather_digest``) and its three charts (``charts.digest_pictures``), and prints
the median. The target is under 2 s.
``--keep PATH`` keeps (or reuses) the seeded file; ``--profile`` (``pip install
pyinstrument``) prints where one run's time goes; ``--pictures docs`` renders the README's
pictures from the seeded database (``--subscribers 2000 --days 120 --repeats 1``).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tipbot import i18n  # noqa: E402
from tipbot.core.config import PROJECT_CONTENT  # noqa: E402
from tipbot.core.content import load_library  # noqa: E402
from tipbot.core.db import Database, upgrade  # noqa: E402
from tipbot.insight import charts, figures  # noqa: E402

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
STAMP = "%Y-%m-%d %H:%M:%S"


def _t(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(STAMP)


def seed(path: Path, subscribers: int, days: int, tips: list[tuple[str, str]]) -> float:
    """Fill the migrated SQLite file at ``path``; returns the seconds it took."""
    started = time.perf_counter()
    start = NOW - timedelta(days=days)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("CREATE TEMP TABLE bench_tips (k INTEGER PRIMARY KEY, id TEXT, topic TEXT)")
    db.executemany(
        "INSERT INTO bench_tips VALUES (?, ?, ?)", [(k, *tip) for k, tip in enumerate(tips)]
    )
    n_tips = len(tips)
    params = {"n": subscribers, "days": days, "start": _t(start), "tips": n_tips}
    db.execute(
        """
        WITH RECURSIVE people(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM people WHERE i < :n)
        INSERT INTO subscribers (user_id, status, timezone, send_time, topics, language, source,
                                 tip_seed, tip_cursors, created_at, updated_at)
        SELECT i,
               CASE WHEN i % 20 = 0 THEN 'stopped' WHEN i % 33 = 0 THEN 'blocked'
                    WHEN i % 50 = 0 THEN 'paused' ELSE 'active' END,
               'UTC', '09:00:00.000000', '[]', CASE WHEN i % 3 = 0 THEN 'es' ELSE 'en' END,
               CASE i % 7 WHEN 0 THEN 'spring_flyer' WHEN 1 THEN 'instagram' ELSE NULL END,
               i, '{}',
               datetime(:start, '+' || (i * 86400.0 * :days / :n) || ' seconds') || '.000000',
               datetime(:start) || '.000000'
        FROM people
        """,
        params,
    )
    db.execute(
        """
        WITH RECURSIVE d(day) AS (SELECT 0 UNION ALL SELECT day + 1 FROM d WHERE day < :days - 1)
        INSERT INTO deliveries (subscriber_id, local_date, tip_id, status, attempts, due_at,
                                created_at, sent_at)
        SELECT s.user_id, date(:start, '+' || d.day || ' days'), t.id,
               CASE WHEN (s.user_id + d.day) % 97 = 0 THEN 'failed' ELSE 'sent' END, 1,
               datetime(:start, '+' || d.day || ' days', '+9 hours') || '.000000',
               datetime(:start, '+' || d.day || ' days', '+9 hours') || '.000000',
               datetime(:start, '+' || d.day || ' days', '+9 hours') || '.000000'
        FROM d JOIN subscribers s ON s.created_at <= datetime(:start, '+' || d.day || ' days')
        JOIN bench_tips t ON t.k = (s.user_id + d.day) % :tips
        """,
        params,
    )
    db.execute(
        """
        WITH RECURSIVE v(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM v WHERE j < 4)
        INSERT INTO tip_votes (subscriber_id, tip_id, topic, vote, updated_at)
        SELECT s.user_id, t.id, t.topic,
               CASE WHEN (s.user_id * 7 + v.j) % 5 = 0 THEN -1 ELSE 1 END,
               datetime(:start, '+' || ((s.user_id * 13 + v.j * 71) % :days) || ' days')
               || '.000000'
        FROM subscribers s JOIN v JOIN bench_tips t ON t.k = (s.user_id * 3 + v.j * 11) % :tips
        """,
        params,
    )
    db.execute(  # "✅ I tried it": two of the voted tips each
        """
        WITH RECURSIVE v(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM v WHERE j < 1)
        INSERT OR IGNORE INTO tip_tried (user_id, tip_id, created_at)
        SELECT s.user_id, t.id,
               datetime(:start, '+' || ((s.user_id * 13 + v.j * 71) % :days) || ' days')
               || '.000000'
        FROM subscribers s JOIN v JOIN bench_tips t ON t.k = (s.user_id * 3 + v.j * 11) % :tips
        """,
        params,
    )
    db.execute(
        """
        INSERT INTO consult_requests (user_id, name, contact_kind, preferred_time, consent_at,
                                      status, claimed_at, closed_at, reminders_sent,
                                      relay_notice_sent, rating, first_response_at,
                                      created_at, updated_at)
        SELECT user_id, 'Person', 'telegram', 'any', created_at,
               CASE WHEN user_id % 3 = 0 THEN 'closed' WHEN user_id % 3 = 1 THEN 'claimed'
                    ELSE 'cancelled' END,
               datetime(created_at, '+' || (user_id % 300) || ' minutes') || '.000000',
               CASE WHEN user_id % 3 IN (0, 2)
                    THEN datetime(created_at, '+' || (user_id % 3000) || ' minutes') || '.000000'
               END,
               0, 0, CASE WHEN user_id % 6 = 0 THEN 1 + user_id % 5 END,
               CASE WHEN user_id % 3 IN (0, 1)
                    THEN datetime(created_at, '+' || (user_id % 300 + user_id % 40) || ' minutes')
                         || '.000000'
               END,
               created_at, created_at
        FROM subscribers WHERE user_id % 20 = 0
        """
    )
    db.execute(
        """
        WITH RECURSIVE d(day) AS (SELECT 0 UNION ALL SELECT day + 1 FROM d WHERE day < :days - 1)
        INSERT INTO funnel_counts (day, step, count)
        SELECT date(:start, '+' || day || ' days'), step, 20 + day % 9
        FROM d JOIN (SELECT 'button' AS step UNION ALL SELECT 'form')
        """,
        params,
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - started


async def one_digest(
    url: str, topic_of: dict[str, str], labels: charts.Labels
) -> tuple[float, float]:
    """CPU seconds of (every figure, the three charts)."""
    db = Database(url)
    try:
        begin = time.process_time()
        async with db.read() as reader:
            digest = await figures.gather_digest(reader, NOW, topic_of)
        gathered = time.process_time()
        pictures = await asyncio.to_thread(charts.digest_pictures, digest, labels)
        drawn = time.process_time()
    finally:
        await db.dispose()
    assert len(pictures) == 3 and all(p.startswith(b"\x89PNG") for p in pictures)
    return gathered - begin, drawn - gathered


async def write_pictures(
    url: str, topic_of: dict[str, str], labels: charts.Labels, folder: Path
) -> list[Path]:
    """The README's pictures: ``digest-1..3.png`` and ``stats.png``, from this database."""
    db = Database(url)
    try:
        async with db.read() as reader:
            digest = await figures.gather_digest(reader, NOW, topic_of)
    finally:
        await db.dispose()
    pictures = {
        **{
            f"digest-{n}.png": png
            for n, png in enumerate(charts.digest_pictures(digest, labels), 1)
        },
        "stats.png": charts.overview_picture(digest, labels),
    }
    return await asyncio.to_thread(_write, folder, pictures)


def _write(folder: Path, pictures: dict[str, bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, png in pictures.items():
        (folder / name).write_bytes(png)
    return [folder / name for name in pictures]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep (or reuse) the seeded SQLite file here")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--pictures",
        type=Path,
        help="also write the digest's three pictures and /stats's to this folder (docs/)",
    )
    args = parser.parse_args()

    i18n.setup(default="en")
    library = load_library(PROJECT_CONTENT)
    tips = [(tip.id, tip.topic) for tip in library.tips.values()]
    topic_of = dict(tips)
    labels = charts.Labels.render("en")
    workdir = tempfile.TemporaryDirectory(prefix="bench-insight-")
    path = args.keep or Path(workdir.name) / "insight.db"
    url = f"sqlite+aiosqlite:///{path}"
    if not path.exists():
        db = Database(url)
        await upgrade(db.engine)
        await db.dispose()
        took = seed(path, args.subscribers, args.days, tips)
        print(f"seeded in {took:.0f} s")
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM deliveries").fetchone()[0]
    print(
        f"database: {args.subscribers:,} subscribers, {rows:,} deliveries over {args.days} days"
        f" ({path.stat().st_size / 1e6:,.0f} MB, SQLite)"
    )
    if args.pictures:
        written = await write_pictures(url, topic_of, labels, args.pictures)
        print("pictures:", ", ".join(str(path) for path in written))
    await one_digest(url, topic_of, labels)  # warm: imports, font cache, page cache
    runs = [await one_digest(url, topic_of, labels) for _ in range(args.repeats)]
    totals = [g + d for g, d in runs]
    print(
        f"digest CPU: median {statistics.median(totals):.2f} s over {len(runs)} runs "
        f"(figures {statistics.median(g for g, _ in runs):.2f} s, "
        f"charts {statistics.median(d for _, d in runs):.2f} s; "
        f"min {min(totals):.2f} s, max {max(totals):.2f} s; target < 2 s)"
    )
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="enabled")
        with profiler:
            await one_digest(url, topic_of, labels)
        print(profiler.output_text(unicode=True, color=False))
    workdir.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
