"""The monitoring files (deploy/prometheus, deploy/grafana, compose profile `monitoring`) name
only metrics the bot really exports, and promtool accepts the rules and the configuration."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.test_ops_web import http, polling_bot_with_port, run_bot  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "tipbot.json"
#: What Prometheus itself records of a scrape, not the bot.
PROMETHEUS_OWN = {"up"}
HISTOGRAM_SERIES = ("_bucket", "_count", "_sum", "_created")
PROMQL_WORDS = {
    "sum", "by", "rate", "increase", "histogram_quantile", "max", "clamp_min", "le", "job",
    "instance", "status", "kind", "reason", "time", "without", "on", "and", "or",
}  # fmt: skip


def alert_rules() -> list[dict]:
    return [
        rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]
    ]


def dashboard_exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


def metric_names(expr: str) -> set[str]:
    """The series an expression reads: identifiers outside labels, strings and functions."""
    expr = re.sub(r'"[^"]*"', "", expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"(?<![\w:])\d+(\.\d+)?([eE][-+]?\d+)?", "", expr)  # numbers: 0.95, 1e-9
    names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr))
    return names - PROMQL_WORDS


def test_the_files_cover_what_operations_watch():
    alerts = {rule["alert"]: rule["expr"] for rule in alert_rules()}
    assert {
        "TipbotDown",
        "TipbotSweepLagging",
        "TipbotOutboxBacklog",
        "TipbotTipFailureRate",
    } <= set(alerts)
    used = set().union(*(metric_names(e) for e in dashboard_exprs()))
    for family in (
        "up",  # health
        "tipbot_tips_sent_total",
        "tipbot_tips_failed_total",
        "tipbot_sweep_lag_seconds",
        "tipbot_tips_unknown",
        "tipbot_outbox_backlog",
        "tipbot_handler_latency_seconds_bucket",
    ):
        assert family in used, family
    assert all(rule["annotations"]["summary"] for rule in alert_rules())


async def test_every_metric_named_is_one_the_bot_exports(run_bot, make_settings, http, tg):  # noqa: F811
    alice = tg.user("Alice")
    _, base = await polling_bot_with_port(run_bot, make_settings)
    await alice.send("/start")
    await alice.wait_for("Welcome")
    async with http.get(f"{base}/metrics") as response:
        body = await response.text()
    families = set(re.findall(r"^# TYPE (\S+) (\S+)$", body, re.MULTILINE))
    exported = set()
    for name, kind in families:
        exported.add(name)
        if kind == "histogram":
            exported.update(name + suffix for suffix in HISTOGRAM_SERIES)
    named = set().union(
        *(metric_names(rule["expr"]) for rule in alert_rules()),
        *(metric_names(expr) for expr in dashboard_exprs()),
    )
    assert named - PROMETHEUS_OWN, "no metric named at all?"
    assert named - PROMETHEUS_OWN <= exported, sorted(named - PROMETHEUS_OWN - exported)


def test_the_compose_profile_starts_prometheus_and_grafana_provisioned():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("prometheus", "grafana"):
        service = services[name]
        assert service["profiles"] == ["monitoring"]
        assert all(str(port).startswith("127.0.0.1:") for port in service["ports"])
        for volume in service["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
    assert "profiles" not in services["bot"] and "profiles" not in services["db"]
    scrape = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    assert scrape["scrape_configs"][0]["static_configs"][0]["targets"] == ["bot:8080"]
    assert scrape["rule_files"] == ["alerts.yml"]
    source = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )["datasources"][0]
    uids = {
        target["datasource"]["uid"]
        for panel in json.loads(DASHBOARD.read_text())["panels"]
        for target in panel["targets"]
    }
    assert uids == {source["uid"]}


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool missing: apt-get install prometheus"
)
def test_promtool_accepts_the_rules_and_the_configuration():
    for command in (
        ["promtool", "check", "rules", str(ALERTS)],
        [
            "promtool",
            "check",
            "config",
            "--syntax-only",
            str(DEPLOY / "prometheus" / "prometheus.yml"),
        ],
    ):
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
