"""The consultation form's state in the database: one draft row per person.

Why not PTB's ``ConversationHandler`` with a persistence: PTB reads a persistence's
conversations once, at start, and afterwards only writes to it; every replica answers from
its own in-memory copy. An answer arriving on replica B would not see the step replica A
stored, and a restart would still lose what was not flushed yet. So the form is a small
state machine over this row instead: each update reads the person's draft (one primary-key
lookup), runs the step, and writes the new step with a version check, so that two replicas
answering the same person at the same instant cannot silently overwrite each other (the
later write is dropped and logged). Reading, the Telegram calls and writing are separate,
short transactions: none is held across a call to Telegram.

Drafts expire ``FORM_TIMEOUT`` after the last answer. An answer to an expired draft is told
the form closed; a job deletes expired drafts (each claimed once, on any replica) and says so.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.consult.service import FormAnswers
from tipbot.core.db.models import ConsultDraft

FORM_TIMEOUT = timedelta(minutes=30)
EXPIRED_BATCH = 500


def answers_of(draft: ConsultDraft) -> FormAnswers:
    return FormAnswers(**draft.answers)


async def save(
    session: AsyncSession,
    user_id: int,
    *,
    step: str,
    answers: FormAnswers,
    entry: str,
    version: int | None,
    now: datetime,
) -> bool:
    """Store where the form stands; ``version=None`` starts a new form (replacing any).
    False if the draft changed since it was read (another replica got there first)."""
    expires_at = now + FORM_TIMEOUT
    if version is None:
        await session.execute(delete(ConsultDraft).where(ConsultDraft.user_id == user_id))
        try:
            async with session.begin_nested():
                session.add(
                    ConsultDraft(
                        user_id=user_id,
                        step=step,
                        answers=asdict(answers),
                        entry=entry,
                        version=1,
                        expires_at=expires_at,
                    )
                )
        except IntegrityError:
            return False
        return True
    result = await session.execute(
        update(ConsultDraft)
        .where(ConsultDraft.user_id == user_id, ConsultDraft.version == version)
        .values(step=step, answers=asdict(answers), version=version + 1, expires_at=expires_at)
    )
    return result.rowcount == 1


async def discard(session: AsyncSession, user_id: int, version: int | None = None) -> bool:
    """Delete the draft (only this ``version`` of it, if given); True if one was deleted."""
    statement = delete(ConsultDraft).where(ConsultDraft.user_id == user_id)
    if version is not None:
        statement = statement.where(ConsultDraft.version == version)
    return (await session.execute(statement)).rowcount == 1


async def take_expired(
    session: AsyncSession, now: datetime, *, skip_locked: bool
) -> list[tuple[int, str | None]]:
    """Delete drafts past their time; return whose they were and the language each form was
    filled in (each once, across replicas)."""
    query = (
        select(ConsultDraft.user_id, ConsultDraft.answers)
        .where(ConsultDraft.expires_at <= now)
        .order_by(ConsultDraft.expires_at)
        .limit(EXPIRED_BATCH)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    expired = [
        (user_id, answers.get("language")) for user_id, answers in await session.execute(query)
    ]
    if expired:
        user_ids = [user_id for user_id, _ in expired]
        await session.execute(delete(ConsultDraft).where(ConsultDraft.user_id.in_(user_ids)))
    return expired
