"""``tipbot demo`` driven through a pipe, as the README shows it."""

from __future__ import annotations

import os
import subprocess
import sys


def run_demo(script: str, tmp_path, columns: int = 100) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPBOT_")}
    env["COLUMNS"] = str(columns)  # what a terminal of that width tells the demo
    return subprocess.run(
        [sys.executable, "-m", "tipbot", "demo"],
        input=script,
        capture_output=True,
        text=True,
        timeout=90,
        cwd=tmp_path,  # no .env, no database file left behind
        env=env,
        check=False,
    )


def test_demo_through_a_pipe(tmp_path):
    script = "\n".join(
        [
            "/start",
            "/help",
            "2",  # a button number: presses "🌍 Timezone"
            "/as staff",
            "/stats",
            "/broadcast Open day on Saturday",
            "1",  # "✅ Send to 1"
            "/as me",
            "/tomorrow",
            "42",
            "",
        ]
    )
    result = run_demo(script, tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "you> /start" in out and "bot> 👋 Welcome!" in out
    assert "[1] ⏰ Time  [2] 🌍 Timezone  [3] 📚 Topics" in out
    assert "/omega3 – Omega-3 fats" in out  # /help, HTML rendered as plain text
    assert "<b>" not in out
    assert "staff> /stats" in out and "Subscribers: active 1" in out
    assert "Broadcast #1 finished: 1 / 1 sent" in out
    assert "(1 new in your chat: /as me)" in out
    assert out.count("Open day on Saturday") == 3  # typed, previewed, received
    assert "(the clock jumps to" in out
    assert "(there is no button 42 on screen)" in out
    assert out.rstrip().endswith("(demo over)")
    assert list(tmp_path.iterdir()) == []


def test_demo_quits_on_command(tmp_path):
    result = run_demo("/quit\n/start\n", tmp_path)
    assert result.returncode == 0
    assert "Welcome" not in result.stdout and "(demo over)" in result.stdout


def after(out: str, typed: str) -> str:
    """What the demo printed in answer to the last line ``typed``."""
    return out.rsplit(f"> {typed}\n", 1)[1].split("\nyou> ")[0].split("\nstaff> ")[0]


def test_a_fast_typist_is_not_muted_for_good(tmp_path):
    """21 x /tip then /help: each line moves the demo's clock as a person's typing would."""
    result = run_demo("/start\n" + "/tip\n" * 21 + "/help\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "slow down" not in result.stdout
    assert "/consult" in after(result.stdout, "/help")
    assert "(no reply)" not in result.stdout


def test_staff_reply_to_a_card_in_the_staff_view(tmp_path):
    script = "\n".join(
        [
            "/consult",
            "Alice",
            "3",  # 💬 Message me here in Telegram
            "Weekends",
            "1",  # the first topic
            "Sleep is bad",
            "1",  # ✅ Yes, share them
            "1",  # ✅ Send
            "/as staff",
            "/reply 1 Hello Alice, we can call on Saturday.",
            "/reply And bring your questions.",  # the latest card
            "/reply 9 Hello?",
            "/reply",
            "/as me",
            "",
        ]
    )
    result = run_demo(script, tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Delivered to the person (#1)" in after(
        out, "/reply 1 Hello Alice, we can call on Saturday."
    )
    assert "Delivered to the person (#1)" in after(out, "/reply And bring your questions.")
    assert "there is no card for request 9" in after(out, "/reply 9 Hello?")
    assert "usage: /reply N your text" in after(out, "/reply")
    mine = after(out, "/as me")
    assert "Message from the clinic:" in mine and "Hello Alice, we can call on Saturday." in mine
    assert "And bring your questions." in mine


def test_button_only_edits_and_rows_as_telegram_shows_them(tmp_path):
    result = run_demo("/start\n/topics\n1\n/time\n", tmp_path)
    assert result.returncode == 0, result.stderr
    toggled = after(result.stdout, "1")
    assert "(popup) Off: Prebiotics & probiotics" in toggled
    assert "bot (new buttons)> 📚 Your topics." in toggled
    assert "\n     [1] ▫️ Prebiotics & probiotics\n     [2] ✅ Omega-3 fats\n" in toggled
    times = after(result.stdout, "/time")
    rows = [line.strip() for line in times.splitlines() if line.strip().startswith("[")]
    assert len(rows) > 1  # one printed line per keyboard row
    assert all(row.count("[") <= 4 for row in rows)


def test_long_lines_wrap_at_word_boundaries(tmp_path):
    result = run_demo("/start\n/help\n", tmp_path, columns=60)
    assert result.returncode == 0, result.stderr
    conversation = result.stdout.split("you> ", 1)[1]  # the intro is fixed text
    assert max(len(line) for line in conversation.splitlines() if "http" not in line) < 60
    assert "evidence-based" in result.stdout  # not split at the hyphen or mid-word
    assert "bot> 👋 Welcome! Every day I'll send you one short,\n" in result.stdout
