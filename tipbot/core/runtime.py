"""What every handler and job needs, reachable as ``context.deps``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from tipbot.core.clock import Clock
from tipbot.core.config import Settings
from tipbot.core.content import Library
from tipbot.core.db import Database
from tipbot.core.staff import StaffDirectory


@dataclass
class Deps:
    settings: Settings
    db: Database
    library: Library
    clock: Clock
    staff: StaffDirectory = field(init=False)
    # Small in-process state of the running replica (e.g. when the last sweep ran).
    state: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.staff = StaffDirectory(self.settings)


class Context(CallbackContext[ExtBot[None], dict, dict, dict]):
    """PTB's context with typed access to the application's dependencies."""

    @property
    def deps(self) -> Deps:
        return self.bot_data["deps"]
