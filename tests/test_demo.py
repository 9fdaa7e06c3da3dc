"""``tipbot demo`` driven through a pipe, as the README shows it."""

from __future__ import annotations

import os
import subprocess
import sys


def run_demo(script: str, tmp_path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPBOT_")}
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
