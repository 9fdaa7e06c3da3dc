"""The weekly digest in the staff group and /stats with its chart, end to end over fakegram."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import insight
from tests.helpers.png import assert_sensible_png
from tipbot.core.config import ConfigError, load_settings
from tipbot.insight import digest


@pytest.fixture
def dana(tg, staff_group):
    """A clinic staff member, in the staff group."""
    user = tg.user("Dana")
    staff_group.add_member(user, "member")
    return user


def photos_in(tg, messages) -> list[bytes]:
    """The bytes the bot uploaded for these messages' photos."""
    return [tg.uploads[m["photo"][-1]["file_id"]].data for m in messages]


# ----------------------------------------------------------------------------- the digest


async def test_the_digest_is_posted_once_a_week_on_monday_at_nine(bot, tg, staff_group, clock):
    # The clock starts on Monday 1 June 2026 at 06:00 UTC (the clinic's zone here).
    await insight.seed(bot.deps.db, clock.now())
    assert await digest.post_digest_if_due(bot.deps, bot.application.bot) is None  # too early
    clock.advance(hours=3)  # 09:00
    posted = await digest.post_digest_if_due(bot.deps, bot.application.bot)
    assert posted is not None and len(posted.message_ids) == 3
    album = [m for m in staff_group.messages if "photo" in m]
    assert len(album) == 3 and len({m["media_group_id"] for m in album}) == 1
    for png in photos_in(tg, album):
        width, height = assert_sensible_png(png)
        assert (width, height) == (1100, 420)
    caption = album[0].text
    assert "Weekly digest" in caption
    assert "4 active subscribers, 2 new this week, 1 stopped or blocked" in caption
    assert "4 daily tips sent, 👍 2 / 👎 2; best liked: omega3-03" in caption
    assert "3 consultation requests, 2 claimed (median 10 min), 1 closed" in caption

    # Later checks that week, a restart (a second replica) and the next Monday.
    for hours in (1, 5, 24 * 3):
        clock.advance(hours=hours)
        assert await digest.post_digest_if_due(bot.deps, bot.application.bot) is None
    clock.set(clock.now().replace(day=8, hour=9, minute=1))
    again = await digest.post_digest_if_due(bot.deps, bot.application.bot)
    assert again is not None and again.day.isoformat() == "2026-06-08"
    assert sum("photo" in m for m in staff_group.messages) == 6


async def test_a_second_replica_does_not_post_the_digest_again(
    bot_factory, make_settings, clock, staff_group
):
    one = await bot_factory(make_settings())
    two = await bot_factory(make_settings())
    clock.advance(hours=3, minutes=5)
    results = [
        await digest.post_digest_if_due(one.deps, one.application.bot),
        await digest.post_digest_if_due(two.deps, two.application.bot),
    ]
    assert sum(r is not None for r in results) == 1
    assert sum("photo" in m for m in staff_group.messages) == 3


async def test_a_bot_down_at_nine_posts_late_but_not_days_late(bot, staff_group, clock):
    clock.advance(hours=3 + 11)  # 20:00: eleven hours late
    assert await digest.post_digest_if_due(bot.deps, bot.application.bot) is not None
    clock.set(clock.now().replace(day=8, hour=22))  # next Monday, thirteen hours late
    assert await digest.post_digest_if_due(bot.deps, bot.application.bot) is None


async def test_a_failed_post_is_tried_again(bot, tg, staff_group, clock):
    from fakegram import Errors

    clock.advance(hours=3)
    tg.fail("sendMediaGroup", error=Errors.bad_request("chat not found"))
    assert await digest.post_digest_if_due(bot.deps, bot.application.bot) is None
    assert await digest.post_digest_if_due(bot.deps, bot.application.bot) is not None


async def test_the_digest_is_in_the_staff_language(
    bot_factory, make_settings, clock, staff_group, maria
):
    spanish = await bot_factory(make_settings(staff_language="es"))
    clock.advance(hours=3)
    assert await digest.post_digest_if_due(spanish.deps, spanish.application.bot) is not None
    caption = next(m for m in staff_group.messages if "photo" in m).text
    assert "Resumen semanal" in caption and "Weekly" not in caption


