"""The schema. State lives here, not in the scheduler: a restart loses nothing.

Times are stored in UTC (``UTCDateTime``); a subscriber's wish ("08:00 in Asia/Kolkata")
is kept as local time plus IANA zone, and ``next_send_at`` is derived from it.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite has no time zones, PostgreSQL does)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings (no native PG enum): adding a value needs no type migration.
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class SubscriptionStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    BLOCKED = "blocked"


class Subscriber(Base):
    """One person in a private chat with the bot (Telegram user id == private chat id)."""

    __tablename__ = "subscribers"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[SubscriptionStatus] = mapped_column(
        _enum(SubscriptionStatus), default=SubscriptionStatus.ACTIVE
    )
    timezone: Mapped[str] = mapped_column(String(64))
    send_time: Mapped[time] = mapped_column(Time)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    next_send_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language_code: Mapped[str | None] = mapped_column(String(16))  # Telegram's, at first contact
    # The bot's language for this person (a catalog's code): from language_code, or /language.
    language: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(64), index=True)
    # Picker state, compact: a per-subscriber seed fixes a shuffled order of each topic's
    # tips; ``tip_cursors`` holds how far into each topic's order this person has got.
    tip_seed: Mapped[int] = mapped_column(Integer, default=0)
    tip_cursors: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    last_topic: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Issue 24. The days a daily tip comes: bit 0 Monday ... bit 6 Sunday (127: every day).
    send_days: Mapped[int] = mapped_column(SmallInteger, default=127, server_default="127")
    # A snoozed daily tip ("⏰ Later"): its delivery and when it comes again. While set,
    # ``next_send_at`` is that instant, so the sweep's one indexed query finds it.
    snooze_delivery_id: Mapped[int | None] = mapped_column(BigInteger)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The welcome series: daily tips claimed since /start (None: no series, or it is over;
    # /stop ends it for good).
    welcome_day: Mapped[int | None] = mapped_column(SmallInteger)
    # The weekly recap (with the week's last daily tip): on or off, and the ISO week
    # (year * 100 + week) it last came in, so it comes at most once a week.
    recap_on: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    recap_week: Mapped[int | None] = mapped_column(Integer)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # recorded, about to be sent (or lost in a crash: at most once)
    SENT = "sent"
    FAILED = "failed"  # gave up on this one (reason in ``error``)
    SKIPPED = "skipped"  # due while the bot was down, beyond the grace window
    RETRY = "retry"  # a passing failure: the sweep tries again within the grace window


class Delivery(Base):
    """One daily tip. Unique per (subscriber, local date): the at-most-once-a-day guarantee."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "local_date"),
        # The sweep's retry query: deliveries in ``retry`` whose due time is within the grace.
        Index("ix_deliveries_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.user_id", ondelete="CASCADE")
    )
    local_date: Mapped[date] = mapped_column(Date)
    tip_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which wording of the tip the person saw: 0 the main text, n its n-th ``variants:`` entry.
    variant: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    # When the person moved this tip with "⏰ Later" (a tip moves once).
    snoozed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TipVote(Base):
    """👍 / 👎 per subscriber and tip; pressing again replaces the vote."""

    __tablename__ = "tip_votes"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.user_id", ondelete="CASCADE"), primary_key=True
    )
    tip_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic: Mapped[str] = mapped_column(String(32))
    vote: Mapped[int] = mapped_column(SmallInteger)  # +1 or -1
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TipView(Base):
    """Counts of tips a subscriber has been shown (daily and on demand), for /mydata."""

    __tablename__ = "tip_views"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.user_id", ondelete="CASCADE"), primary_key=True
    )
    daily: Mapped[int] = mapped_column(Integer, default=0)
    on_demand: Mapped[int] = mapped_column(Integer, default=0)


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


ACTIVE_REQUEST_SQL = "status IN ('open', 'claimed')"


class ConsultRequest(Base):
    """A free-consultation request: the number shown to the person is ``id``."""

    __tablename__ = "consult_requests"
    __table_args__ = (
        Index("ix_consult_requests_status_created", "status", "created_at"),
        # One open (or claimed) request per person, even when two replicas race.
        Index(
            "uq_consult_requests_one_active_per_person",
            "user_id",
            unique=True,
            postgresql_where=text(ACTIVE_REQUEST_SQL),
            sqlite_where=text(ACTIVE_REQUEST_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(128))
    contact_kind: Mapped[str] = mapped_column(String(16))  # phone | email | telegram
    contact_value: Mapped[str | None] = mapped_column(String(256))
    preferred_time: Mapped[str] = mapped_column(String(128))
    topic: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))  # the language the form was in
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus), default=RequestStatus.OPEN)
    claimed_by: Mapped[int | None] = mapped_column(BigInteger)
    claimed_by_name: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_message_id: Mapped[int | None] = mapped_column(BigInteger)
    reminders_sent: Mapped[int] = mapped_column(SmallInteger, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    relay_notice_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The help desk (tipbot.helpdesk): the person's 1-5 rating after the close, and when a
    # staff member first wrote to them (response times).
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Assigned to a colleague with /assign (who then holds it, as after a claim).
    assigned_to: Mapped[int | None] = mapped_column(BigInteger)
    assigned_to_name: Mapped[str | None] = mapped_column(String(128))
    # Who wrote last, and when (auto-close nudges when the clinic did and the person is silent).
    last_person_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_staff_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffThreadMessage(Base):
    """Maps a message in the staff group to its request, so a reply to it reaches the person."""

    __tablename__ = "staff_thread_messages"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consult_requests.id", ondelete="CASCADE"), index=True
    )


