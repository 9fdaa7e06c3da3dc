"""Per-person flood control: a sliding one-minute window kept in memory.

One chatty person must not push the bot into Telegram's per-chat limits or starve others.
Over the limit, the person is told once to slow down and then ignored for a cool-down;
the window and cool-down use the injected clock, so tests need no sleeping. Memory stays
bounded: people idle for longer than the window are evicted.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)
COOL_DOWN = timedelta(seconds=30)
MAX_TRACKED = 10_000  # people kept before idle ones are evicted


class Verdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"  # the first update over the limit: say "slow down" once
    DROP = "drop"


@dataclass
class _Person:
    seen: deque[datetime] = field(default_factory=deque)
    muted_until: datetime | None = None


class FloodGuard:
    def __init__(self, per_minute: int, *, max_tracked: int = MAX_TRACKED) -> None:
        self.per_minute = per_minute
        self.max_tracked = max_tracked
        self._people: dict[int, _Person] = {}

    def __len__(self) -> int:
        return len(self._people)

    def check(self, user_id: int, now: datetime) -> Verdict:
        person = self._people.get(user_id)
        if person is None:
            if len(self._people) >= self.max_tracked:
                self.evict_idle(now)
            person = self._people[user_id] = _Person()
        if person.muted_until is not None:
            if now < person.muted_until:
                return Verdict.DROP
            person.muted_until = None
            person.seen.clear()
        while person.seen and person.seen[0] <= now - WINDOW:
            person.seen.popleft()
        if len(person.seen) >= self.per_minute:
            person.muted_until = now + COOL_DOWN
            return Verdict.WARN
        person.seen.append(now)
        return Verdict.ALLOW

    def evict_idle(self, now: datetime) -> None:
        """Forget people with nothing in the window and no running cool-down."""
        idle = [
            user_id
            for user_id, person in self._people.items()
            if (person.muted_until is None or person.muted_until <= now)
            and (not person.seen or person.seen[-1] <= now - WINDOW)
        ]
        for user_id in idle:
            del self._people[user_id]