async def test_digest_off_and_elsewhere_in_the_week(bot_factory, make_settings, clock, staff_group):
    off = await bot_factory(make_settings(digest="off"))
    clock.advance(days=2)
    assert await digest.post_digest_if_due(off.deps, off.application.bot) is None
    friday = await bot_factory(make_settings(digest="Friday 17:30"))
    assert friday.deps.settings.digest == "fri 17:30"
    clock.set(clock.now().replace(day=5, hour=17, minute=29))
    assert await digest.post_digest_if_due(friday.deps, friday.application.bot) is None
    clock.advance(minutes=1)
    assert await digest.post_digest_if_due(friday.deps, friday.application.bot) is not None


@pytest.mark.parametrize("value", ["monday", "mon 9", "mon 25:00", "someday 09:00", "09:00", ""])
def test_a_bad_digest_setting_is_one_clear_line(value, monkeypatch):
    monkeypatch.setenv("TIPBOT_DIGEST", value or " ")
    with pytest.raises(ConfigError, match=r"^TIPBOT_DIGEST: expected off, or a weekday"):
        load_settings(_env_file=None)


# ----------------------------------------------------------------------------- /stats


async def test_stats_answers_with_the_chart_and_the_numbers(bot, tg, dana, staff_group, clock):
    await insight.seed(bot.deps.db, clock.now())
    await dana.send("/stats", chat=staff_group)
    numbers = await staff_group.wait_for("Statistics")
    assert "Subscribers: active 4" in numbers.text
    picture = await staff_group.wait_for(lambda m: "photo" in m, timeout=15)
    assert "In pictures" in picture.text
    assert assert_sensible_png(photos_in(tg, [picture])[0]) == (1100, 800)


async def test_stats_tip_shows_one_tip_per_language(bot, dana, staff_group, clock):
    await insight.seed(bot.deps.db, clock.now() - timedelta(days=1))
    await dana.send("/stats tip omega3-03", chat=staff_group)
    reply = (await staff_group.wait_for("Tip omega3-03")).text
    assert "Sent as a daily tip: 2; 👍 2 / 👎 0" in reply
    assert "English: sent 1, 👍 1 / 👎 0" in reply
    assert "Español: sent 1, 👍 1 / 👎 0" in reply or "Spanish: sent 1" in reply


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/stats tip no-such-tip", "There is no tip"),
        ("/stats tip <b>x</b>", "There is no tip"),
        ("/stats tip", "Usage: /stats tip ID"),
        ("/stats banana", "Usage: /stats tip ID"),
        ("/stats tip a b", "Usage: /stats tip ID"),
    ],
)
async def test_stats_tip_with_a_bad_id_is_a_friendly_reply(
    bot, dana, staff_group, command, expected
):
    await dana.send(command, chat=staff_group)
    reply = await staff_group.wait_for(expected)
    assert "photo" not in reply


async def test_strangers_get_no_stats(bot, tg, staff_group, clock):
    stranger = tg.user("Stranger")
    await stranger.send("/stats")
    await stranger.wait_for("Only for the clinic staff")
    await stranger.send("/stats tip omega3-03")
    await stranger.wait_for("Only for the clinic staff")
    assert tg.uploads == {}


# ----------------------------------------------------------------------------- the funnel


async def test_the_consultation_button_and_forms_are_counted_per_day_not_per_person(
    bot, alice, clock
):
    from sqlalchemy import select

    from tipbot.core.db.models import FunnelCount

    await alice.send("/omega3")
    tip = await alice.wait_for("Source:")
    await alice.press(tip, "💬 Free consultation")
    await alice.wait_for("Free consultation")
    await alice.send("/cancel")
    await alice.wait_for(lambda m: True)
    await alice.send("/consult")  # a form, without the button
    await alice.wait_for("Free consultation")
    async with bot.deps.db.session() as session:
        rows = (await session.execute(select(FunnelCount))).scalars().all()
    assert {(r.day, r.step, r.count) for r in rows} == {
        (clock.now().date(), "button", 1),
        (clock.now().date(), "form", 2),
    }
    assert not any(str(alice.id) in str(vars(r)) for r in rows)  # nobody in particular
