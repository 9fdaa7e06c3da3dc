"""Checks that a reader gets their own language: Spanish spotted by the catalog's own words."""

from __future__ import annotations

import re

from tests.helpers.consult import fill_spanish_form
from tipbot import i18n
from tipbot.consult.outbox_worker import run_outbox


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
