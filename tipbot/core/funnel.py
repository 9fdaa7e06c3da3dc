"""The consultation funnel's first steps, counted per day and never per person.

A tip and a request are rows already; the "Free consultation" button and a form started
leave none, so they are counted here: one upsert on (day, step). No user id, no chat id:
the figure needs none, and /forget has nothing to find.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from tipbot.core.db import Database
from tipbot.core.db.models import FunnelCount

BUTTON = "button"  # "Free consultation" pressed under a tip
FORM = "form"  # a consultation form started (button, /consult or the start=consult link)
STEPS = (BUTTON, FORM)


async def count_step(db: Database, step: str, now: datetime) -> None:
    """One more ``step`` today (UTC)."""
    if step not in STEPS:
        raise ValueError(f"unknown funnel step {step!r}")
    dialect: Any = sqlite if db.is_sqlite else postgresql
    table = FunnelCount.__table__
    statement = dialect.insert(table).values(day=now.date(), step=step, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.day, table.c.step], set_={"count": table.c.count + 1}
    )
    async with db.session() as session:
        await session.execute(statement)
