"""What every handler and job needs, reachable as ``context.deps``; ``deps_of`` serves code
that holds only the Application (``register``, the runner). Nothing else reads bot_data."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from tipbot import i18n
from tipbot.core.api_health import BotApiMonitor
from tipbot.core.budget import ReplicaBudget
from tipbot.core.clock import Clock
from tipbot.core.config import Settings
from tipbot.core.content import Library
from tipbot.core.db import Database
from tipbot.core.erasure import Eraser
from tipbot.core.inbox import Inbox
from tipbot.core.sender import SendPolicy
from tipbot.core.staff import StaffDirectory

_DEPS_KEY = "deps"


@dataclass
class ProcessState:
    """What this replica keeps in memory; shared truth lives in the database."""

    started_at: datetime | None = None
    last_sweep_at: datetime | None = None  # /healthz: is the delivery sweep alive?
    sweep_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one sweep at a time
    outbox_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one outbox drain at a time
    # The broadcasts this replica is sending.
    broadcasts: dict[int, asyncio.Task[None]] = field(default_factory=dict)
    # Shutting down: the sweep and broadcasts claim nothing more (see core/bulk.py).
    stopping: bool = False
    # When the Bot API last answered, and failures summarised per class (/healthz, logs).
    bot_api: BotApiMonitor = field(default_factory=BotApiMonitor)


@dataclass
class Deps:
    settings: Settings
    db: Database
    library: Library
    clock: Clock
    staff: StaffDirectory = field(init=False)
    sending: SendPolicy = field(init=False)
    state: ProcessState = field(default_factory=ProcessState)
    # This replica's share of the Telegram budget (PostgreSQL; None on SQLite): core/budget.py.
    budget: ReplicaBudget | None = field(default=None, init=False)
    # Updates kept from their acknowledgement to Telegram until handled: core/inbox.py.
    inbox: Inbox | None = field(default=None, init=False)
    # What each area erases on /forget (tipbot.core.erasure), wired in tipbot.app.
    erasers: list[Eraser] = field(default_factory=list)
    # Asked only when a person is over the flood limit: True means their message is for
    # the clinic (an open consultation request) and must be delayed, never dropped.
    writes_to_clinic: list[Callable[[AsyncSession, int], Awaitable[bool]]] = field(
        default_factory=list
    )

    def __post_init__(self) -> None:
        self.staff = StaffDirectory(self.settings)
        self.sending = SendPolicy(self.settings.max_messages_per_second)


class Context(CallbackContext[ExtBot[None], dict, dict, dict]):
    """PTB's context with typed access to the application's dependencies, and the language
    the update is answered in (set first of all, ``HandlerGroup.LANGUAGE``)."""

    _language: str | None = None

    @property
    def deps(self) -> Deps:
        return self.bot_data[_DEPS_KEY]

    @property
    def language(self) -> str:
        """The language to answer this update in: the person's in a private chat, the staff
        language in the staff group. Staff-side output never reads it (see ``tipbot.i18n``)."""
        return self._language or i18n.default_language()

    @language.setter
    def language(self, value: str) -> None:
        self._language = value


def attach(application: Application, deps: Deps) -> None:
    application.bot_data[_DEPS_KEY] = deps


def deps_of(application: Application) -> Deps:
    return application.bot_data[_DEPS_KEY]


def run_at_start(
    job_queue: JobQueue, callback: Callable[[Context], Awaitable[None]], *, name: str
) -> None:
    """Run ``callback`` once as soon as the job queue runs, however long start-up took.

    Jobs are registered before ``JobQueue.start()``, so a ``when=0`` is in the past by then:
    APScheduler drops a one-off job missed by more than its ``misfire_grace_time`` (1 s), and
    moves a repeating job with ``first=0`` a whole interval later. No grace limit: it runs.
    """
    job_queue.run_once(callback, when=0, name=name, job_kwargs={"misfire_grace_time": None})
