"""Bulk sending (daily tips, broadcasts): claim a slice ahead, send, record as it goes.

What a crash can cost is what was claimed and not yet recorded: the unsent backlog (the
next slice is claimed when the backlog is down to one, so at most two slices, about two
seconds of sending), the sends in flight, and the outcomes gathered since the last record
(at most ``RECORD_EVERY`` seconds old). On stop (SIGTERM) nothing more is claimed, the sends
in flight finish, and the unsent backlog is recorded as ``NOT_SENT``, to be sent after the
restart: a stop takes about one round trip to Telegram, at any rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from tipbot.core.sender import NOT_SENT, Outcome, SendResult

log = logging.getLogger(__name__)

RECORD_EVERY = 0.5  # seconds

T = TypeVar("T")
Outcomes = list[tuple[T, SendResult]]


class BulkSend(Generic[T]):
    """One run: a claimer keeping the backlog between one and two slices, ``workers``
    senders, and a recorder.

    ``claim(limit)`` commits up to ``limit`` items and says whether more may be waiting;
    ``send(item)`` sends one; ``record(outcomes)`` writes outcomes in one transaction.
    """

    def __init__(
        self,
        *,
        slice_size: int | Callable[[], int],
        workers: int,
        claim: Callable[[int], Awaitable[tuple[list[T], bool]]],
        send: Callable[[T], Awaitable[SendResult]],
        record: Callable[[Outcomes[T]], Awaitable[None]],
        stopping: Callable[[], bool],
    ) -> None:
        self._slice_size = slice_size
        self.workers = workers
        self.claim = claim
        self.send = send
        self.record = record
        self.stopping = stopping
        self.queue: asyncio.Queue[T | None] = asyncio.Queue()
        self.room = asyncio.Event()
        self.done = asyncio.Event()
        self.outcomes: Outcomes[T] = []

    @property
    def slice_size(self) -> int:
        """A number, or asked at each claim (a replica's share of the rate may change)."""
        size = self._slice_size
        return size if isinstance(size, int) else size()

    async def run(self) -> None:
        workers = [asyncio.create_task(self._work()) for _ in range(self.workers)]
        recorder = asyncio.create_task(self._record_every())
        try:
            await self._claim_all()
        finally:
            for _ in workers:
                self.queue.put_nowait(None)
            await asyncio.gather(*workers)
            self.done.set()
            await recorder
            await self._flush()

    async def _claim_all(self) -> None:
        while True:
            while self.queue.qsize() > self.slice_size:
                self.room.clear()
                await self.room.wait()
            if self.stopping():
                return
            items, more = await self.claim(self.slice_size)
            for item in items:
                self.queue.put_nowait(item)
            if not more:
                return

    async def _work(self) -> None:
        while (item := await self.queue.get()) is not None:
            if self.queue.qsize() <= self.slice_size:
                self.room.set()
            result = NOT_SENT if self.stopping() else await self._send(item)
            self.outcomes.append((item, result))

    async def _send(self, item: T) -> SendResult:
        try:
            return await self.send(item)
        except Exception:  # one failing message never stops the others
            log.exception("bulk send failed: %r", item)
            return SendResult(Outcome.FAILED, None, "error")

    async def _record_every(self) -> None:
        while not self.done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.done.wait(), RECORD_EVERY)
            try:
                await self._flush()
            except Exception:  # e.g. the database is briefly unreachable: try again
                log.exception("recording send outcomes failed; retrying")

    async def _flush(self) -> None:
        if not self.outcomes:
            return
        outcomes, self.outcomes = self.outcomes, []
        try:
            await self.record(outcomes)
        except BaseException:
            self.outcomes[:0] = outcomes
            raise
