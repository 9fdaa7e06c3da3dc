"""The consultation hand-off as tests drive it: the form a person fills, the staff cards."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers.waiting import eventually
from tipbot.core.db.models import ConsultRequest, OutboxMessage


async def fill_form(user, *, email="alice@example.com", note="Sleep is bad lately"):
    """Answer every question up to the summary (the /consult entry point)."""
    await user.send("/consult")
    return await answer_form(user, email=email, note=note)


async def answer_form(user, *, email="alice@example.com", note="Sleep is bad lately"):
    """Answer every question, from the name on, up to the summary."""
    await user.wait_for("What is your name")
    await user.send(user.first_name)
    await user.wait_for("How should the clinic reach you")
    await user.send(email)
    await user.wait_for("When suits you best")
    await user.send("Weekday evenings")
    topics = await user.wait_for("What would you like to talk about")
    await user.send(topics.buttons[0])
    await user.wait_for("Anything you'd like the clinic to know")
    await user.send(note)
    await user.wait_for("May I share these details")
    await user.send("✅ Yes, share them")
    return await user.wait_for("Send it to the clinic?")


async def submit(user, **answers):
    """Fill the form and send it; the "received" answer."""
    summary = await fill_form(user, **answers)
    await user.press(summary, "Send")
    return await user.wait_for("received")


async def stored_requests(bot) -> list[ConsultRequest]:
    async with bot.deps.db.session() as session:
        return list(await session.scalars(select(ConsultRequest).order_by(ConsultRequest.id)))


async def settled(bot, tg) -> None:
    """Wait until the outbox worker has recorded what it sent (no row is leased)."""
    await tg.wait_idle()
    leased = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.locked_until.is_not(None))
    )

    async def nothing_leased() -> bool:
        async with bot.deps.db.session() as session:
            return not await session.scalar(leased)

    await eventually(nothing_leased, what="the outbox worker finishing")


def cards(staff_group):
    """The request cards posted in the staff group."""
    return [m for m in staff_group.messages if "Consultation request #" in m.text]
