"""The delivery sweep: claim what is due, commit, then send, then record the outcome.

Why this order gives "at most one tip a day" across crashes and replicas:

1. **Claim** (one short transaction, about a second of sending at a time; see
   ``core/bulk.py``): lock due subscribers (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, so replicas take disjoint rows; SQLite serialises writers), insert the
   ``deliveries`` row under its unique (subscriber, local date) key, advance the picker's
   cursor and ``next_send_at``. COMMIT. A row that already exists for that day means the
   tip was already handled: nothing is sent.
2. **Send**, with no lock or transaction open during network I/O.
3. **Record** the outcome (sent / retry / failed / blocked), at least twice a second.

A crash after 1 leaves a ``pending`` row and an advanced ``next_send_at``: that tip is
lost, never repeated (``/stats`` counts such rows as "fate unknown"). A crash after 2
leaves the same state: the tip arrived, and no later sweep sends it again. Passing
failures become ``retry`` rows that a later sweep sends again (same row, same tip) while
the due time is within the grace window; so do the claimed tips a graceful stop leaves
unsent.

This module is the sweep job (claim, send, record, overlapped by ``core/bulk.py``); the
rules are ``rules.py``, the claim ``claims.py`` (SQL per dialect in ``sql_postgresql.py``
and ``sql_sqlite.py``), the recording ``outcomes.py`` and the daily prune ``pruning.py``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from telegram import Bot

from tipbot import i18n
from tipbot.core import metrics
from tipbot.core.bulk import BulkSend
from tipbot.core.runtime import Deps
from tipbot.core.sender import Outcome, Prepared, SendResult
from tipbot.delivery.claims import ClaimedBatch, claim_due, claim_retries
from tipbot.delivery.outcomes import record_outcomes
from tipbot.delivery.pruning import prune_deliveries
from tipbot.delivery.rules import MAX_DELIVERY_ATTEMPTS, RETRY_STEP, Claim, Verdict, verdict
from tipbot.subscriber.picker import render_tip
from tipbot.subscriber.recap import recap_message
from tipbot.subscriber.welcome import welcome_message

# The names callers imported from here before the split (tests, bench/bench_delivery.py).
__all__ = [
    "MAX_DELIVERY_ATTEMPTS",
    "RETRY_STEP",
    "SEND_ATTEMPTS",
    "SEND_BACKOFF",
    "Claim",
    "ClaimedBatch",
    "SweepReport",
    "claim_due",
    "claim_retries",
    "prune_deliveries",
    "record_outcomes",
    "run_sweep",
]

log = logging.getLogger(__name__)

#: Tries of one send within a sweep (the first and 3 retries with exponential backoff).
SEND_ATTEMPTS = 4
SEND_BACKOFF = 0.5


@dataclass
class SweepReport:
    claimed: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0
    lag_seconds: float = 0.0


async def run_sweep(
    deps: Deps,
    bot: Bot,
    *,
    workers: int | None = None,
    send_attempts: int = SEND_ATTEMPTS,
    send_backoff: float = SEND_BACKOFF,
) -> SweepReport:
    """Deliver everything due now; one replica runs one sweep at a time.

    Claiming, sending and recording overlap (``core/bulk.py``): the next slice is claimed
    while the current one is sent, so the rate limiter never starves.
    """
    async with deps.state.sweep_lock:
        started = time.perf_counter()
        sweep = _Sweep(deps, bot, send_attempts, send_backoff)
        await BulkSend(
            slice_size=lambda: deps.sending.slice_size(deps.settings.sweep_batch_size),
            workers=workers or deps.sending.in_flight,
            claim=sweep.claim,
            send=sweep.send,
            record=sweep.record,
            stopping=lambda: deps.state.stopping,
        ).run()
        report = sweep.report
        metrics.SWEEP_DURATION.observe(time.perf_counter() - started)
        metrics.SWEEP_LAG.set(report.lag_seconds)
        deps.state.last_sweep_at = deps.clock.now()
    if report.claimed or report.skipped:
        log.info(
            "sweep claimed=%d sent=%d retry=%d failed=%d blocked=%d skipped=%d lag=%.0fs",
            report.claimed,
            report.sent,
            report.retry,
            report.failed,
            report.blocked,
            report.skipped,
            report.lag_seconds,
        )
    return report


class _Sweep:
    """What one sweep claims, sends and records; ``BulkSend`` runs it."""

    def __init__(self, deps: Deps, bot: Bot, send_attempts: int, send_backoff: float) -> None:
        self.deps = deps
        self.bot = bot
        self.send_attempts = send_attempts
        self.send_backoff = send_backoff
        self.retries_claimed = False
        # Per (tip, language, wording, snoozable): the message, and whether it fell back to
        # English.
        self.rendered: dict[tuple[str, str, int, bool], tuple[Prepared, bool]] = {}
        self.welcomes: dict[tuple[str, str], Prepared | None] = {}
        self.report = SweepReport()

    async def claim(self, limit: int) -> tuple[list[Claim], bool]:
        """The retries whose time has come first (once), then the due subscribers."""
        deps, grace = self.deps, self.deps.settings.delivery_grace
        now = deps.clock.now()
        if not self.retries_claimed:
            self.retries_claimed = True
            async with deps.db.session() as session:
                retries = await claim_retries(session, now=now, grace=grace, limit=limit)
            if retries:
                self.report.claimed += len(retries)
                return retries, True
        async with deps.db.session() as session:
            batch = await claim_due(session, deps.library, now=now, grace=grace, limit=limit)
        self.report.claimed += len(batch.claims)
        self.report.skipped += batch.skipped
        if batch.oldest_due is not None:
            lag = (now - batch.oldest_due).total_seconds()
            self.report.lag_seconds = max(self.report.lag_seconds, lag)
        return batch.claims, batch.examined >= limit

    async def send(self, claim: Claim) -> SendResult:
        message = self._message(claim)
        if message is None:  # removed from the library by a reload since the claim
            return SendResult(Outcome.FAILED, None, "unknown_tip")
        result = await self.deps.sending.send_bulk(
            self.bot,
            claim.chat_id,
            message,
            attempts=self.send_attempts,
            backoff=self.send_backoff,
        )
        if claim.welcome and result.outcome is Outcome.SENT:
            await self._send_welcome(claim)
        if claim.recap and result.outcome is Outcome.SENT:
            await self._send_recap(claim)
        return result

    async def _send_recap(self, claim: Claim) -> None:
        """The weekly recap, right after the week's last tip (the claim recorded its week:
        a failure here loses this week's recap, never sends it twice)."""
        language = i18n.resolve(claim.language)
        async with self.deps.db.session() as session:
            built = await recap_message(
                session, claim.chat_id, self.deps.library, language, self.deps.clock.now()
            )
        if built is None:
            return
        result = await self.deps.sending.send_bulk(
            self.bot,
            claim.chat_id,
            Prepared.of(self.bot, *built),
            attempts=self.send_attempts,
            backoff=self.send_backoff,
        )
        if result.outcome is not Outcome.SENT:
            log.info("recap not sent: %s", result.reason or result.outcome.value)

    async def _send_welcome(self, claim: Claim) -> None:
        """The welcome series' step of the day, right after the tip (never on its own).
        Its step was counted at the claim: a failure here loses it, never repeats it."""
        language = i18n.resolve(claim.language)
        key = (claim.welcome or "", language)
        if key not in self.welcomes:
            rendered = welcome_message(self.deps.library, claim.welcome or "", language)
            self.welcomes[key] = Prepared.of(self.bot, *rendered) if rendered else None
        message = self.welcomes[key]
        if message is None:  # the step was removed by a reload since the claim
            return
        result = await self.deps.sending.send_bulk(
            self.bot,
            claim.chat_id,
            message,
            attempts=self.send_attempts,
            backoff=self.send_backoff,
        )
        if result.outcome is not Outcome.SENT:
            log.info("welcome step not sent: %s", result.reason or result.outcome.value)

    def _message(self, claim: Claim) -> Prepared | None:
        """The tip in the person's language and wording, rendered once per (tip, language,
        wording)."""
        tip_id, library = claim.tip_id, self.deps.library
        language = i18n.resolve(claim.language)  # the subscriber's, stored
        later = not claim.resend  # a tip moves once: no "⏰ Later" under it the second time
        key = (tip_id, language, claim.variant, later)
        if key in self.rendered:
            message, fallback = self.rendered[key]
            if fallback:
                metrics.TIP_FALLBACKS.labels(language=language).inc()
        else:
            tip = library.tips.get(tip_id) if tip_id else None
            if tip is None:
                return None
            # counts a fallback itself
            text, keyboard = render_tip(library, tip, language, variant=claim.variant, later=later)
            message = Prepared.of(self.bot, text, keyboard)
            self.rendered[key] = (message, tip_id in library.localized(language).missing)
        return message

    async def record(self, outcomes: list[tuple[Claim, SendResult]]) -> None:
        async with self.deps.db.session() as session:
            await record_outcomes(session, outcomes, now=self.deps.clock.now())
        for claim, result in outcomes:
            self._count(claim, result)

    def _count(self, claim: Claim, result: SendResult) -> None:
        decided = verdict(claim, result)
        setattr(self.report, decided.value, getattr(self.report, decided.value) + 1)
        if decided is Verdict.SENT:
            metrics.TIPS_SENT.labels(kind="daily").inc()
        else:
            metrics.TIPS_FAILED.labels(reason=result.reason or result.outcome.value).inc()
