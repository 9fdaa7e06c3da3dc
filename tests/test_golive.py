"""Linking the staff group and checking an installation: /chatid, the greeting when the bot
is added to a group, and ``tipbot doctor`` against the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from telegram import Bot

from fakegram import FakeTelegram
from tests.conftest import TOKEN
from tipbot.core.config import PROJECT_CONTENT
from tipbot.doctor import diagnose, render

# ----------------------------------------------------------------------------- /chatid


async def test_chatid_in_a_group_answers_the_config_line(bot, tg, alice):
    group = tg.group("Front desk").add_member(alice)
    await alice.send("/chatid", chat=group)
    answer = await group.wait_for("This group's id")
    assert f"TIPBOT_STAFF_CHAT_ID={group.id}" in answer.text


async def test_chatid_with_the_bots_name_in_a_group_with_several_bots(bot, tg, alice):
    group = tg.group("Front desk", bot_status="member").add_member(alice)  # privacy mode on
    await alice.send(f"/chatid@{tg.bot_username}", chat=group)
    assert str(group.id) in (await group.wait_for("This group's id")).text


async def test_chatid_in_a_private_chat_answers_the_user_id(bot, alice):
    await alice.send("/chatid")
    answer = await alice.wait_for("Your Telegram user id")
    assert str(alice.id) in answer.text and "TIPBOT_STAFF_USER_IDS" in answer.text


async def test_staff_commands_keep_their_checks_in_a_new_group(bot, tg, alice):
    group = tg.group("Front desk").add_member(alice)
    await alice.send("/chatid", chat=group)
    await group.wait_for("This group's id")
    await alice.send("/stats", chat=group)
    await tg.wait_idle()
    assert not any("Subscribers" in m.text for m in group.messages)


# ----------------------------------------------------------------------------- joining a group


async def test_added_before_a_staff_group_is_set_it_announces_the_line(
    bot_factory, make_settings, tg, alice, caplog
):
    await bot_factory(make_settings(staff_chat_id=None))
    group = tg.group("Clinic team", bot_status="left").add_member(alice, "creator")
    with caplog.at_level(logging.INFO, logger="tipbot"):
        await group.add_bot(by=alice)
        hello = await group.wait_for("put this line")
    assert f"TIPBOT_STAFF_CHAT_ID={group.id}" in hello.text
    assert f"added to group 'Clinic team' by user_id={alice.id}" in caplog.text
    assert f"TIPBOT_STAFF_CHAT_ID={group.id}" in caplog.text


async def test_added_by_an_allow_listed_staff_member_it_announces_the_line(
    bot_factory, make_settings, tg, alice
):
    await bot_factory(make_settings(staff_user_ids=frozenset({alice.id})))
    group = tg.group("New staff room", bot_status="left")
    await group.add_bot(by=alice, status="administrator")
    assert str(group.id) in (await group.wait_for("put this line")).text


async def test_added_by_someone_else_it_only_logs(bot, tg, alice, caplog):
    group = tg.group("Alice's friends", bot_status="left")
    with caplog.at_level(logging.INFO, logger="tipbot"):
        await group.add_bot(by=alice)
        await tg.wait_idle()
    assert group.messages == []
    assert f"TIPBOT_STAFF_CHAT_ID={group.id}" in caplog.text


async def test_readded_to_the_staff_group_it_says_hello_to_the_team(bot, tg, staff_group, alice):
    await staff_group.kick_bot(by=alice)
    await staff_group.add_bot(by=alice)
    hello = await staff_group.wait_for("Hello, team")
    assert "Reply to a card" in hello.text


async def test_a_promotion_is_not_a_new_arrival(bot_factory, make_settings, tg, alice):
    await bot_factory(make_settings(staff_chat_id=None))
    group = tg.group("Clinic team", bot_status="member")
    await group.add_bot(by=alice, status="administrator")
    await tg.wait_idle()
    assert group.messages == []


# ----------------------------------------------------------------------------- tipbot doctor


def lines(checks):
    return [check.line for check in checks]


async def test_doctor_all_green(make_settings, tg):
    checks = await diagnose(make_settings())
    assert all(check.ok for check in checks), lines(checks)
    report = render(checks, make_settings())
    assert "✅ token: Telegram knows this bot as @tipbot_test_bot" in report
    assert "✅ database:" in report and "migrated" in report
    assert "✅ tip library:" in report
    assert "✅ staff group: the bot is a member of “Clinic staff”" in report
    assert "✅ staff group: the bot can post there" in report
    assert "✅ staff group: as an admin the bot receives every message" in report
    assert "✅ webhook: none set: the bot uses long polling" in report
    assert TOKEN not in report and TOKEN.split(":")[1] not in report


async def test_doctor_explains_privacy_mode_for_a_member_bot(make_settings, tg):
    group = tg.group("Staff", bot_status="member")
    settings = make_settings(staff_chat_id=group.id)
    checks = await diagnose(settings)
    report = render(checks, settings)
    assert all(check.ok for check in checks)
    assert "privacy mode is on: the bot receives only commands and replies" in report


async def test_doctor_finds_what_is_wrong(make_settings, tg, tmp_path):
    group = tg.group("Staff", bot_status="member")
    group.permissions["can_send_messages"] = False
    async with Bot(TOKEN, base_url=tg.base_url) as other:
        await other.set_webhook("https://old.example.org/hook")
    settings = make_settings(
        staff_chat_id=group.id,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/elsewhere.db",
        content=tmp_path / "missing.yaml",
    )
    checks = await diagnose(settings)
    failed = [check.line for check in checks if not check.ok]
    assert failed[0].startswith(f"❌ database: no database at {tmp_path}/elsewhere.db")
    assert failed[1].startswith("❌ tip library:")
    assert failed[2].startswith("❌ staff group: the bot may not send messages there")
    assert failed[3].startswith("❌ webhook: Telegram sends updates to https://old.example.org")
    assert len(failed) == 4
    assert not (tmp_path / "elsewhere.db").exists()


async def test_doctor_without_a_staff_group_or_membership(make_settings, tg, staff_group):
    checks = await diagnose(make_settings(staff_chat_id=None))
    assert "❌ staff group: TIPBOT_STAFF_CHAT_ID is not set" in lines(checks)[3]
    staff_group.bot_status = "kicked"
    checks = await diagnose(make_settings())
    assert "❌ staff group: the bot is not a member of “Clinic staff”" in lines(checks)[3]
    checks = await diagnose(make_settings(staff_chat_id=-100999))
    assert (
        "❌ staff group: the bot cannot see the group -100999 (Telegram says: Chat not found)"
        in (lines(checks)[3])
    )


async def test_doctor_webhook_mode(make_settings, tg):
    settings = make_settings(webhook_url="https://bot.example.org/telegram")
    checks = await diagnose(settings)
    assert lines(checks)[-1] == "❌ webhook: not set at Telegram yet: `tipbot run` sets it at start"
    async with Bot(TOKEN, base_url=tg.base_url) as bot:
        await bot.set_webhook("https://bot.example.org/telegram")
    assert (
        lines(await diagnose(settings))[-1]
        == "✅ webhook: Telegram calls https://bot.example.org/telegram"
    )


async def doctor_cli(env: dict[str, str]) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TIPBOT_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tipbot",
        "doctor",
        env={**clean, "TIPBOT_CONTENT": str(PROJECT_CONTENT), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, out.decode(), err.decode()


async def test_doctor_command_exit_status_and_a_rejected_token(tg, database_url, staff_group):
    env = {
        "TIPBOT_TOKEN": TOKEN,
        "TIPBOT_BOT_API_URL": tg.url,
        "TIPBOT_DATABASE_URL": database_url,
        "TIPBOT_STAFF_CHAT_ID": str(staff_group.id),
    }
    code, out, err = await doctor_cli(env)
    assert code == 0, out + err
    assert out.count("✅") == 7 and "❌" not in out
    revoked = "123456789:REVOKED-token-0000000000000000000"
    code, out, err = await doctor_cli({**env, "TIPBOT_TOKEN": revoked})
    assert code == 1
    assert "❌ token: Telegram rejected TIPBOT_TOKEN" in out
    assert "REVOKED" not in out + err


async def test_doctor_when_telegram_is_unreachable(make_settings):
    async with FakeTelegram(token=TOKEN) as gone:
        url = gone.url
    checks = await diagnose(make_settings(bot_api_url=url))
    assert lines(checks)[0].startswith(f"❌ token: cannot reach the Bot API at {url}")
    assert lines(checks)[-1] == "❌ webhook: not checked without a working token"
