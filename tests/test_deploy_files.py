"""The deployment files keep the properties the README promises (.ci/check-deploy lints them)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_passes_every_setting_and_publishes_nothing_on_all_interfaces():
    bot = compose()["services"]["bot"]
    assert bot["env_file"] == ".env"
    assert bot["restart"] == "unless-stopped"
    assert all(str(port).startswith("127.0.0.1:") for port in bot["ports"])
    assert "./content:/app/content:ro" in bot["volumes"]


def test_compose_requires_a_database_password():
    services = compose()["services"]
    password = services["db"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")
    assert ":-" not in services["bot"]["environment"]["TIPBOT_DATABASE_URL"]


def test_dockerfile_pins_its_base_runs_as_a_number_and_uses_the_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:\d+\.\d+\.\d+-slim-\w+$", dockerfile, re.MULTILINE)
    assert re.search(r"^USER \d+:\d+$", dockerfile, re.MULTILINE)
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "--no-deps ." in dockerfile


def test_lock_pins_every_dependency_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = (ROOT / "requirements.lock").read_text().lower()
    pinned = set(re.findall(r"^([a-z0-9_.-]+)==", lock, re.MULTILINE))
    for requirement in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group().lower().replace("_", "-")
        assert name in pinned, f"{name} is missing from requirements.lock: regenerate it"
    assert all("--hash=sha256:" in block for block in lock.split("==")[1:])


def test_systemd_unit_stops_gracefully_and_does_not_loop_on_bad_configuration():
    unit = (ROOT / "deploy" / "tipbot.service").read_text()
    for line in (
        "ExecStart=/opt/tipbot/.venv/bin/tipbot run",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "KillSignal=SIGTERM",
        "RestartPreventExitStatus=2",
        "User=tipbot",
    ):
        assert f"\n{line}\n" in unit
