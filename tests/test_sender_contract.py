"""The bulk-send contract: a prepared send (``Bot.do_api_request``) and the stock path
(``Bot.send_message``) send Telegram the same request and read its answer alike, and only the
prepared calls' own "use Bot.sendMessage" warning is silenced.

Each test runs PTB's real ``ExtBot`` (with the bot's defaults and rate limiter) against the
fake Bot API, on both paths.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot
from telegram.warnings import PTBUserWarning

from tests.conftest import TOKEN
from tipbot.core import sender
from tipbot.core.sender import Outcome, Prepared, SendPolicy, allow_prepared_sends
from tipbot.core.transport import make_request

PATHS = ["prepared", "stock"]
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="tip:more:1")]])


@pytest.fixture(autouse=True)
def _as_the_app_does() -> None:
    """``tipbot.app`` calls it when building the bot (pytest resets the filters per test)."""
    allow_prepared_sends()


@pytest.fixture
async def ext_bot(tg) -> AsyncIterator[ExtBot]:
    """The bot as ``tipbot.app`` builds it: HTML, no link previews, the send limiter."""
    request = make_request("aiohttp", pool_size=8)
    bot = ExtBot(
        TOKEN,
        base_url=tg.base_url,
        request=request,
        get_updates_request=request,
        defaults=Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
        rate_limiter=SendPolicy(100).limiter(),
    )
    await bot.initialize()
    yield bot
    await bot.shutdown()


def _sent(tg, user_id: int) -> list[dict]:
    """The parameters of each sendMessage to ``user_id``, objects decoded from their JSON."""
    calls = tg.calls_to("sendMessage", chat_id=user_id)
    return [
        {
            key: json.loads(value) if isinstance(value, str) and value[:1] in "{[" else value
            for key, value in call.params.items()
        }
        for call in calls
    ]


@pytest.mark.parametrize("paid", [False, True])
async def test_both_paths_send_the_same_request(tg, ext_bot, paid):
    alice, bob = tg.user("Alice"), tg.user("Bob")
    message = Prepared.of(ext_bot, "<b>Fibre</b> feeds your gut", KEYBOARD)
    policy = SendPolicy(1000 if paid else 30)
    for user, prepared in ((alice, True), (bob, False)):
        result = await SendPolicy(policy.rate, prepared=prepared).send_bulk(
            ext_bot, user.id, message
        )
        assert result.outcome is Outcome.SENT
        assert result.message_id == user.messages[-1].message_id
    [by_prepared], [by_stock] = _sent(tg, alice.id), _sent(tg, bob.id)
    by_prepared.pop("chat_id"), by_stock.pop("chat_id")
    assert by_prepared == by_stock
    assert by_prepared["parse_mode"] == "HTML"
    assert by_prepared.get("allow_paid_broadcast", False) is paid
    for user in (alice, bob):
        assert user.messages[-1].text == "Fibre feeds your gut"
        assert user.messages[-1].reply_markup == KEYBOARD.to_dict()


@pytest.mark.parametrize("path", PATHS)
async def test_both_paths_sort_failures_alike(tg, ext_bot, path):
    alice = tg.user("Alice")
    await alice.block_bot()
    message = Prepared.of(ext_bot, "hi")
    prepared = path == "prepared"
    gone = await sender.send_prepared(ext_bot, alice.id, message, prepared=prepared, backoff=0)
    assert (gone.outcome, gone.reason) == (Outcome.GONE, "blocked")
    missing = await sender.send_prepared(ext_bot, 424242, message, prepared=prepared, backoff=0)
    assert (missing.outcome, missing.reason) == (Outcome.GONE, "chat_not_found")


async def test_the_stock_path_is_taken_where_do_api_request_is_not_the_expected_one(
    tg, ext_bot, monkeypatch
):
    monkeypatch.setattr(sender, "PREPARED_SENDS", False)
    monkeypatch.setattr(
        ExtBot, "do_api_request", lambda *_a, **_k: pytest.fail("the prepared path was taken")
    )
    alice = tg.user("Alice")
    result = await SendPolicy(30).send_bulk(ext_bot, alice.id, Prepared.of(ext_bot, "hi"))
    assert result.outcome is Outcome.SENT
    assert alice.messages[-1].text == "hi"


async def test_only_the_prepared_sends_own_warning_is_silenced(tg, ext_bot):
    alice = tg.user("Alice")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        allow_prepared_sends()
        await SendPolicy(30).send_bulk(ext_bot, alice.id, Prepared.of(ext_bot, "hi"))
        assert [w for w in caught if issubclass(w.category, PTBUserWarning)] == []
        # The same call from anywhere else still warns.
        await ext_bot.do_api_request("sendMessage", api_kwargs={"chat_id": alice.id, "text": "x"})
    warned = [str(w.message) for w in caught if issubclass(w.category, PTBUserWarning)]
    assert warned == [
        "Please use 'Bot.sendMessage' instead of 'Bot.do_api_request(\"sendMessage\", ...)'"
    ]
    assert sender.PREPARED_SENDS  # this PTB is the one the prepared path was written for
