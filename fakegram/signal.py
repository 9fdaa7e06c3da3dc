"""A cheap wake-up for waiters (the emulator's state-change notification)."""

from __future__ import annotations

import asyncio


class Signal:
    """Wake every waiter on ``notify()``; cheap when nobody waits (hot path friendly)."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        event, self._event = self._event, None
        if event is not None:
            event.set()

    async def wait(self, timeout: float | None) -> None:  # noqa: ASYNC109
        """Return on the next ``notify()`` or after ``timeout`` seconds (``None``: no limit)."""
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            pass
