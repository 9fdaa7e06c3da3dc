"""Everything the bot writes in the staff group is in the staff language, also when a Spanish
speaker's own update or a job caused it (issue 20): the card, relayed text and media, claim
toasts, receipts, reminders, cancellations, /requests, and the edits /forget makes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from fakegram import FakeTelegram
from tests.conftest import TOKEN
from tests.helpers.consult import fill_spanish_form, settled
from tipbot import i18n, texts
from tipbot.consult.outbox_worker import run_outbox
from tipbot.consult.staff_side import send_reminders

REMOVED = "🗑 Request #1: removed at the person's request."


@pytest.fixture
async def tg(clock) -> AsyncIterator[FakeTelegram]:
    """The fake applies Telegram's 48-hour deletion limit on the bot's own clock."""
    async with FakeTelegram(token=TOKEN, clock=lambda: clock.now().timestamp()) as server:
        yield server


@pytest.fixture
def bob(tg, staff_group):
    user = tg.user("Bob")
    staff_group.add_member(user, "administrator")
    return user


def spanish_fragments() -> list[str]:
    """Distinctive pieces of every Spanish translation that differs from its English: the
    text between placeholders and tags, 12 characters or more."""
    catalog = i18n.read_catalog(i18n.catalog_paths()["es"])
    fragments = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in strings:
            if not text or text in english:
                continue
            for piece in re.split(r"\{[^}]*\}|<[^>]*>|\n", text):
                piece = piece.strip(" .,:;!?¿¡()–-")
                if len(piece) >= 12 and all(piece not in e for e in english):
                    fragments.add(piece)
    return sorted(fragments)


def spanish_in(texts: list[str]) -> list[str]:
    fragments = spanish_fragments()
    assert len(fragments) > 100  # the check is real: the catalog gives plenty to look for
    return [f"{piece!r} in {text!r}" for text in texts for piece in fragments if piece in text]


async def spanish_request(bot, tg, maria, staff_group):
    summary = (await fill_spanish_form(maria))["¿La envío a la clínica?"]
    await maria.press(summary, "Enviar")
    await maria.wait_for("recibida")
    await run_outbox(bot.deps, bot.application.bot)
    return await staff_group.wait_for("Consultation request #1")


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


async def test_a_spanish_persons_forget_edits_the_staff_group_in_the_staff_language(
    bot, tg, clock, maria, bob, staff_group
):
    """The probe of issue 20: /forget more than 48 hours later edits the card and the relayed
    messages (too old to delete) to the removal line, in English, not in hers."""
    card = await spanish_request(bot, tg, maria, staff_group)
    await maria.send("ok 123")
    relayed = await staff_group.wait_for("ok 123")
    await settled(bot, tg)
    clock.advance(timedelta(hours=48, minutes=1))
    await maria.send("/forget")
    confirm = await maria.wait_for(texts.FORGET_CONFIRM.render("es")[:20])
    await maria.press(confirm, texts.BUTTON_FORGET_YES.render("es"))
    await tg.wait_until(lambda: confirm.text == texts.FORGOTTEN.render("es"))
    await settled(bot, tg)
    await tg.wait_until(lambda: "removed at the person's request" in card.text)
    assert relayed.text == REMOVED
    assert "Solicitud" not in card.text and "eliminada" not in card.text
    assert spanish_in([card.text, relayed.text]) == []
