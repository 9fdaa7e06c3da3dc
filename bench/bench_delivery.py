"""Delivery benchmark: prints figures, is not a test.

    .venv/bin/python bench/bench_delivery.py [--subscribers N] [--database-url URL]

Against the fake Bot API (``python -m fakegram``, its own process on 127.0.0.1, so its
CPU is not counted as the bot's) and a fresh database (a temporary SQLite file, or a new
PostgreSQL database created next to ``--database-url`` and dropped at the end):

1. tips per second of the real sweep with the rate set to 1000/s (paid broadcast), and
   as a fraction of that cap;
2. bot-process CPU ms per delivered tip, next to a bare loop of PTB ``send_message``
   calls (same server, same text and keyboard, same concurrency) in the same run;
3. the time of one claim of 1,000 due rows among 1,000,000 subscribers, and the peak RSS
   of a process running the sweep with 1,000,000 subscribers in the database
   (``--mixed-days``: the subscribers have mixed frequencies, issue 24: every day,
   weekdays, Mon/Wed/Fri, once a week);
4. at 100,000 subscribers, start-up time and RSS of the bot with one
   ``JobQueue.run_daily`` job per subscriber, as a ratio to ours (a few fixed jobs);
5. replies during the morning sweep: 1,000 tips due at the default 30/s, a Bot API that
   takes 50 ms a call, 100 people asking for a tip while the sweep runs: time to reply
   (p50/p95/max) during the sweep and without one;
6. a broadcast to 20,000 subscribers with the rate set to 1000/s: messages per second and
   bot CPU per message.

The bench prints which Bot API transport (PTB ``BaseRequest``) the bot used, so the
figures can be compared across transports. ``--profile`` (needs ``pip install
pyinstrument``) prints where the sweep's and the broadcast's time goes.

Every measurement runs in a fresh child process (``ru_maxrss`` is per process), and the
parent seeds rows with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from tipbot.core.config import PROJECT_CONTENT, Settings, normalize_database_url  # noqa: E402
from tipbot.core.sender import SendPolicy  # noqa: E402

TOKEN = "1000:TEST-token-for-the-delivery-benchmark"
FIRST_USER_ID = 10_001  # the emulator's ``--users N`` creates ids from here
TOPICS = json.dumps(["prebiotics", "omega3", "exercise", "stress", "gutbrain"])


# ----------------------------------------------------------------------------- helpers


def rss_mb() -> float:
    """Current resident set size of this process."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settings_for(database_url: str, api_url: str) -> Settings:
    return Settings(
        token=TOKEN,
        database_url=database_url,
        bot_api_url=api_url,
        content=PROJECT_CONTENT,
        max_messages_per_second=1000,
        _env_file=None,
    )


def transport() -> str:
    """The class of the bot's Bot API transport (PTB ``BaseRequest``), as the bot builds it."""
    from tipbot.app import build_application

    settings = settings_for("sqlite+aiosqlite://", "http://127.0.0.1:9")
    request = build_application(settings).bot.request
    return f"{type(request).__module__}.{type(request).__name__}"


class Profile:
    """pyinstrument around a measurement when ``--profile`` is given; its text summary."""

    def __init__(self, enabled: bool) -> None:
        self.profiler = None
        if enabled:
            from pyinstrument import Profiler

            self.profiler = Profiler(async_mode="disabled")  # where the CPU goes

    def __enter__(self) -> Profile:
        if self.profiler:
            self.profiler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.profiler:
            self.profiler.stop()

    def text(self) -> str | None:
        """The call tree, then the sampled time by package (its own code, not callees)."""
        if not self.profiler:
            return None
        tree = self.profiler.output_text(unicode=True, show_all=False, color=False)
        by_package: dict[str, float] = {}
        frames = [(self.profiler.last_session.root_frame(), "")]
        while frames:
            frame, caller = frames.pop()
            path = frame.file_path or caller  # a "[self]" leaf holds its caller's own time
            frames.extend((child, path) for child in frame.children)
            if not frame.children:
                package = _package(path)
                by_package[package] = by_package.get(package, 0.0) + frame.time
        idle = by_package.pop("selectors", 0.0)  # the event loop waiting: not CPU
        busy = sum(by_package.values())
        lines = [f"busy {busy:.1f} s, idle {idle:.1f} s; busy time by package:"]
        for package, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:12]:
            lines.append(f"  {package:<14} {100 * seconds / busy:5.1f} %")
        return tree + "\n".join(lines)


