"""``.env.example`` lists every setting with its default: generated, and checked for drift."""

from __future__ import annotations

import os
from pathlib import Path

from tipbot.core.config import Settings
from tipbot.envexample import HELP, render

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_described():
    assert set(HELP) == set(Settings.model_fields), "describe each setting in tipbot/envexample.py"


def test_env_example_is_current():
    assert (ROOT / ".env.example").read_text() == render(), (
        "regenerate: python -m tipbot.envexample > .env.example"
    )


def test_env_example_is_a_valid_configuration(monkeypatch, tmp_path):
    """Copied to .env with a token filled in, it starts with the documented defaults."""
    for name in list(os.environ):
        if name.startswith("TIPBOT_"):
            monkeypatch.delenv(name)
    text = render().replace("TIPBOT_TOKEN=\n", "TIPBOT_TOKEN=123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ\n")
    (tmp_path / ".env").write_text(text.replace("# TIPBOT_", "TIPBOT_"))
    monkeypatch.chdir(tmp_path)
    uncommented = Settings()
    defaults = Settings(_env_file=None, token="123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert uncommented.model_dump(exclude={"content"}) == defaults.model_dump(exclude={"content"})
