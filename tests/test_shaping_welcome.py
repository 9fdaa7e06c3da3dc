"""Issue 24, the welcome series: the first week's messages come with the daily tip (at the
person's time, right after it), follow content/welcome.yaml, and never again after /stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.helpers.delivery import sweep, tips_of
from tipbot.core.content import ContentError, load_library
from tipbot.core.db.models import Subscriber

START = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)


def _welcomes(user) -> list:
    return [m for m in user.messages if m.text.startswith(("🧭", "📖", "💬", "🌱"))]


async def _start(bot, user, welcome="Welcome") -> None:
    await user.send("/start")
    await user.wait_for(welcome)
    await user.send("/time 8:00")
    await user.wait_for("08:00")


async def _days(bot, clock, user, count: int) -> list[tuple[int, list[str]]]:
    """Sweep each day at 08:00 UTC; per day, the new (tips, welcome texts)."""
    out = []
    for day in range(count):
        before_tips, before_welcome = len(tips_of(user)), len(_welcomes(user))
        clock.set(datetime(2026, 6, 2, 8, 0, tzinfo=UTC) + timedelta(days=day))
        await sweep(bot)
        await sweep(bot)
        new = [m.text for m in _welcomes(user)[before_welcome:]]
        out.append((len(tips_of(user)) - before_tips, new))
    return out


async def test_the_series_comes_with_the_first_week_of_tips(bot, tg, clock, alice):
    await _start(bot, alice)  # 06:00 on June 1st: the first tip is on June 1st at 08:00
    clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    await sweep(bot)
    (first,) = _welcomes(alice)
    assert "Day 1" in first.text and "/topics" in first.text
    # The step is the message right after the tip.
    tip = tips_of(alice)[0]
    assert alice.messages.index(first) == alice.messages.index(tip) + 1
    days = await _days(bot, clock, alice, 8)  # June 2nd .. 9th: the 2nd .. 9th daily tips
    assert [count for count, _ in days] == [1] * 8  # one tip a day, never an extra push
    steps = [texts[0][:12] if texts else None for _, texts in days]
    assert steps[0].startswith("📖") and steps[2].startswith("💬") and steps[5].startswith("🌱")
    assert [s is None for s in steps] == [False, True, False, True, True, False, True, True]
    checkin = _welcomes(alice)[-1]
    assert checkin.buttons == ["😊 Good, keep going", "Too many tips", "Not what I need"]
    await alice.press(checkin, "Too many tips")
    prompt = await alice.wait_for("On which days")
    assert "Mon/Wed/Fri" in prompt.buttons and checkin.buttons == []
    async with bot.deps.db.session() as session:
        assert (await session.get(Subscriber, alice.id)).welcome_day is None


async def test_no_series_after_stop_and_start(bot, tg, clock, alice):
    await _start(bot, alice)
    clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    await sweep(bot)
    assert len(_welcomes(alice)) == 1
    await alice.send("/stop")
    await alice.press(await alice.wait_for(lambda m: m.buttons), "Yes, unsubscribe")
    await tg.wait_for_call("editMessageText")
    await alice.send("/start")
    await alice.wait_for("Welcome back")
    days = await _days(bot, clock, alice, 8)
    assert [count for count, _ in days] == [1] * 8
    assert len(_welcomes(alice)) == 1


async def test_spanish_series_and_checkin(bot, tg, clock, maria):
    await _start(bot, maria, "Bienvenido")
    clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    await sweep(bot)
    assert "Día 1" in _welcomes(maria)[0].text
    await _days(bot, clock, maria, 6)
    checkin = _welcomes(maria)[-1]
    assert "¿qué tal te va?" in checkin.text
    await maria.press(checkin, "😊 Bien, sigue así")
    assert "Me alegra" in (await maria.wait_for("Me alegra")).text


async def test_the_series_follows_the_persons_days(bot, tg, clock, alice):
    """Mon/Wed/Fri: each step comes with one of those tips, never on another day."""
    await _start(bot, alice)
    await alice.send("/days mon,wed,fri")
    await alice.wait_for("now comes")
    sent = []
    for day in range(21):
        clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC) + timedelta(days=day))
        before = len(_welcomes(alice))
        await sweep(bot)
        if len(_welcomes(alice)) > before:
            sent.append(clock.now().strftime("%a"))
    assert len(sent) == 4 and set(sent) <= {"Mon", "Wed", "Fri"}


@pytest.mark.parametrize(
    ("steps", "problem"),
    [
        ([{"day": 1, "id": "a", "text": {"en": "Hi"}}], "no text in 'es'"),
        ([{"day": 0, "id": "a", "text": {"en": "Hi", "es": "Hola"}}], "day must be"),
        (
            [
                {"day": 2, "id": "a", "text": {"en": "Hi", "es": "Hola"}},
                {"day": 1, "id": "b", "text": {"en": "Hi", "es": "Hola"}},
            ],
            "days must go up",
        ),
        ("nope", "non-empty list"),
    ],
)
def test_check_content_refuses_a_broken_series(tmp_path: Path, steps, problem):
    content = Path("content")
    for name in ("tips.yaml", "tips.es.yaml"):
        (tmp_path / name).write_text((content / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "welcome.yaml").write_text(yaml.safe_dump({"steps": steps}), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_library(tmp_path / "tips.yaml")
    assert any(problem in line for line in caught.value.problems)


def test_the_shipped_series_is_valid():
    library = load_library("content/tips.yaml")
    assert [step.day for step in library.welcome.steps] == [1, 2, 4, 7]
    assert all(set(step.texts) >= {"en", "es"} for step in library.welcome.steps)
    assert library.welcome.steps[-1].checkin


def test_check_content_names_the_series_and_its_problems(tmp_path: Path, capsys):
    from tipbot.cli import main

    assert main(["check-content", "content/tips.yaml"]) == 0
    assert "welcome series: 4 steps (with daily tips 1, 2, 4, 7)" in capsys.readouterr().out
    for name in ("tips.yaml", "tips.es.yaml"):
        (tmp_path / name).write_text(Path("content", name).read_text(encoding="utf-8"))
    steps = [{"day": 1, "id": "hello", "text": {"en": "Hi"}}]
    (tmp_path / "welcome.yaml").write_text(yaml.safe_dump({"steps": steps}), encoding="utf-8")
    assert main(["check-content", str(tmp_path / "tips.yaml")]) == 1
    err = capsys.readouterr().err
    assert "welcome.yaml: step 1 (hello): no text in 'es'" in err and "Traceback" not in err