def _package(path: str) -> str:
    """``httpx``, ``asyncio``, ``tipbot``…: the top-level package a code file belongs to."""
    for marker in ("site-packages/", f"/python{sys.version_info[0]}.{sys.version_info[1]}/"):
        if marker in path:
            return path.split(marker)[1].split("/")[0].removesuffix(".py")
    if "/tipbot/" in path:
        return "tipbot"
    return Path(path).stem or "(interpreter)"


class Emulator:
    """The fake Bot API in its own process, with ``users`` users who started the bot."""

    def __init__(self, users: int) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fakegram",
                "--port",
                "0",
                "--token",
                TOKEN,
                "--users",
                str(users),
                "--no-record",
                "--max-calls",
                "0",
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        line = self.process.stdout.readline()
        self.url = line.split()[3]  # "fake Telegram at http://127.0.0.1:PORT (token ...)"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# ----------------------------------------------------------------------------- databases


class BenchDatabase:
    """A fresh, migrated database per figure: a SQLite file, or a new PostgreSQL database."""

    def __init__(self, base_url: str | None, workdir: Path) -> None:
        self.base_url = normalize_database_url(base_url) if base_url else None
        self.workdir = workdir
        self.created: list[str] = []

    @property
    def is_postgres(self) -> bool:
        return self.base_url is not None

    def fresh(self, *, migrate: bool = True) -> str:
        """``migrate=False``: empty, for another commit's ``tipbot run`` to migrate itself."""
        if self.is_postgres:
            name = f"tipbot_bench_{uuid.uuid4().hex[:10]}"
            asyncio.run(_pg_admin(self.base_url, f'CREATE DATABASE "{name}"'))
            url = make_url(self.base_url).set(database=name).render_as_string(hide_password=False)
            self.created.append(url)
        else:
            url = f"sqlite+aiosqlite:///{self.workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        if migrate:
            asyncio.run(_migrate(url))
        return url

    def drop_all(self) -> None:
        for url in self.created:
            name = make_url(url).database
            asyncio.run(_pg_admin(self.base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg_admin(url: str, statement: str) -> None:
    from sqlalchemy import text

    from tipbot.core.db import Database

    admin = Database(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


async def _migrate(url: str) -> None:
    from tipbot.core.db import Database, upgrade

    db = Database(url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()


#: Issue 24's frequencies, as ``send_days`` masks and their shares of the subscribers.
MIXED_DAYS = ((0b1111111, 50), (0b0011111, 25), (0b0010101, 15), (0b0000001, 10))


def subscriber_rows(count: int, due: int, now: datetime):
    """``count`` active subscribers; the first ``due`` are due (up to a minute late), the
    rest spread over the next 23 hours. Times in UTC, so the send time is the due time."""
    rng = random.Random(42)
    for index in range(count):
        if index < due:
            next_send = now - timedelta(seconds=1 + index % 60)
        else:
            next_send = now + timedelta(hours=1, seconds=rng.randrange(23 * 3600))
        yield FIRST_USER_ID + index, next_send, rng.getrandbits(31)


MIXED = {"days": False}  # --mixed-days


def seed(url: str, count: int, due: int, now: datetime) -> float:
    """Insert the subscribers in bulk; returns seconds taken."""
    started = time.perf_counter()
    if url.startswith("sqlite"):
        _seed_sqlite(make_url(url).database, count, due, now)
    else:
        asyncio.run(_seed_postgres(url, count, due, now))
    if MIXED["days"]:
        _mix_days(url, now)
    return time.perf_counter() - started


def _mix_days(url: str, now: datetime) -> None:
    """Issue 24's frequencies: one UPDATE, ``user_id % 100`` as in ``days_of``."""
    cases = " ".join(
        f"WHEN (user_id - {FIRST_USER_ID}) % 100 < {sum(s for _, s in MIXED_DAYS[: i + 1])} "
        f"THEN {mask}"
        for i, (mask, _) in enumerate(MIXED_DAYS)
    )
    statements = [f"UPDATE subscribers SET send_days = CASE {cases} ELSE 127 END"]
    if url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(url).database)
        with connection:
            for statement in statements:
                connection.execute(statement)
        connection.close()
    else:
        asyncio.run(_pg_execute(url, statements))


async def _pg_execute(url: str, statements: list[str]) -> None:
    import asyncpg

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(plain)
    try:
        for statement in statements:
            await connection.execute(statement)
        await connection.execute("ANALYZE subscribers")
    finally:
        await connection.close()


def _seed_sqlite(path: str, count: int, due: int, now: datetime) -> None:
    # The text formats SQLAlchemy's SQLite types store and compare.
    stamp = "%Y-%m-%d %H:%M:%S.%f"
    created = now.replace(tzinfo=None).strftime(stamp)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    rows = (
        (
            user_id,
            "active",
            "UTC",
            next_send.strftime("%H:%M:%S.%f"),
            TOPICS,
            next_send.replace(tzinfo=None).strftime(stamp),
            seed_value,
            "{}",
            created,
            created,
        )
        for user_id, next_send, seed_value in subscriber_rows(count, due, now)
    )
    with connection:
        connection.executemany(
            "INSERT INTO subscribers (user_id, status, timezone, send_time, topics, "
            "next_send_at, tip_seed, tip_cursors, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    connection.close()


async def _seed_postgres(url: str, count: int, due: int, now: datetime) -> None:
    import asyncpg

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(plain)
    try:
        rows = (
            (
                user_id,
                "active",
                "UTC",
                next_send.time(),
                TOPICS,
                next_send,
                seed_value,
                "{}",
                now,
                now,
            )
            for user_id, next_send, seed_value in subscriber_rows(count, due, now)
        )
        await connection.copy_records_to_table(
            "subscribers",
            records=rows,
            columns=[
                "user_id",
                "status",
                "timezone",
                "send_time",
                "topics",
                "next_send_at",
                "tip_seed",
                "tip_cursors",
                "created_at",
                "updated_at",
            ],
        )
        await connection.execute("ANALYZE subscribers")
    finally:
        await connection.close()


# ----------------------------------------------------------------------------- children


async def _started_app(database_url: str, api_url: str):
    from tipbot.app import build_application

    application = build_application(settings_for(database_url, api_url))
    await application.initialize()
    return application


async def child_throughput(
    database_url: str, api_url: str, bare: int, workers: int, profile: bool
) -> dict:
    """Our sweep (figures 1, 2), then a bare PTB send loop on the same server."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from tipbot.core.runtime import deps_of
    from tipbot.delivery.sweep import run_sweep
    from tipbot.subscriber.picker import render_tip

    application = await _started_app(database_url, api_url)
    deps = deps_of(application)
    wall, cpu = time.perf_counter(), time.process_time()
    with Profile(profile) as profiler:
        report = await run_sweep(deps, application.bot, workers=workers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    text, keyboard = render_tip(deps.library, next(iter(deps.library.tips.values())), "en")
    await application.shutdown()
    await deps.db.dispose()

    bot = Bot(TOKEN, base_url=f"{api_url}/bot", request=HTTPXRequest(connection_pool_size=256))
    async with bot:
        queue: asyncio.Queue[int | None] = asyncio.Queue()
        for index in range(bare):
            queue.put_nowait(FIRST_USER_ID + index)

        async def worker() -> None:
            while (chat_id := queue.get_nowait() if not queue.empty() else None) is not None:
                await bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=keyboard)

        bare_wall, bare_cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(workers)))
        bare_wall, bare_cpu = time.perf_counter() - bare_wall, time.process_time() - bare_cpu
    return {
        "sent": report.sent,
        "failed": report.failed + report.retry + report.blocked,
        "seconds": wall,
        "tips_per_second": report.sent / wall,
        "cpu_ms_per_tip": 1000 * cpu / max(report.sent, 1),
        "bare_messages": bare,
        "bare_per_second": bare / bare_wall,
        "bare_cpu_ms_per_message": 1000 * bare_cpu / bare,
        "peak_rss_mb": peak_rss_mb(),
        "profile": profiler.text(),
    }


async def child_claim(database_url: str, repeats: int, limit: int) -> dict:
    """Figure 3a: one claim of ``limit`` due rows, rolled back so each repeat claims anew."""
    from tipbot.core.content import load_library
    from tipbot.core.db import Database
    from tipbot.delivery.sweep import claim_due

    library = load_library(PROJECT_CONTENT)
    db = Database(database_url)
    now = datetime.now(UTC)
    times = []
    claimed = 0
    for _ in range(repeats):
        async with db.sessionmaker() as session:
            await session.begin()
            started = time.perf_counter()
            batch = await claim_due(
                session, library, now=now, grace=timedelta(hours=3), limit=limit
            )
            await session.flush()
            times.append(time.perf_counter() - started)
            claimed = len(batch.claims)
            await session.rollback()
    await db.dispose()
    return {"claimed": claimed, "ms": [round(1000 * t, 2) for t in times]}


async def child_sweep_rss(database_url: str, api_url: str) -> dict:
    """Figure 3b: peak RSS of a process that runs the sweep over a big subscriber table."""
    from tipbot.core.runtime import deps_of
    from tipbot.delivery.sweep import run_sweep

    application = await _started_app(database_url, api_url)
    before = rss_mb()
    report = await run_sweep(deps_of(application), application.bot)
    await application.shutdown()
    return {"sent": report.sent, "rss_before_sweep_mb": before, "peak_rss_mb": peak_rss_mb()}


async def child_startup(database_url: str, api_url: str, pattern: str) -> dict:
    """Figure 4: from building the Application to a running JobQueue, and the RSS then."""
    baseline = rss_mb()  # the interpreter with tipbot, PTB and SQLAlchemy imported
    started = time.perf_counter()
    application = await _started_app(database_url, api_url)
    jobs = 0
    if pattern == "run_daily":
        from sqlalchemy import select

        from tipbot.core.db.models import Subscriber
        from tipbot.core.runtime import deps_of

        async def send_tip(context) -> None:  # never fires during the measurement
            await context.bot.send_message(context.job.chat_id, "tip")

        deps = deps_of(application)
        async with deps.db.session() as session:
            rows = await session.execute(
                select(Subscriber.user_id, Subscriber.send_time, Subscriber.timezone)
            )
            for user_id, send_time, zone in rows:
                application.job_queue.run_daily(
                    send_tip,
                    time=send_time.replace(tzinfo=ZoneInfo(zone)),
                    chat_id=user_id,
                    name=str(user_id),
                )
                jobs += 1
    await application.start()
    seconds = time.perf_counter() - started
    rss = rss_mb()
    await application.stop()
    await application.shutdown()
    return {
        "jobs": jobs + len(application.job_queue.jobs()),
        "seconds": seconds,
        "rss_mb": rss,
        "rss_above_imports_mb": rss - baseline,
    }


async def child_broadcast(database_url: str, api_url: str, profile: bool) -> dict:
    """Figure 6: a confirmed broadcast to every active subscriber, sent by the real worker."""
    from tipbot.core.runtime import deps_of
    from tipbot.staff import broadcast

    application = await _started_app(database_url, api_url)
    deps = deps_of(application)
    async with deps.db.session() as session:
        draft = await broadcast.create_draft(
            session, "Our clinic is closed on Friday.", 1, datetime.now(UTC)
        )
    async with deps.db.session() as session:
        await broadcast.confirm(session, draft.id, progress_chat_id=None)
    wall, cpu = time.perf_counter(), time.process_time()
    with Profile(profile) as profiler:
        await broadcast.run_broadcast(application, draft.id)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    async with deps.db.session() as session:
        progress = await broadcast.tally(session, draft.id)
    await application.shutdown()
    await deps.db.dispose()
    return {
        "sent": progress.sent,
        "seconds": wall,
        "per_second": progress.sent / wall,
        "cpu_ms_per_message": 1000 * cpu / max(progress.sent, 1),
        "profile": profiler.text(),
    }


async def child_replies(database_url: str, due: int, askers: int, latency: float) -> dict:
    """Figure 5: the real bot (polling, start-up sweep, default rate) and an in-process fake
    Bot API with ``latency``; ``askers`` people send /tip one after another while ``due`` tips
    are sent, then again with no sweep running."""
    from fakegram import FakeTelegram
    from tipbot.app import build_application
    from tipbot.core.runtime import deps_of

    async with FakeTelegram(TOKEN, latency=latency) as tg:
        readers = [tg.user(f"Reader{i}") for i in range(due)]  # ids from FIRST_USER_ID
        people = [tg.user(f"Asker{i}") for i in range(askers)]
        settings = Settings(
            token=TOKEN,
            database_url=database_url,
            bot_api_url=tg.url,
            content=PROJECT_CONTENT,
            _env_file=None,
        )
        application = build_application(settings)
        deps = deps_of(application)
        await application.initialize()
        await application.start()  # the sweep at start sends the due tips
        await application.updater.start_polling(poll_interval=0, timeout=1)
        started = time.perf_counter()

        def tips_sent() -> int:
            return sum(len(reader.messages) for reader in readers)

        async def ask_all() -> list[float]:
            waits: list[float] = []

            async def ask(person) -> None:
                since = tg.mark()
                asked = time.perf_counter()
                await person.send("/tip")
                await person.wait_for("Source:", since=since, timeout=120)
                waits.append(time.perf_counter() - asked)

            tasks = []
            for person in people:  # spread over what the sweep takes at 30/s
                tasks.append(asyncio.create_task(ask(person)))
                await asyncio.sleep(0.8 * due / settings.max_messages_per_second / askers)
            await asyncio.gather(*tasks)
            return waits

        await tg.wait_until(lambda: tips_sent() >= 30, timeout=60)
        during = await ask_all()
        sent_while_asking = tips_sent()
        await tg.wait_until(lambda: tips_sent() >= due, timeout=600)
        sweep_seconds = time.perf_counter() - started
        after = await ask_all()
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await deps.db.dispose()

    def summary(waits: list[float]) -> dict:
        waits = sorted(waits)
        return {
            "p50": statistics.median(waits),
            "p95": statistics.quantiles(waits, n=20)[-1],
            "max": waits[-1],
        }

    return {
        "during": summary(during),
        "without": summary(after),
        "sent_while_asking": sent_while_asking,
        "sweep_tips_per_second": due / sweep_seconds,
        "transport": f"{type(application.bot.request).__name__}",
    }


CHILDREN = {
    "throughput": lambda a: child_throughput(
        a["db"], a["api"], a["bare"], a["workers"], a["profile"]
    ),
    "broadcast": lambda a: child_broadcast(a["db"], a["api"], a["profile"]),
    "replies": lambda a: child_replies(a["db"], a["due"], a["askers"], a["latency"]),
    "claim": lambda a: child_claim(a["db"], a["repeats"], a["limit"]),
    "sweep_rss": lambda a: child_sweep_rss(a["db"], a["api"]),
    "startup": lambda a: child_startup(a["db"], a["api"], a["pattern"]),
}


def run_child(kind: str, **arguments: object) -> dict:
    """Run one measurement in a fresh interpreter and return its JSON answer."""
    payload = json.dumps({"kind": kind, **arguments})
    result = subprocess.run(
        [sys.executable, __file__, "--child", payload],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"child {kind} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- figures


def figure_throughput(
    dbs: BenchDatabase, subscribers: int, repeats: int, bare: int, workers: int, profile: bool
) -> None:
    runs = []
    emulator = Emulator(subscribers)
    try:
        for _ in range(repeats):
            url = dbs.fresh()
            seeded = seed(url, subscribers, subscribers, datetime.now(UTC))
            print(f"  seeded {subscribers:,} due subscribers in {seeded:.1f} s", flush=True)
            runs.append(
                run_child(
                    "throughput",
                    db=url,
                    api=emulator.url,
                    bare=bare,
                    workers=workers,
                    profile=profile,
                )
            )
            run = runs[-1]
            if run["profile"]:
                print(run["profile"], flush=True)
            print(
                f"  run: {run['sent']:,} tips in {run['seconds']:.1f} s = "
                f"{run['tips_per_second']:.0f}/s; cpu {run['cpu_ms_per_tip']:.3f} ms/tip, "
                f"bare {run['bare_cpu_ms_per_message']:.3f} ms/msg "
                f"({run['bare_per_second']:.0f}/s)",
                flush=True,
            )
    finally:
        emulator.stop()
    rate = statistics.median(r["tips_per_second"] for r in runs)
    ours = statistics.median(r["cpu_ms_per_tip"] for r in runs)
    plain = statistics.median(r["bare_cpu_ms_per_message"] for r in runs)
    print(f"1. throughput: {rate:.0f} tips/s at a 1000/s cap = {rate / 1000:.3f} of the cap")
    print(
        f"2. bot CPU per tip: {ours:.3f} ms (ours) vs {plain:.3f} ms (bare send_message) "
        f"= {ours / plain:.2f}x"
    )


def figure_claim(dbs: BenchDatabase, subscribers: int, due: int, repeats: int) -> None:
    url = dbs.fresh()
    seeded = seed(url, subscribers, due, datetime.now(UTC))
    print(f"  seeded {subscribers:,} subscribers ({due:,} due) in {seeded:.1f} s", flush=True)
    claim = run_child("claim", db=url, repeats=repeats, limit=1000)
    emulator = Emulator(due)
    try:
        rss = run_child("sweep_rss", db=url, api=emulator.url)
    finally:
        emulator.stop()
    print(
        f"3. claim of {claim['claimed']:,} among {subscribers:,}: median "
        f"{statistics.median(claim['ms']):.1f} ms (runs: {claim['ms']}); sweep of "
        f"{rss['sent']:,} due among {subscribers:,}: peak RSS {rss['peak_rss_mb']:.0f} MB "
        f"(before the sweep {rss['rss_before_sweep_mb']:.0f} MB)"
    )


def figure_startup(dbs: BenchDatabase, subscribers: int, repeats: int) -> None:
    url = dbs.fresh()
    seed(url, subscribers, 0, datetime.now(UTC))
    emulator = Emulator(0)
    results: dict[str, list[dict]] = {"ours": [], "run_daily": []}
    try:
        for _ in range(repeats):
            for pattern in results:
                results[pattern].append(
                    run_child("startup", db=url, api=emulator.url, pattern=pattern)
                )
    finally:
        emulator.stop()

    def median(pattern: str, key: str) -> float:
        return statistics.median(r[key] for r in results[pattern])

    ours_s, theirs_s = median("ours", "seconds"), median("run_daily", "seconds")
    ours_rss, theirs_rss = median("ours", "rss_mb"), median("run_daily", "rss_mb")
    ours_add = median("ours", "rss_above_imports_mb")
    theirs_add = median("run_daily", "rss_above_imports_mb")
    print(
        f"4. at {subscribers:,} subscribers, run_daily per subscriber vs ours: start-up "
        f"{theirs_s:.2f} s vs {ours_s:.2f} s = {theirs_s / ours_s:.1f}x; RSS {theirs_rss:.0f} "
        f"MB vs {ours_rss:.0f} MB = {theirs_rss / ours_rss:.1f}x (above the imports: "
        f"{theirs_add:.0f} MB vs {ours_add:.0f} MB = {theirs_add / max(ours_add, 0.1):.1f}x)"
    )


def figure_replies(dbs: BenchDatabase, due: int, askers: int, latency: float) -> None:
    url = dbs.fresh()
    seed(url, due, due, datetime.now(UTC))
    result = run_child("replies", db=url, due=due, askers=askers, latency=latency)
    during, without = result["during"], result["without"]
    print(
        f"5. replies to /tip from {askers} people while {due:,} tips are due at 30/s, "
        f"{1000 * latency:.0f} ms per API call: p50 {during['p50']:.3f} s, p95 "
        f"{during['p95']:.3f} s, max {during['max']:.3f} s (without a sweep: p50 "
        f"{without['p50']:.3f} s, p95 {without['p95']:.3f} s); the sweep sent "
        f"{result['sweep_tips_per_second']:.1f} tips/s meanwhile"
    )


def figure_broadcast(dbs: BenchDatabase, subscribers: int, profile: bool) -> None:
    url = dbs.fresh()
    seed(url, subscribers, 0, datetime.now(UTC))
    emulator = Emulator(subscribers)
    try:
        result = run_child("broadcast", db=url, api=emulator.url, profile=profile)
    finally:
        emulator.stop()
    if result["profile"]:
        print(result["profile"], flush=True)
    print(
        f"6. broadcast to {result['sent']:,} at a 1000/s cap: {result['per_second']:.0f}/s "
        f"= {result['per_second'] / 1000:.3f} of the cap; bot CPU "
        f"{result['cpu_ms_per_message']:.3f} ms per message"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--subscribers",
        type=int,
        default=20_000,
        help="due subscribers of figures 1 and 2 (the issue's 100,000 take ~10 min here)",
    )
    parser.add_argument("--startup-subscribers", type=int, default=100_000, help="figure 4")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a temporary SQLite)")
    parser.add_argument("--claim-subscribers", type=int, default=1_000_000, help="figure 3")
    parser.add_argument("--claim-due", type=int, default=10_000, help="due rows in figure 3")
    parser.add_argument(
        "--mixed-days", action="store_true", help="figure 3 with issue 24's mixed frequencies"
    )
    parser.add_argument("--repeats", type=int, default=1, help="runs of figures 1 and 2")
    parser.add_argument("--bare", type=int, default=20_000, help="messages of the bare loop")
    parser.add_argument(
        "--workers",
        type=int,
        default=SendPolicy(1000).in_flight,
        help="concurrent sends (default: what the bot uses at 1000/s)",
    )
    parser.add_argument("--broadcast-subscribers", type=int, default=20_000, help="figure 6")
    parser.add_argument("--reply-due", type=int, default=1000, help="tips due in figure 5")
    parser.add_argument("--askers", type=int, default=100, help="people asking in figure 5")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds per API call in figure 5"
    )
    parser.add_argument("--profile", action="store_true", help="pyinstrument, figures 1, 6")
    parser.add_argument("--only", choices=["1", "3", "4", "5", "6"], action="append")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        arguments = json.loads(args.child)
        print(json.dumps(asyncio.run(CHILDREN[arguments["kind"]](arguments))))
        return

    MIXED["days"] = args.mixed_days
    only = set(args.only or ["1", "3", "4", "5", "6"])
    with tempfile.TemporaryDirectory(prefix="tipbot-bench-") as workdir:
        dbs = BenchDatabase(args.database_url, Path(workdir))
        backend = "PostgreSQL" if dbs.is_postgres else "SQLite"
        print(
            f"tipbot delivery benchmark on {backend}, {os.cpu_count()} CPUs, "
            f"transport {transport()}",
            flush=True,
        )
        try:
            if "1" in only:
                figure_throughput(
                    dbs, args.subscribers, args.repeats, args.bare, args.workers, args.profile
                )
            if "3" in only:
                figure_claim(dbs, args.claim_subscribers, args.claim_due, repeats=7)
            if "4" in only:
                figure_startup(dbs, args.startup_subscribers, repeats=3)
            if "5" in only:
                figure_replies(dbs, args.reply_due, args.askers, args.latency)
            if "6" in only:
                figure_broadcast(dbs, args.broadcast_subscribers, args.profile)
        finally:
            dbs.drop_all()


if __name__ == "__main__":
    main()
