"""Daily delivery as tests arrange it: subscribers set up as /start would, the real sweep."""

from __future__ import annotations

from datetime import datetime, time

from tipbot.delivery import run_sweep
from tipbot.subscriber.service import compute_next_send, subscribe

# No real waiting between a sweep's retries of a failed send.
FAST = {"send_backoff": 0.01}


async def add_subscriber(
    deps,
    user,
    *,
    timezone: str = "Asia/Kolkata",
    send_time: time = time(8, 0),
    topics: list[str] | None = None,
    **fields,
) -> datetime:
    """Subscribe ``user`` as /start would, with their time, zone and topics; next due time."""
    now = deps.clock.now()
    fields.setdefault("welcome_day", None)  # no welcome series unless a test asks for one
    async with deps.db.session() as session:
        result = await subscribe(
            session, user.id, settings=deps.settings, library=deps.library, now=now
        )
        subscriber = result.subscriber
        subscriber.timezone = timezone
        subscriber.send_time = send_time
        if topics is not None:
            subscriber.topics = topics
        for name, value in fields.items():
            setattr(subscriber, name, value)
        subscriber.next_send_at = compute_next_send(subscriber, now)
        return subscriber.next_send_at


def tips_of(user) -> list:
    """The daily tips the person sees (tip messages carry the vote buttons)."""
    return [m for m in user.messages if "👍" in m.buttons]


async def sweep(bot, **kwargs):
    """One run of the real sweep on ``bot`` (its report), without real backoff waits."""
    return await run_sweep(bot.deps, bot.application.bot, **{**FAST, **kwargs})
