"""Replicas benchmark (issue 21 §3): prints figures, is not a test.

    .venv/bin/python bench/bench_replicas.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/test \\
        [--tips 20000] [--rate 1000] [--replicas 1 2 3] [--repeats 3]

For each run: a fresh PostgreSQL database with ``--tips`` due subscribers, the fake Bot API
in this process (it records when it answered each call; ``--latency`` a call), and N real
``tipbot run`` processes (webhook mode, so no getUpdates conflict) at
``TIPBOT_MAX_MESSAGES_PER_SECOND=--rate``, sharing the sweep. The runs of 1, 2, 3 replicas
are interleaved, ``--repeats`` times; the figures are medians:

- the busiest one-second window of the combined sends, as a multiple of the budget (goal:
  at most 1.05);
- the time from the first tip to the last, as a ratio to one replica's (goal: within 10 %);
- the combined rate (tips / that time).

Without ``--database-url`` (or ``TIPBOT_TEST_DATABASE_URL``) it runs one replica on SQLite
and says that several need PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_delivery import TOKEN, BenchDatabase, seed  # noqa: E402

from fakegram import FakeTelegram  # noqa: E402
from tipbot.core.config import PROJECT_CONTENT  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process (Linux ``/proc``), 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busiest_window(times: list[float], seconds: float = 1.0) -> int:
    """The most sends in any window of ``seconds`` (sliding, from each send)."""
    most, first = 0, 0
    for last, stamp in enumerate(times):
        while stamp - times[first] >= seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


async def one_run(
    url: str, tips: int, rate: int, replicas: int, workdir: Path, latency: float
) -> dict:
    fake_cpu = time.process_time()
    async with FakeTelegram(token=TOKEN, record_messages=False, latency=latency) as tg:
        for index in range(tips):
            tg.user(f"User{index}")
        processes = []
        log = (workdir / "replicas.log").open("ab")
        for _ in range(replicas):
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("TIPBOT_")}
            env.update(
                TIPBOT_TOKEN=TOKEN,
                TIPBOT_BOT_API_URL=tg.url,
                TIPBOT_DATABASE_URL=url,
                TIPBOT_CONTENT=str(PROJECT_CONTENT),
                TIPBOT_LOG_FORMAT="json",
                TIPBOT_PORT=str(port),
                TIPBOT_MAX_MESSAGES_PER_SECOND=str(rate),
            )
            if replicas > 1 or not url.startswith("sqlite"):
                env["TIPBOT_WEBHOOK_URL"] = f"http://127.0.0.1:{port}/telegram"
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "tipbot", "run", cwd=workdir, env=env, stderr=log
                )
            )
        try:
            with contextlib.suppress(Exception):  # a timeout: the figures say what was sent
                await tg.wait_until(
                    lambda: tg.counts["sendMessage"] >= tips, timeout=30 + 3 * tips / rate
                )
        finally:
            bots_cpu = sum(cpu_seconds(process.pid) for process in processes)
            fake_cpu = time.process_time() - fake_cpu
            for process in processes:
                process.terminate()
            for process in processes:
                await process.wait()
        times = sorted(call.time for call in tg.calls if call.method == "sendMessage" and call.ok)
    took = times[-1] - times[0] if len(times) > 1 else 0.0
    return {
        "sent": len(times),
        "busiest": busiest_window(times) / rate,
        # Over 2 s: a stall of the fake's (or a bot's) event loop bunches the answers it
        # timestamps, which a 1 s window counts as a burst (tests/test_budget_process.py).
        "busiest_2s": busiest_window(times, 2.0) / (2 * rate),
        "took": took,
        "rate": len(times) / took if took else 0.0,
        "fake_cpu": fake_cpu,
        "bots_cpu": bots_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TIPBOT_TEST_DATABASE_URL"))
    parser.add_argument("--tips", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds per Bot API call (one replica sends rate x 50 ms at once: at 50 ms it "
        "cannot quite reach the rate, which is not what is measured here)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tipbot-bench-") as workdir:
        dbs = BenchDatabase(args.database_url, Path(workdir))
        counts = args.replicas if dbs.is_postgres else [1]
        if not dbs.is_postgres:
            print("several replicas need PostgreSQL (--database-url): one replica on SQLite")
        print(
            f"replicas benchmark: {args.tips} due tips at {args.rate}/s, "
            f"{os.cpu_count()} CPUs, {args.repeats} runs each, interleaved",
            flush=True,
        )
        results: dict[int, list[dict]] = {count: [] for count in counts}
        try:
            for repeat in range(args.repeats):
                for count in counts:
                    url = dbs.fresh()
                    seed(url, args.tips, args.tips, datetime.now(UTC))
                    result = asyncio.run(
                        one_run(url, args.tips, args.rate, count, Path(workdir), args.latency)
                    )
                    results[count].append(result)
                    print(
                        f"  run {repeat + 1}, {count} replica(s): sent {result['sent']}, "
                        f"{result['took']:.2f} s, {result['rate']:.0f}/s, busiest second "
                        f"{result['busiest']:.3f}x the budget (2 s: {result['busiest_2s']:.3f}x); "
                        f"CPU s: fake (this process) "
                        f"{result['fake_cpu']:.1f}, bots {result['bots_cpu']:.1f}",
                        flush=True,
                    )
        finally:
            dbs.drop_all()
        one = statistics.median(r["took"] for r in results[counts[0]])
        for count in counts:
            runs = results[count]
            took = statistics.median(r["took"] for r in runs)
            print(
                f"{count} replica(s): median {took:.2f} s ({took / one:.3f}x one replica's), "
                f"{statistics.median(r['rate'] for r in runs):.0f} tips/s, busiest second "
                f"median {statistics.median(r['busiest'] for r in runs):.3f}x, "
                f"worst {max(r['busiest'] for r in runs):.3f}x the budget; over 2 s windows "
                f"worst {max(r['busiest_2s'] for r in runs):.3f}x"
            )


if __name__ == "__main__":
    main()
