"""Transport benchmark: PTB ``send_message`` over httpx vs aiohttp. Prints figures, is not a test.

    .venv/bin/python bench/bench_transport.py [--messages 4000] [--in-flight 8 50] [--repeats 5]
                                              [--server minimal|fake]

The server runs in its own process on 127.0.0.1 so that only the client's CPU is counted:
``minimal`` (default) is a bare aiohttp app answering every ``sendMessage`` with a fixed
message, to measure the client alone; ``fake`` is the fake Bot API (``python -m
fakegram``), which checks and stores each message like Telegram. For each client and
each number of messages in flight, each repetition sends ``--messages`` messages through a
real PTB ``Bot`` and measures the process CPU time (``time.process_time``) per message and
the messages per second; the medians over the repetitions are printed, the clients
alternating so a noisy neighbour hurts both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402

from tipbot.core.transport import make_request  # noqa: E402

TOKEN = "1000:TEST-token-for-the-transport-benchmark"
CHAT_ID = 10_001  # the first user the emulator's ``--users`` creates

MINIMAL_SERVER = """
import json, sys, time
from aiohttp import web

BODY = json.dumps({"ok": True, "result": {
    "message_id": 1, "date": int(time.time()), "text": "A tip about fibre",
    "chat": {"id": %(chat)d, "type": "private", "first_name": "Alice"},
    "from": {"id": 1000, "is_bot": True, "first_name": "TipBot", "username": "tipbot"},
}}).encode()

async def handle(request):
    await request.read()
    return web.Response(body=BODY, content_type="application/json")

app = web.Application()
app.router.add_post("/bot{token}/sendMessage", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(kind: str, port: int) -> subprocess.Popen[bytes]:
    if kind == "fake":
        command = [sys.executable, "-m", "fakegram", "--port", str(port)]
        command += ["--token", TOKEN, "--users", "1", "--no-record"]
    else:
        command = [sys.executable, "-c", MINIMAL_SERVER % {"chat": CHAT_ID}, str(port)]
    server = subprocess.Popen(command, cwd=ROOT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


async def run_once(client: str, url: str, messages: int, in_flight: int) -> tuple[float, float]:
    """(CPU ms per message, messages per second) for one batch."""
    request = make_request(client, pool_size=max(in_flight, 8))
    bot = Bot(TOKEN, base_url=f"{url}/bot", request=request)
    await request.initialize()
    queue = iter(range(messages))

    async def worker() -> None:
        for n in queue:
            await bot.send_message(CHAT_ID, f"A tip about fibre, number {n}")

    await bot.send_message(CHAT_ID, "warm-up")
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await request.shutdown()
    return cpu * 1000 / messages, messages / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--in-flight", type=int, nargs="+", default=[8, 50])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--server", choices=["minimal", "fake"], default="minimal")
    args = parser.parse_args()
    port = free_port()
    server = start_server(args.server, port)
    url = f"http://127.0.0.1:{port}"
    clients = ("httpx", "aiohttp")
    try:
        print(
            f"{args.messages} send_message per repetition, median of {args.repeats}, "
            f"server: {args.server}, {os.cpu_count()} CPUs"
        )
        print(f"{'client':<8} {'in flight':>9} {'CPU ms/msg':>11} {'msgs/s':>8}")
        results: dict[tuple[str, int], list[tuple[float, float]]] = {}
        for in_flight in args.in_flight:
            for _ in range(args.repeats):
                for client in clients:
                    figures = asyncio.run(run_once(client, url, args.messages, in_flight))
                    results.setdefault((client, in_flight), []).append(figures)
            for client in clients:
                runs = results[(client, in_flight)]
                cpu = statistics.median(r[0] for r in runs)
                rate = statistics.median(r[1] for r in runs)
                print(f"{client:<8} {in_flight:>9} {cpu:>11.3f} {rate:>8.0f}", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
