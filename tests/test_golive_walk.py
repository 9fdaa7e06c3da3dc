"""README "Going live", walked as a clinic's IT person would, against the fake Bot API.

Real ``tipbot`` processes read a ``.env`` made from ``.env.example``: the first knows only
the token; the bot is added to a new group and announces the id to use; the second starts
with that id; ``tipbot doctor`` passes; a consultation reaches that group and is answered.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

from tests.conftest import TOKEN
from tests.helpers.consult import fill_form
from tests.helpers.net import free_port
from tests.helpers.process import wait_healthy
from tipbot.core.config import PROJECT_CONTENT

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if not k.startswith("TIPBOT_")}


async def tipbot(*args: str, cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tipbot",
        *args,
        cwd=cwd,
        env=ENV,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def start(cwd: Path, port: int) -> asyncio.subprocess.Process:
    process = await tipbot("run", cwd=cwd)
    await wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
    return process


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


def set_line(env_file: Path, name: str, value: str) -> None:
    """Fill in one line of .env as the README says (uncommenting it if needed)."""
    text, count = re.subn(
        rf"^(# )?{name}=.*$", f"{name}={value}", env_file.read_text(), flags=re.MULTILINE
    )
    assert count == 1, name
    env_file.write_text(text)


async def test_from_a_token_to_staff_receiving_requests(tg, database_url, tmp_path):
    port = free_port()
    env_file = tmp_path / ".env"
    env_file.write_text((ROOT / ".env.example").read_text())  # cp .env.example .env
    set_line(env_file, "TIPBOT_TOKEN", TOKEN)
    set_line(env_file, "TIPBOT_DATABASE_URL", database_url)
    set_line(env_file, "TIPBOT_CONTENT", str(PROJECT_CONTENT))
    set_line(env_file, "TIPBOT_PORT", str(port))
    set_line(env_file, "TIPBOT_BOT_API_URL", tg.url)  # the fake Bot API instead of Telegram

    # The staff group: the operator creates it, adds a colleague, then adds the bot.
    operator, bob, alice = tg.user("Olga"), tg.user("Bob"), tg.user("Alice")
    group = tg.group("Riverside staff", bot_status="left")
    group.add_member(operator, "creator").add_member(bob)
    first = await start(tmp_path, port)
    try:
        await group.add_bot(by=operator)
        hello = await group.wait_for("put this line", timeout=10)
    finally:
        log = await stop(first)
    [announced] = re.findall(r"TIPBOT_STAFF_CHAT_ID=(-\d+)", hello.text)
    assert int(announced) == group.id
    assert f"TIPBOT_STAFF_CHAT_ID={group.id}" in log  # in the log too

    set_line(env_file, "TIPBOT_STAFF_CHAT_ID", announced)
    second = await start(tmp_path, port)
    try:
        doctor = await tipbot("doctor", cwd=tmp_path)
        out, err = await asyncio.wait_for(doctor.communicate(), timeout=60)
        report = out.decode()
        assert doctor.returncode == 0, report + err.decode()
        assert report.count("✅") == 7
        assert "Riverside staff" in report and TOKEN not in report

        await alice.send("/start")
        await alice.wait_for("Welcome", timeout=10)
        summary = await fill_form(alice)
        await alice.press(summary, "Send")
        await alice.wait_for("received", timeout=10)
        card = await group.wait_for("Consultation request #1", timeout=10)
        await bob.press(card, "Claim")
        await alice.wait_for("from the clinic will contact you", timeout=10)
        await bob.reply(card, "Hello Alice, we can talk on Monday.")
        answer = await alice.wait_for("Message from the clinic", timeout=10)
        assert "Hello Alice, we can talk on Monday." in answer.text
    finally:
        await stop(second)


async def test_run_in_a_new_folder_says_where_it_creates_the_database(tg, tmp_path):
    port = free_port()
    (tmp_path / ".env").write_text(
        f"TIPBOT_TOKEN={TOKEN}\nTIPBOT_BOT_API_URL={tg.url}\nTIPBOT_PORT={port}\n"
        f"TIPBOT_CONTENT={PROJECT_CONTENT}\n"
    )
    log = await stop(await start(tmp_path, port))
    where = tmp_path.resolve() / "tipbot.db"
    assert f"database: {where}" in log
    assert f"no database at {where} yet: creating an empty one" in log
    assert where.is_file()
