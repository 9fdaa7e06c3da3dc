"""The consultation hand-off as tests drive it: the form a person fills, the staff cards."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from tests.helpers.waiting import eventually
from tipbot.core.db.models import ConsultRequest, OutboxMessage, OutboxStatus


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
    """Wait until the outbox worker has sent and recorded what is due: no row is leased and
    none is due and waiting for the worker (rows held back by a backoff or a card not yet
    posted are not due until the clock moves; staff rows wait while no staff chat is set)."""
    await tg.wait_idle()
    deps = bot.deps

    async def nothing_to_do() -> bool:
        due = and_(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= deps.clock.now(),
        )
        if deps.settings.staff_chat_id is None:  # as the worker's claim: staff rows wait
            due = and_(due, OutboxMessage.chat_id.is_not(None))
        busy = or_(OutboxMessage.locked_until.is_not(None), due)
        async with deps.db.session() as session:
            return not await session.scalar(select(func.count()).where(busy))

    await eventually(nothing_to_do, what="the outbox worker finishing")
    await tg.wait_idle()  # the worker's last calls are answered


def cards(staff_group):
    """The request cards posted in the staff group."""
    return [m for m in staff_group.messages if "Consultation request #" in m.text]


SPANISH_FORM = (  # (her answer, what the bot asks next)
    ("María", "¿Cómo puede contactarte la clínica?"),
    ("✉️ Correo electrónico", "Escribe tu dirección"),
    ("maria@example.com", "¿Qué momento te viene mejor?"),
    ("Tardes entre semana", "¿De qué te gustaría hablar?"),
    ("Prebióticos y probióticos", "¿Quieres que la clínica sepa algo"),
    ("Saltar", "¿Puedo compartir estos datos"),
    ("✅ Sí, compartirlos", "¿La envío a la clínica?"),
)


async def fill_spanish_form(maria) -> dict:
    """Every question of the form, answered in Spanish; the bot's messages by question."""
    await maria.send("/consult")
    await maria.wait_for("¿Cómo te llamas?")
    asked = {}
    for answer, question in SPANISH_FORM:
        await maria.send(answer)
        asked[question] = await maria.wait_for(question)
    return asked
