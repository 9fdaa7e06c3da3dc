"""Plain functions of the ops area, tested directly."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from fakegram import StoredMessage
from tipbot.core.health import check_health, mark_started
from tipbot.core.runtime import Deps
from tipbot.core.updates import update_kind
from tipbot.demo import render
from tipbot.runner import Runner, resolve_webhook_secret
from tipbot.staff.stats import Stats, TipScore, TopicVotes, render_stats


def test_update_kind_names_the_filled_field():
    message = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "x"}
    assert update_kind(Update.de_json({"update_id": 1, "message": message}, None)) == "message"
    assert update_kind("not an update") == "other"


def test_render_writes_link_addresses_after_their_text_with_utf16_offsets():
    text = "🐟 Source: Smith 2020 and more"
    # "🐟" is two UTF-16 code units: the link "Smith 2020" starts at offset 11.
    data = {
        "message_id": 1,
        "chat": {"id": 1},
        "text": text,
        "entities": [{"type": "text_link", "offset": 11, "length": 10, "url": "https://x.org/1"}],
    }
    rendered = render(StoredMessage(data, 1, outgoing=True))
    assert rendered == "🐟 Source: Smith 2020 <https://x.org/1> and more"


def test_webhook_secret_configured_generated_or_absent(make_settings):
    assert resolve_webhook_secret(make_settings()) is None
    assert resolve_webhook_secret(make_settings(webhook_url="https://a/b", webhook_secret="k-1"))
    generated = resolve_webhook_secret(make_settings(webhook_url="https://a/b"))
    assert len(generated) >= 32 and all(c.isalnum() or c in "-_" for c in generated)


def test_runner_ports_and_path(make_settings):
    from tipbot.app import build_application

    settings = make_settings(webhook_url="https://bot.example.org/tg/hook")
    runner = Runner(build_application(settings), settings)
    assert (runner.port, runner.webhook_path) == (8080, "/tg/hook")
    polling = make_settings()
    assert Runner(build_application(polling), polling).port is None


async def test_health_rules(settings, db, library, clock):
    deps = Deps(settings=settings, db=db, library=library, clock=clock)
    mark_started(deps)
    assert (await check_health(deps)).as_json()["problems"] == ["the Bot API has not answered yet"]
    deps.state.bot_api.succeeded()
    assert (await check_health(deps)).ok
    deps.state.last_sweep_at = clock.now() - timedelta(seconds=119)
    assert (await check_health(deps)).ok
    deps.state.last_sweep_at = clock.now() - timedelta(minutes=5)
    health = await check_health(deps)
    assert not health.ok and health.as_json()["problems"] == [
        "last delivery sweep ran 5 minutes ago"
    ]


def test_render_stats_escapes_and_formats():
    stats = Stats(
        subscribers={"active": 12_345, "blocked": 3},
        new_this_week=7,
        sources=[(None, 10), ("<flyer>", 2)],
        tips_sent_week=70_000,
        tips_unknown_week=12,
        votes_by_topic=[TopicVotes("omega3", 4, 1)],
        least_liked=[TipScore("omega3-fish", 0, 3)],
        requests={"open": 2},
        median_time_to_claim=timedelta(hours=2, minutes=5),
    )
    text = render_stats(stats, "en")
    assert "active 12,345, blocked 3" in text
    assert "&lt;flyer&gt; 2" in text and "direct 10" in text
    assert "last 7 days: 70,000" in text
    assert "Fate unknown (in flight during a crash): 12" in text
    assert "omega3-fish: 👍 0 / 👎 3" in text
    assert "Median time to claim: 2 h 5 min" in text
