"""Forgetting a person (/forget) across areas, without the areas importing each other.

The subscriber area runs the erasure in one transaction; every other area that stores
something about a person contributes an ``Eraser``, wired in ``tipbot.app``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application


class EraseFunction(Protocol):
    async def __call__(self, session: AsyncSession, user_id: int, *, now: datetime) -> int:
        """Delete the person's rows (in the caller's transaction); return how many."""
        ...


@dataclass(frozen=True)
class Eraser:
    erase: EraseFunction
    # Runs after the commit, e.g. to send at once what the erasure queued.
    after_commit: Callable[[Application], None] | None = None
