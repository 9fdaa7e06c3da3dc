"""End to end: tips on demand, the buttons under a tip, and forged button data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tipbot.core import metrics
from tipbot.core.db.models import Subscriber, SubscriptionStatus, TipView, TipVote


def _tip_id(message) -> str:
    return next(
        b["callback_data"].split(":")[1]
        for b in message.inline_buttons
        if b["callback_data"].startswith("vote:")
    )


async def _views(bot, user) -> TipView | None:
    async with bot.deps.db.session() as session:
        return await session.get(TipView, user.id)


@pytest.mark.parametrize(
    ("command", "topic"),
    [
        ("/omega3", "omega3"),
        ("/probiotics", "prebiotics"),
        ("/prebiotics", "prebiotics"),
        ("/exercise", "exercise"),
        ("/stress", "stress"),
        ("/gutbrain", "gutbrain"),
        ("/topic omega3", "omega3"),
        ("/topic Probiotics", "prebiotics"),
    ],
)
async def test_topic_commands_send_a_tip_of_that_topic(bot, alice, library, command, topic):
    await alice.send("/start")
    await alice.wait_for("Welcome")
    await alice.send(command)
    tip = await alice.wait_for("Source:")
    assert library.tips[_tip_id(tip)].topic == topic
    assert tip.buttons == [
        "👍",
        "👎",
        "✅ I tried it",
        "⭐ Save",
        "➕ Another tip",
        "💬 Free consultation",
    ]
    assert (await _views(bot, alice)).on_demand == 1


async def test_tip_for_someone_who_never_started_does_not_subscribe(bot, alice):
    before = metrics.TIPS_SENT.labels(kind="on_demand")._value.get()
    await alice.send("/tip")
    await alice.wait_for("Source:")
    async with bot.deps.db.session() as session:
        person = await session.get(Subscriber, alice.id)
    assert person.status is SubscriptionStatus.STOPPED and person.next_send_at is None
    assert metrics.TIPS_SENT.labels(kind="on_demand")._value.get() == before + 1
    await alice.send("/start")
    assert "Welcome!" in (await alice.wait_for()).text  # the first-time welcome


async def test_tip_comes_from_the_persons_topics(bot, tg, alice, library):
    await alice.send("/start")
    await alice.wait_for("Welcome")
    async with bot.deps.db.session() as session:
        (await session.get(Subscriber, alice.id)).topics = ["stress"]
    for _ in range(3):
        await alice.send("/tip")
        assert library.tips[_tip_id(await alice.wait_for("Source:"))].topic == "stress"


async def test_on_demand_tips_prefer_unseen_ones(bot_factory, make_settings, alice, library):
    count = len(library.tips_by_topic["omega3"])
    # One request per tip of the topic (30 and more): more than the flood guard's default
    # 20 a minute, which is not what this test is about.
    await bot_factory(make_settings(user_rate_per_minute=10 * count))
    seen = []
    for _ in range(count):
        await alice.send("/omega3")
        seen.append(_tip_id(await alice.wait_for("Source:")))
    assert len(set(seen)) == count


async def test_bare_topic_lists_topics_as_buttons_that_work(bot, alice, library):
    await alice.send("/topic")
    listing = await alice.wait_for("Pick a topic")
    assert len(listing.buttons) == len(library.topics)
    await alice.press(listing, "Omega-3")
    assert library.tips[_tip_id(await alice.wait_for("Source:"))].topic == "omega3"


async def test_unknown_topic_gets_the_list(bot, alice, library):
    await alice.send("/topic <chocolate>")
    reply = await alice.wait_for()
    assert "&lt;" not in reply.text and "<chocolate>" in reply.text
    assert len(reply.buttons) == len(library.topics)


async def test_voting_twice_changes_the_vote_and_the_keyboard_shows_it(bot, tg, alice):
    await alice.send("/omega3")
    tip = await alice.wait_for("Source:")
    tip_id = _tip_id(tip)
    answer = await tg.wait_for_answer(await alice.press(tip, "👍"))
    assert answer.text == "Thanks for your feedback!"
    await tg.wait_for_call("editMessageReplyMarkup")
    assert tip.buttons[:2] == ["👍 ✓", "👎"]
    await alice.press(tip, "👎")
    await tg.wait_for_call("editMessageReplyMarkup")
    assert tip.buttons[:2] == ["👍", "👎 ✓"]
    await tg.wait_for_answer(await alice.press(tip, "👎"))  # the same again: no change
    async with bot.deps.db.session() as session:
        votes = (await session.scalars(select(TipVote))).all()
    assert [(v.subscriber_id, v.tip_id, v.vote, v.topic) for v in votes] == [
        (alice.id, tip_id, -1, "omega3")
    ]


async def test_another_tip_sends_a_new_tip_of_the_same_topic(bot, alice, library):
    await alice.send("/stress")
    first = await alice.wait_for("Source:")
    await alice.press(first, "➕ Another tip")
    second = await alice.wait_for("Source:")
    assert library.tips[_tip_id(second)].topic == "stress"
    assert _tip_id(second) != _tip_id(first)
    assert (await _views(bot, alice)).on_demand == 2


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ("vote:no-such-tip:1", "I don't know that tip any more."),
        ("vote:{tip}:2", "This button is no longer valid."),
        ("vote:{tip}:abc", "This button is no longer valid."),
        ("vote:{tip}", "This button is no longer valid."),
        ("vote:{tip}:1:extra", "This button is no longer valid."),
        ("more:chocolate", "This button is no longer valid."),
        ("sub:topic:chocolate", "This button is no longer valid."),
        ("sub:time:99:99", "This button is no longer valid."),
        ("settings:everything", "This button is no longer valid."),
        ("sub:stop:maybe", "This button is no longer valid."),
        ("sub:forget:maybe", "This button is no longer valid."),
        ("completely-unknown", "This button is no longer valid."),
    ],
)
async def test_forged_button_data_is_refused_and_stores_nothing(bot, tg, alice, data, answer):
    await alice.send("/start")
    await alice.wait_for("Welcome")
    await alice.send("/omega3")
    tip = await alice.wait_for("Source:")
    query = await alice.press_data(tip, data.format(tip=_tip_id(tip)))
    assert (await tg.wait_for_answer(query)).text == answer
    await tg.wait_idle()
    async with bot.deps.db.session() as session:
        assert (await session.scalars(select(TipVote))).all() == []
        subscriber = await session.get(Subscriber, alice.id)
    assert subscriber.status is SubscriptionStatus.ACTIVE
    assert len(alice.messages) == 2 and not tip.edited


async def test_vote_after_forget_stores_nothing(bot, tg, alice):
    await alice.send("/omega3")
    tip = await alice.wait_for("Source:")
    await alice.send("/forget")
    await alice.press(await alice.wait_for("Delete everything"), "Yes, delete everything")
    await tg.wait_for_call("editMessageText")
    answer = await tg.wait_for_answer(await alice.press(tip, "👍"))
    assert "/start" in answer.text
    async with bot.deps.db.session() as session:
        assert (await session.scalars(select(TipVote))).all() == []
        assert await session.get(Subscriber, alice.id) is None