class StaffMember(Base):
    """A staff member who has acted in the staff group (pressed a card button, replied, used a
    staff command): whom /assign offers, and the names /report shows."""

    __tablename__ = "staff_members"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    last_acted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsultBlock(Base):
    """A person whose messages are no longer relayed to the staff group (/block, /unblock);
    their daily tips are not affected."""

    __tablename__ = "consult_blocks"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    blocked_by: Mapped[int] = mapped_column(BigInteger)
    notice_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # Telegram refused for good (e.g. chat not found); kept for the operator


class OutboxMessage(Base):
    """A message to send, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # card, card_update, relay, reminder, ...
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # None: the staff chat, when known
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("consult_requests.id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    result_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BroadcastStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # confirmed, waits for ``send_at``; recipients not chosen yet
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(Base):
    """A staff announcement (a campaign) to a segment of subscribers; resumable after a
    restart. ``text`` is the default wording, ``texts`` one per language; ``timing`` is
    ``now``, ``at`` (``send_at``, clinic time), ``tip`` (each person's next tip time) or
    ``daytime`` (each person's tip time moved into 08:00–21:00 local)."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[BroadcastStatus] = mapped_column(
        _enum(BroadcastStatus), default=BroadcastStatus.DRAFT
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    segment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    timing: Mapped[str] = mapped_column(String(16), default="now", server_default="now")
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    photo: Mapped[str | None] = mapped_column(String(512))  # a file id or an https URL
    button: Mapped[str | None] = mapped_column(String(512))  # "consult" or an https URL


class BroadcastRecipient(Base):
    """One row per (broadcast, subscriber): recorded before sending, so a resume never repeats.
    ``due_at``: not before then (a campaign at each person's own time); None: at once."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (Index("ix_broadcast_recipients_due", "broadcast_id", "status", "due_at"),)

    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )
    subscriber_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BotSetting(Base):
    """Facts the bot learned while running that outrank the environment, e.g. the staff
    group's new id after Telegram upgraded it to a supergroup (key ``staff_chat:<old id>``)."""

    __tablename__ = "bot_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsultDraft(Base):
    """A consultation form being filled in: one row per person, so the next answer continues
    it on any replica, after any restart. ``version`` guards against two replicas writing
    over each other; rows expire 30 minutes after the last answer."""

    __tablename__ = "consult_drafts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    step: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entry: Mapped[str] = mapped_column(String(8), default="bot")  # bot | link (the deep link)
    version: Mapped[int] = mapped_column(Integer, default=1)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class FunnelCount(Base):
    """How often a step of the consultation funnel happened on a (UTC) day: the "Free
    consultation" button pressed, a form started. Aggregate only: never who, so /forget has
    nothing here to erase and the figures need no personal data."""

    __tablename__ = "funnel_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)  # button | form
    count: Mapped[int] = mapped_column(Integer, default=0)


# ----------------------------------------------------------------------------- issue 24


class TipTried(Base):
    """A person's "✅ I tried it" on a tip (pressing again takes it back)."""

    __tablename__ = "tip_tried"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.user_id", ondelete="CASCADE"), primary_key=True
    )
    tip_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SavedTip(Base):
    """A tip a person kept with "⭐ Save", for /saved (newest first)."""

    __tablename__ = "saved_tips"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.user_id", ondelete="CASCADE"), primary_key=True
    )
    tip_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StopReason(Base):
    """Why people leave, as counters only: a reason is never linked to a person."""

    __tablename__ = "stop_reasons"

    reason: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


# ---- issue 21: one Telegram budget across replicas (tipbot/core/budget.py)


class SendReplica(Base):
    """A replica sharing the Telegram budget: it beats every second; one whose beat is a few
    seconds old is gone, and its share goes back to the others. Times are the database's
    clock (epoch seconds), so replicas on different hosts agree on them."""

    __tablename__ = "send_replicas"

    replica_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    joined_at: Mapped[float] = mapped_column(Float)
    beat_at: Mapped[float] = mapped_column(Float)


class SendGroupSlots(Base):
    """A group's send times (epoch seconds, the database's clock): the last 20 a minute
    Telegram allows, taken or reserved by any replica (``tipbot/core/budget.py``)."""

    __tablename__ = "send_group_slots"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    slots: Mapped[list[float]] = mapped_column(JSON, default=list)


class InboxUpdate(Base):
    """An update Telegram has been told we received, kept until it has been handled
    (``tipbot/core/inbox.py``). Handling clears ``payload`` (the person's text); the row
    stays a few minutes, so that a webhook retry or a re-fetched batch is recognised."""

    __tablename__ = "inbox_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # The private chat's id is the person's: /forget deletes their unhandled updates.
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # The replica handling it; another takes it over when this one stops beating.
    owner: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
