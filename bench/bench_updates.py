"""Update latency benchmark: prints figures, is not a test.

    .venv/bin/python bench/bench_updates.py [--latency 50ms] [--rates 100,200,300] [--seconds 8]
                                            [--database-url postgresql://…]

The real bot (``tipbot run``, its own process, long polling, a fresh SQLite file, or a
fresh PostgreSQL database next to ``--database-url``) serves
1,000 people of the fake Bot API, which runs in this process and answers every call after
``--latency`` (the round trip to Telegram). People send ``--command`` (default ``/tip``: a
database write and a reply with buttons) at a fixed total rate, round-robin; each update's
time to reply is from the moment the fake queued it to the moment it answered the bot's
``sendMessage``. For each processor (``TIPBOT_MAX_CONCURRENT_UPDATES=1``, the old one at a
time, and the new per-chat one at 64) and each rate it prints p50/p95/p99 and whether every
update was answered; the maximum sustained rate is the highest rate with every update
answered and p99 ≤ ``--p99-limit`` (200 ms). The send rate limit is set to 1000/s, so the
rate limiter is not what is measured. ``--baseline REF`` also runs the bot of commit REF
(e.g. the one before the inbox) in the same run, each on a fresh database, side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_delivery import BenchDatabase  # noqa: E402

from fakegram import FakeTelegram  # noqa: E402
from fakegram.__main__ import seconds  # noqa: E402
from tipbot.core.config import PROJECT_CONTENT, Settings  # noqa: E402

TOKEN = "1000:TEST-token-for-the-update-benchmark"
PEOPLE = 1_000


def transport_name(api_url: str) -> str:
    """The class of the Bot API client the bot process builds (the same code, in here)."""
    from tipbot.app import build_application

    settings = Settings(token=TOKEN, bot_api_url=api_url, content=PROJECT_CONTENT, _env_file=None)
    application = build_application(settings)
    return type(application.bot.request).__name__


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class BotProcess:
    """``tipbot run`` against the fake, on a fresh SQLite database."""

    def __init__(
        self, api_url: str, database_url: str, running: int, code: Path | None = None
    ) -> None:
        env = {
            **os.environ,
            "TIPBOT_TOKEN": TOKEN,
            "TIPBOT_BOT_API_URL": api_url,
            "TIPBOT_DATABASE_URL": database_url,
            "TIPBOT_MAX_CONCURRENT_UPDATES": str(running),
            "TIPBOT_MAX_MESSAGES_PER_SECOND": "1000",
            "TIPBOT_USER_RATE_PER_MINUTE": "100000",
            "TIPBOT_LOG_LEVEL": "WARNING",
        }
        if code is not None:  # another commit's tipbot (``--baseline``), found first
            env["PYTHONPATH"] = str(code)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tipbot", "run"],
            env=env,
            stderr=subprocess.PIPE,
            cwd=code or ROOT,
        )

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, grace: float = 10) -> bool:
        """SIGTERM, then SIGKILL after ``grace`` s; False if the bot did not stop in time.

        A bot with a backlog finishes it before it stops (the old one-at-a-time processor
        can take minutes): that rate was not sustained, and the benchmark must not hang.
        """
        self.process.terminate()
        try:
            self.process.wait(timeout=grace)
            return True
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return False


async def run_rate(tg: FakeTelegram, people, command: str, rate: float, duration: float):
    """Send ``rate`` updates a second for ``duration`` seconds; return reply times (s)."""
    mark = len(tg.calls)
    sent: dict[int, list[float]] = defaultdict(list)
    total = int(rate * duration)
    start = time.monotonic()
    for index in range(total):
        due = start + index / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        person = people[index % len(people)]
        sent[person.id].append(time.time())
        await person.send(command)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        replies = [c for c in list(tg.calls)[mark:] if c.method == "sendMessage"]
        if len(replies) >= total:
            break
        await asyncio.sleep(0.1)
    answered: dict[int, list[float]] = defaultdict(list)
    for call in list(tg.calls)[mark:]:
        if call.method == "sendMessage":
            answered[call.params["chat_id"]].append(call.time)
    times = [
        reply - asked
        for chat_id, asked_at in sent.items()
        for asked, reply in zip(asked_at, answered[chat_id], strict=False)
    ]
    return times, total


async def measure(
    args: argparse.Namespace, running: int, database_url: str, code: Path | None = None
) -> list[dict]:
    async with FakeTelegram(token=TOKEN, latency=args.latency) as tg:
        people = [tg.user(f"Person{i}") for i in range(PEOPLE)]
        bot = BotProcess(tg.url, database_url, running, code)
        rows: list[dict] = []
        try:
            await tg.wait_for_call("deleteWebhook", timeout=60)  # polling starts next
            await asyncio.sleep(1)
            # Warm-up: imports, caches and, with the concurrent processor, every person's
            # first contact (their row is made); one at a time serves only ~10 a second.
            warm = people if running > 1 else people[:50]
            await run_rate(tg, warm, args.command, 100 if running > 1 else 50, len(warm) / 100)
            for rate in args.rates:
                cpu, fake_cpu = bot.cpu_seconds(), time.process_time()
                times, total = await run_rate(tg, people, args.command, rate, args.seconds)
                cpu, fake_cpu = bot.cpu_seconds() - cpu, time.process_time() - fake_cpu
                row = {
                    "running": running,
                    "rate": rate,
                    "answered": len(times),
                    "sent": total,
                    "p50": percentile(times, 0.50) if times else float("nan"),
                    "p95": percentile(times, 0.95) if times else float("nan"),
                    "p99": percentile(times, 0.99) if times else float("nan"),
                    "cpu_ms": 1000 * cpu / max(len(times), 1),
                    "fake_cpu_ms": 1000 * fake_cpu / max(len(times), 1),
                    "load": os.getloadavg()[0],
                }
                rows.append(row)
                print(format_row(row), flush=True)
                if len(times) < total or row["p99"] > 2 * args.p99_limit:
                    break  # past saturation: higher rates only queue up more
                await asyncio.sleep(1)
            return rows
        finally:
            if not bot.stop() and rows:
                rows[-1]["drained"] = False
                print(
                    f"  max_concurrent_updates={running}: still busy with a backlog after "
                    f"the last rate; killed; {rows[-1]['rate']:.0f} updates/s not sustained",
                    flush=True,
                )


def format_row(row: dict) -> str:
    return (
        f"  max_concurrent_updates={row['running']:<3} {row['rate']:>5.0f} updates/s: "
        f"answered {row['answered']}/{row['sent']}, p50 {1000 * row['p50']:.0f} ms, "
        f"p95 {1000 * row['p95']:.0f} ms, p99 {1000 * row['p99']:.0f} ms, "
        f"CPU per update: bot {row['cpu_ms']:.1f} ms, fake {row['fake_cpu_ms']:.1f} ms; "
        f"load {row['load']:.1f}"
    )


def sustained(rows: list[dict], limit: float) -> float:
    ok = [
        r["rate"]
        for r in rows
        if r["answered"] == r["sent"] and r["p99"] <= limit and r.get("drained", True)
    ]
    return max(ok, default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=seconds, default=0.05, help="per call, e.g. 50ms")
    parser.add_argument(
        "--rates",
        type=lambda text: [float(part) for part in text.split(",")],
        default=[10, 20, 50, 100, 200, 300, 400, 500, 600],
        help="updates per second to try, in order",
    )
    parser.add_argument("--seconds", type=float, default=8, help="duration of each rate")
    parser.add_argument("--command", default="/tip")
    parser.add_argument("--p99-limit", type=seconds, default=0.2)
    parser.add_argument(
        "--processors", type=lambda text: [int(p) for p in text.split(",")], default=[1, 64]
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to create fresh ones next to (default: SQLite)",
    )
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also run the tipbot of this commit (e.g. main), side by side, for a comparison",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        databases = BenchDatabase(args.database_url, Path(workdir))
        codes: dict[str, Path | None] = {"this tree": None}
        if args.baseline:
            codes = {args.baseline: checkout(args.baseline, Path(workdir)), **codes}
        print(
            f"transport: {asyncio.run(_transport())}; latency {1000 * args.latency:.0f} ms; "
            f"{PEOPLE} people sending {args.command!r}; {args.seconds:.0f} s per rate; "
            f"{'PostgreSQL' if databases.is_postgres else 'SQLite'}",
            flush=True,
        )
        results = {}
        try:
            for running in args.processors:
                for name, code in codes.items():
                    print(f"{name}:", flush=True)
                    database = databases.fresh(migrate=code is None)
                    results[name, running] = asyncio.run(measure(args, running, database, code))
        finally:
            databases.drop_all()
        print()
        for (name, running), rows in results.items():
            best = sustained(rows, args.p99_limit)
            at_300 = next((r for r in rows if r["rate"] == 300), None)
            p99 = f"{1000 * at_300['p99']:.0f} ms" if at_300 else "not reached"
            cpu = statistics.median(r["cpu_ms"] for r in rows) if rows else float("nan")
            print(
                f"{name}, max_concurrent_updates={running}: max sustained {best:.0f} updates/s "
                f"(p99 ≤ {1000 * args.p99_limit:.0f} ms); p99 at 300/s: {p99}; "
                f"median bot CPU per update {cpu:.2f} ms"
            )


def checkout(ref: str, workdir: Path) -> Path:
    """``ref``'s tree in ``workdir`` (git archive: no worktree left behind)."""
    target = workdir / "baseline"
    target.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref],  # noqa: S607 - git from PATH, as a developer runs it
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


async def _transport() -> str:
    async with FakeTelegram(token=TOKEN) as tg:
        return transport_name(tg.url)


if __name__ == "__main__":
    main()
