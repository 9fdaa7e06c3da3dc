"""Tip variants (issue 25): a tip's other wordings, validated like its text and sharing its
source; each person sees one wording, fixed by their seed, recorded as Delivery.variant."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from tests.helpers.delivery import add_subscriber, sweep, tips_of
from tipbot.cli import main
from tipbot.core.config import PROJECT_CONTENT
from tipbot.core.content import load_library
from tipbot.core.content.signoff import fingerprint
from tipbot.core.db.models import Delivery, Subscriber
from tipbot.subscriber.picker import _order, variant_of

TIP = "stress-01"


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(PROJECT_CONTENT.read_text(encoding="utf-8"))


@pytest.fixture
def raw_es() -> dict:
    return yaml.safe_load(PROJECT_CONTENT.with_name("tips.es.yaml").read_text("utf-8"))


def write(tmp_path: Path, raw: dict, raw_es: dict | None = None) -> Path:
    path = tmp_path / "tips.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    if raw_es is not None:
        (tmp_path / "tips.es.yaml").write_text(
            yaml.safe_dump(raw_es, allow_unicode=True), encoding="utf-8"
        )
    return path


def entry(raw: dict, tip_id: str) -> dict:
    return next(tip for tip in raw["tips"] if tip["id"] == tip_id)


def seed_for(tip, variant: int) -> int:
    return next(seed for seed in range(1000) if variant_of(tip, seed) == variant)


# ----------------------------------------------------------------------------- content


def test_the_shipped_library_has_variants_in_english_and_spanish():
    library = load_library(PROJECT_CONTENT)
    with_variants = [tip for tip in library.tips.values() if tip.variants]
    assert 3 <= len(with_variants) <= 5
    spanish = library.localized("es")
    for tip in with_variants:
        assert len(spanish.tips[tip.id].variants) == len(tip.variants)
        assert spanish.tips[tip.id].wording(1) != spanish.tips[tip.id].text
    assert "variant1=" in fingerprint(library, TIP) and "es-variant1=" in fingerprint(library, TIP)
    assert "variant" not in fingerprint(library, "stress-02")  # unchanged tips stay signed


@pytest.mark.parametrize(
    ("variants", "expected"),
    [
        ([{"text": "Other words", "reference": "who2020"}], "share the tip's reference"),
        ("Other words", "variants must be a list of texts"),
        ([], "variants must be a list of texts"),
        ([""], "empty variant 1"),
        (["See <b>this</b>"], "variant 1 must be plain (no HTML tags)"),
        (["x" * 601], "variant 1 is 601 characters, at most 600"),
        (["one", "two", "three", "four"], "4 variants, at most 3"),
        (None, "a variant repeats the text"),
    ],
)
def test_bad_variants_are_reported_by_check_content(tmp_path, capsys, raw, variants, expected):
    tip = entry(raw, TIP)
    tip["variants"] = variants if variants is not None else [f"  {tip['text'].upper()} "]
    path = write(tmp_path, raw)
    assert main(["check-content", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"tip {TIP}" in err and expected in err and "Traceback" not in err


def test_a_translation_must_word_the_same_variants(tmp_path, capsys, raw, raw_es):
    entry(raw_es, TIP)["variants"] = ["Uno", "Dos"]
    path = write(tmp_path, raw, raw_es)
    assert main(["check-content", str(path)]) == 1
    assert "2 variants, but tips.yaml has 1" in capsys.readouterr().err


def test_a_translation_without_the_variants_shows_its_main_text(tmp_path, raw, raw_es):
    del entry(raw_es, TIP)["variants"]
    library = load_library(write(tmp_path, raw, raw_es))
    spanish = library.localized("es").tips[TIP]
    assert spanish.variants == () and spanish.wording(1) == spanish.text


# ----------------------------------------------------------------------------- the picker


def test_each_person_has_one_wording_and_people_are_spread_evenly():
    tip = load_library(PROJECT_CONTENT).tips[TIP]
    counts = Counter(variant_of(tip, seed) for seed in range(4000))
    assert set(counts) == {0, 1} and abs(counts[0] - counts[1]) < 300
    assert all(variant_of(tip, 7) == variant_of(tip, 7) for _ in range(3))
    other = load_library(PROJECT_CONTENT).tips["exercise-01"]
    together = Counter((variant_of(tip, s), variant_of(other, s)) for s in range(4000))
    assert len(together) == 4  # one person's wordings differ from tip to tip


# ----------------------------------------------------------------------------- end to end


async def next_is(bot, person, tip_id: str, seed: int) -> None:
    """Make ``tip_id`` the person's next stress tip, with ``seed``."""
    library = bot.deps.library
    order = _order(library.tip_ids_by_topic["stress"], seed)
    async with bot.deps.db.session() as session:
        subscriber = await session.get(Subscriber, person.id)
        subscriber.tip_seed, subscriber.topics = seed, ["stress"]
        subscriber.tip_cursors = {"stress": order.index(tip_id)}
        subscriber.next_send_at = bot.deps.clock.now()  # due now


