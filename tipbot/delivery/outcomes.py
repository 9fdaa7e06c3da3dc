"""Recording what Telegram answered for a slice of daily tips, in one short transaction.

Each delivery's row gets its verdict (``rules.verdict``: sent, retry later, failed); the
people who are gone are marked blocked by the subscriber service's one rule (which keeps
a person's own /stop); the tips shown are counted for /mydata.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.core.db.models import Delivery, TipView
from tipbot.core.sender import SendResult
from tipbot.delivery.rules import DELIVERY_STATUS, Claim, Verdict, verdict
from tipbot.subscriber.service import mark_blocked

_DELIVERIES = Delivery.__table__
_RECORD = (
    update(_DELIVERIES)
    .where(_DELIVERIES.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"), error=bindparam("b_error"), sent_at=bindparam("b_sent_at")
    )
)


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing``/``_update``."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    return dialect.insert


async def record_outcomes(
    session: AsyncSession, outcomes: Iterable[tuple[Claim, SendResult]], *, now: datetime
) -> None:
    """Write what Telegram answered: sent, retry later, failed, or the person is gone."""
    deliveries: list[dict[str, Any]] = []
    gone: list[int] = []
    shown: list[int] = []
    for claim, result in outcomes:
        decided = verdict(claim, result)
        sent = decided is Verdict.SENT
        deliveries.append(
            {
                "b_id": claim.delivery_id,
                "b_error": result.reason,
                "b_status": DELIVERY_STATUS[decided],
                "b_sent_at": now if sent else None,
            }
        )
        if sent and not claim.resend:  # a snoozed tip sent again is the same tip
            shown.append(claim.chat_id)
        elif decided is Verdict.BLOCKED:
            gone.append(claim.chat_id)
    connection = await session.connection()
    if deliveries:
        await connection.execute(_RECORD, deliveries)
    await mark_blocked(session, gone)
    if shown:
        insert = _insert(session)(TipView.__table__)
        await connection.execute(
            insert.on_conflict_do_update(
                index_elements=["subscriber_id"],
                set_={"daily": TipView.__table__.c.daily + insert.excluded.daily},
            ),
            [
                {"subscriber_id": user_id, "daily": count, "on_demand": 0}
                for user_id, count in Counter(shown).items()
            ],
        )
