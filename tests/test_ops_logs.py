"""Logs carry ids, never tokens, names, contacts or message texts, even at DEBUG."""

from __future__ import annotations

import io
import json
import logging

import pytest

from tests.conftest import TOKEN
from tipbot.core.logs import setup_logging


@pytest.fixture
def json_logs():
    """The bot's real log set-up (JSON, DEBUG, token as secret), writing to captured stderr."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("telegram", "aiosqlite", "httpx")}
    setup_logging("DEBUG", fmt="json", secrets=[TOKEN])
    output = io.StringIO()
    root.handlers[0].setStream(output)
    yield output.getvalue
    root.handlers[:], level = saved
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


async def test_user_and_staff_flows_log_no_personal_data(json_logs, bot, tg, staff_group, settings):
    alice = tg.user("Zyxalice", last_name="Quorvath", username="zyx_alice_handle")
    dana = tg.user("Danaqwerty")
    staff_group.add_member(dana, "member")
    await alice.send("/start")
    await alice.wait_for("Welcome")
    await alice.send("my private diary entry about my stomach")
    await alice.wait_for()
    await alice.share_contact()
    await alice.send("/frobnicate")
    await alice.wait_for()
    await dana.send("/broadcast Announcement text Plumbago", chat=staff_group)
    await dana.press(await staff_group.wait_for("Preview"), "Send to 1")
    await tg.wait_until(lambda: "finished" in staff_group.messages[-1].text)
    await dana.send("/stats", chat=staff_group)
    await staff_group.wait_for("Statistics")
    await tg.wait_idle()

    lines = [json.loads(line) for line in json_logs().splitlines()]
    # The fake Telegram server logs what it receives; it stands in for Telegram, not the bot.
    lines = [line for line in lines if line["logger"] != "fakegram"]
    logged = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert any(line["logger"].startswith("telegram") for line in lines)
    assert any(f"user_id={dana.id}" in line["message"] for line in lines)  # ids are fine
    for forbidden in (
        TOKEN,
        TOKEN.split(":")[1],
        "Zyxalice",
        "Quorvath",
        "zyx_alice_handle",
        "Danaqwerty",
        "diary entry",
        "Plumbago",
        alice.phone_number,
    ):
        assert forbidden not in logged, forbidden


def test_ptb_tracebacks_for_outages_become_one_line(json_logs):
    from telegram.error import BadRequest, NetworkError

    updater = logging.getLogger("telegram.ext.Updater")
    for error in (NetworkError("aiohttp.ClientConnectorError: refused"), BadRequest("bug")):
        try:
            raise error
        except NetworkError:
            updater.exception("Error while calling `get_updates` one more time")
    outage, bug = (json.loads(line) for line in json_logs().splitlines())
    assert outage["message"] == (
        "Error while calling `get_updates` one more time (aiohttp.ClientConnectorError: refused)"
    )
    assert "error" not in outage  # no traceback
    assert "BadRequest: bug" in bug["error"]  # a bug keeps its traceback