async def test_the_daily_tip_shows_the_persons_wording_and_records_it(bot, tg, alice, maria, clock):
    library = bot.deps.library
    tip = library.tips[TIP]
    await add_subscriber(bot.deps, alice, timezone="UTC", send_time=clock.now().time())
    await add_subscriber(
        bot.deps, maria, timezone="UTC", send_time=clock.now().time(), language="es"
    )
    await next_is(bot, alice, TIP, seed_for(tip, 1))
    await next_is(bot, maria, TIP, seed_for(tip, 1))
    await sweep(bot)
    await tg.wait_until(lambda: tips_of(alice) and tips_of(maria))
    assert tip.variants[0].split(".")[0] in tips_of(alice)[0].text
    assert tip.text.split(".")[0] not in tips_of(alice)[0].text
    spanish = library.localized("es").tips[TIP]
    assert spanish.variants[0].split(".")[0] in tips_of(maria)[0].text
    async with bot.deps.db.session() as session:
        rows = dict((await session.execute(select(Delivery.subscriber_id, Delivery.variant))).all())
    assert rows == {alice.id: 1, maria.id: 1}


async def test_the_main_wording_is_variant_zero_and_on_demand_tips_agree(bot, tg, alice, clock):
    library = bot.deps.library
    tip = library.tips[TIP]
    await add_subscriber(bot.deps, alice, timezone="UTC", send_time=clock.now().time())
    seed = seed_for(tip, 0)
    await next_is(bot, alice, TIP, seed)
    await sweep(bot)
    await tg.wait_until(lambda: tips_of(alice))
    assert tip.text.split(".")[0] in tips_of(alice)[0].text
    async with bot.deps.db.session() as session:
        assert await session.scalar(select(Delivery.variant)) == 0
    # On demand, the same tip comes in the same person's wording (here: the variant).
    await next_is(bot, alice, TIP, seed_for(tip, 1))
    await alice.send("/stress")
    shown = await alice.wait_for()
    assert tip.variants[0].split(".")[0] in shown.text


async def test_per_tip_figures_compare_the_wordings(db, clock):
    from datetime import timedelta

    from tipbot.core.db.models import DeliveryStatus, TipVote
    from tipbot.staff.variants import VariantFigures, variant_figures

    now = clock.now()
    async with db.session() as session:
        for user_id, variant, vote in ((1, 0, 1), (2, 0, -1), (3, 1, 1), (4, 1, 1), (5, 1, None)):
            session.add(Subscriber(user_id=user_id, timezone="UTC", send_time=now.time()))
            await session.flush()
            session.add(
                Delivery(
                    subscriber_id=user_id,
                    local_date=now.date(),
                    tip_id=TIP,
                    status=DeliveryStatus.SENT,
                    due_at=now,
                    variant=variant,
                )
            )
            if vote is not None:
                session.add(TipVote(subscriber_id=user_id, tip_id=TIP, topic="stress", vote=vote))
        session.add(  # another tip, and a failed send: not counted
            Delivery(
                subscriber_id=5,
                local_date=now.date() - timedelta(days=1),
                tip_id=TIP,
                status=DeliveryStatus.FAILED,
                due_at=now,
                variant=0,
            )
        )
    async with db.session() as session:
        figures = await variant_figures(session, TIP)
    assert figures == [VariantFigures(0, 2, 1, 1), VariantFigures(1, 3, 2, 0)]


async def test_stats_tip_compares_the_wordings_with_tried_and_saved(
    bot, tg, alice, maria, staff_group, clock
):
    """/stats tip ID as the clinic reads it: each wording's sends and votes, and the
    people who tried the tip or kept it (issue 25)."""
    dana = tg.user("Dana")
    staff_group.add_member(dana, "member")
    tip = bot.deps.library.tips[TIP]
    for person, variant in ((alice, 0), (maria, 1)):
        await add_subscriber(bot.deps, person, timezone="UTC", send_time=clock.now().time())
        await next_is(bot, person, TIP, seed_for(tip, variant))
    await sweep(bot)
    await tg.wait_until(lambda: tips_of(alice) and tips_of(maria))
    daily = tips_of(alice)[0]
    await alice.press(daily, "👍")
    await tg.wait_for_call("answerCallbackQuery")
    await alice.press(daily, "✅ I tried it")
    await alice.press(daily, "⭐ Save")
    await tg.wait_until(lambda: "⭐ Save ✓" in alice.messages[0].buttons)

    await dana.send(f"/stats tip {TIP}", chat=staff_group)
    reply = (await staff_group.wait_for(f"Tip {TIP}")).text
    assert "✅ Tried it: 1; ⭐ saved: 1" in reply
    assert "wording 0: sent 1, 👍 1 / 👎 0" in reply
    assert "wording 1: sent 1, 👍 0 / 👎 0" in reply
