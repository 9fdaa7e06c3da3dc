"""The outbox queue: messages about consultation requests, sent until Telegram accepted them.

A row is written in the same transaction as the change that causes it, so a crash between
"committed" and "posted" loses nothing; the worker (:mod:`tipbot.consult.outbox_worker`, a
repeating job, plus an immediate ``kick`` after each commit) sends it. This module is a leaf
of the area: everything that queues a message imports it, and it imports none of them.

Kinds (``payload`` keys in brackets):
- ``card``: post the request's card to the staff group [``repost``]; the card is rendered
  from the request as it is when sent, so it always shows the current status.
- ``card_edit``: edit the card in place [``text``, ``card_chat_id``, ``message_id`` for
  cards of deleted requests].
- ``thread``: a message in the staff group, as a reply to the card [``text``, ``reply_to``,
  ``buttons`` as for ``person``].
- ``person``: a message to the person (``chat_id``) [``text``, ``ack_reply_to``: report the
  result in the staff thread, replying to that staff message (``None``: to the card);
  ``buttons``: rows of [label, callback data] under it].
- ``copy``: ``copyMessage`` of a photo, voice note, … [``from_chat_id``, ``message_id``,
  ``caption``: the HTML caption to set, or absent to keep none]; to the person when
  ``chat_id`` is set (with ``ack_reply_to``), else into the staff thread as a reply to the card.
- ``erase``: delete a staff-group message of a forgotten request, or edit it to ``text``
  when it is too old to delete [``text``, ``card_chat_id``, ``message_id``]; see ``erase``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.core.db.models import OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from telegram.ext import Application

WORKER_INTERVAL_SECONDS = 5
JOB_NAME = "consult-outbox"


class Kind(enum.StrEnum):
    """What a row asks for (stored as its value: rows written by older versions still read)."""

    CARD = "card"
    CARD_EDIT = "card_edit"
    THREAD = "thread"
    PERSON = "person"
    COPY = "copy"
    ERASE = "erase"


def enqueue(
    session: AsyncSession,
    kind: Kind,
    *,
    now: datetime,
    request_id: int | None = None,
    chat_id: int | None = None,
    **payload: Any,
) -> OutboxMessage:
    """Add a row to the caller's transaction; ``chat_id=None`` means the staff group."""
    row = OutboxMessage(
        kind=kind.value,
        chat_id=chat_id,
        request_id=request_id,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def kick(application: Application) -> None:
    """Run the worker now (after a commit), instead of waiting for its next interval: the
    worker's own repeating job, found by name, so the queue needs no import of the worker."""
    jobs = application.job_queue
    for job in jobs.get_jobs_by_name(JOB_NAME) if jobs is not None else ():
        jobs.run_once(job.callback, 0)
        return
