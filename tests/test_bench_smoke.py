"""Every benchmark still runs against today's code (tiny sizes, nothing timed): a bench that
calls an API as it was before a change fails here, not on the next person to measure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"

RUNS = {
    "delivery": (
        [
            "bench_delivery.py",
            *("--only", "1", "--only", "6", "--subscribers", "50"),
            *("--broadcast-subscribers", "50", "--bare", "20"),
        ],
        ["1. throughput", "6. broadcast"],
    ),
    "delivery-mixed-days": (
        [
            "bench_delivery.py",
            *("--only", "3", "--claim-subscribers", "300", "--claim-due", "50", "--mixed-days"),
        ],
        ["3. claim of 50 among 300"],
    ),
    "updates": (
        ["bench_updates.py", "--rates", "20", "--seconds", "1", "--processors", "8"],
        ["20 updates/s: answered 20/20"],
    ),
    "transport": (
        ["bench_transport.py", "--messages", "20", "--in-flight", "4", "--repeats", "1"],
        ["aiohttp"],
    ),
    "i18n": (["bench_i18n.py"], ["render_tip in es"]),
    "hours": (["bench_hours.py", "--calls", "5", "--repeats", "1"], ["span 365 d"]),
    "insight": (
        ["bench_insight.py", "--subscribers", "200", "--days", "14", "--repeats", "1"],
        ["digest CPU: median"],
    ),
    # Several replicas on PostgreSQL when the suite runs there, else one on SQLite.
    "replicas": (
        [
            "bench_replicas.py",
            *("--tips", "40", "--rate", "30", "--replicas", "1", "2", "--repeats", "1"),
        ],
        ["1 replica(s): median"],
    ),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_the_benchmark_runs(name, tmp_path):
    arguments, expected = RUNS[name]
    result = subprocess.run(
        [sys.executable, str(BENCH / arguments[0]), *arguments[1:]],
        capture_output=True,
        text=True,
        cwd=BENCH.parent,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for line in expected:
        assert line in result.stdout, result.stdout[-2000:]
