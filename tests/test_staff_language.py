"""Everything the bot writes in the staff group is in the staff language, also when a Spanish
speaker's own update or a job caused it (issue 20): the card, relayed text and media, claim
toasts, receipts, reminders, cancellations and /requests. The edits a Spanish speaker's
/forget makes are in tests/test_forget_staff_group.py, whose fake keeps the bot's clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers.consult import settled
from tests.helpers.language import spanish_in, spanish_request
from tipbot import texts
from tipbot.consult.outbox_worker import run_outbox
from tipbot.consult.staff_side import send_reminders


@pytest.fixture
def bob(tg, staff_group):
    user = tg.user("Bob")
    staff_group.add_member(user, "member")
    return user


async def test_no_staff_group_output_comes_out_in_the_persons_language(
    bot, tg, clock, maria, bob, staff_group
):
    card = await spanish_request(bot, tg, maria, staff_group)
    # A reminder (a job) while nobody has claimed it.
    clock.advance(bot.deps.settings.consult_reminder + timedelta(minutes=1))
    assert await send_reminders(bot.deps) == 1
    await run_outbox(bot.deps, bot.application.bot)
    await staff_group.wait_for("waiting")
    # Her messages, as text and as a photo with a Spanish caption of her own.
    await maria.send("ok 123")
    await staff_group.wait_for("ok 123")
    await maria.send_media("photo", caption="foto 1")
    await staff_group.wait_for("foto 1")
    # Staff claim it (a toast and the card edited), answer, and get the receipt.
    toast = await bob.press(card, "Claim")
    await bob.reply(card, "Hola")
    await maria.wait_for("Mensaje de la clínica")
    await staff_group.wait_for("Delivered to the person")
    # She cancels it herself; then staff list the open requests.
    await maria.send("/consult")
    shown = await maria.wait_for("#1")
    await maria.press(shown, texts.BUTTON_CONSULT_CANCEL_REQUEST.render("es"))
    await staff_group.wait_for("cancelled")
    await bob.send("/requests", chat=staff_group)
    await staff_group.wait_for("No open consultation requests")
    await settled(bot, tg)

    written = [m.text for m in staff_group.messages if m.outgoing]
    written += [a.text or "" for a in tg.answers(bob)]
    assert toast is not None and written
    assert spanish_in(written) == []
    # Her own words still reach the staff as she wrote them.
    assert any("ok 123" in text for text in written)
