"""Run the fake Telegram server on its own: ``python -m fakegram --port 8081``.

Useful when the bot under load should not share a process (and CPU) with the emulator;
counters are served at ``/_emulator/stats``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import FakeTelegram


async def serve(args: argparse.Namespace) -> None:
    tg = FakeTelegram(
        args.token,
        host=args.host,
        port=args.port,
        record_messages=not args.no_record,
        max_calls=args.max_calls,
        latency=args.latency,
    )
    async with tg:
        users = [tg.user(f"User{i}") for i in range(args.users)]
        ids = f"{users[0].id}..{users[-1].id}" if users else "none"
        print(f"fake Telegram at {tg.url} (token {tg.token}, user ids {ids})", flush=True)
        await asyncio.Event().wait()


def seconds(text: str) -> float:
    """``50ms``, ``0.05s`` or ``0.05`` as seconds."""
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    return float(text.removesuffix("s"))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fakegram", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="1000:TEST-TOKEN")
    parser.add_argument("--users", type=int, default=0, help="create N users (ids from 10001)")
    parser.add_argument("--no-record", action="store_true", help="keep counters only")
    parser.add_argument("--max-calls", type=int, default=None, help="bound the call log")
    parser.add_argument(
        "--latency", type=seconds, default=0.0, help="time every call takes, e.g. 50ms or 0.05"
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
