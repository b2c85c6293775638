"""The load test's own smoke test: ten seconds of Locust, headless, against a served SQLite
register, at the national peak derived from the calibration (`python -m bench.load`).

Every profile's endpoint is hit and none fails; the step stops by itself."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# not imported here: importing locust patches the standard library with gevent (in Locust's process only)
pytestmark = pytest.mark.skipif(importlib.util.find_spec("locust") is None, reason="locust is not installed")

ROOT = Path(__file__).resolve().parents[1]


def test_locust_profiles_of_the_national_peak_against_a_served_register(tmp_path):
    out = tmp_path / "load.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.load", "--cases", "30", "--multiples", "1", "--seconds", "10", "--out", str(out)],
        cwd=ROOT,
        env={**env, "HABEAS_BENCH_POSTGRES_URL": "", "HABEAS_TEST_POSTGRES_URL": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(out.read_text(encoding="utf-8"))["stores"]["sqlite"]
    peak = found["national_peak"]
    assert peak["registered_offences_per_year"] == 140300 and peak["events_per_case"] > 1
    step = found["steps"]["1"]
    for endpoint in ("POST /events", "GET /cases/{case}", "GET /alerts", "GET /statistics"):
        assert step["endpoints"][endpoint]["requests"] > 0, endpoint
    assert step["errors"] == 0 and step["failure_kinds"] == []
    assert step["events_per_s"] > 0 and step["reads_per_s"] > 0


@pytest.mark.skipif(
    not (os.environ.get("HABEAS_TEST_REPLICATED_URL") and os.environ.get("HABEAS_TEST_REPLICA_URL")),
    reason="no PostgreSQL primary with a streaming replica (scripts/replica-for-tests.sh)",
)
def test_locust_against_a_primary_whose_reads_go_to_its_replica(tmp_path):
    out = tmp_path / "load.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "HABEAS_BENCH_POSTGRES_URL": "",
        "HABEAS_TEST_POSTGRES_URL": "",
    }
    command = [sys.executable, "-m", "bench.load", "--cases", "30", "--multiples", "1", "--seconds", "10"]
    done = subprocess.run(
        [*command, "--no-sqlite", "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(out.read_text(encoding="utf-8"))["stores"]
    assert list(found) == ["postgresql+replica"]
    replicated = found["postgresql+replica"]
    assert replicated["reads_from"].startswith("a streaming replica")
    step = replicated["steps"]["1"]
    for endpoint in ("POST /events", "GET /cases/{case}", "GET /alerts", "GET /statistics"):
        assert step["endpoints"][endpoint]["requests"] > 0, endpoint
    assert step["errors"] == 0 and step["failure_kinds"] == []  # the new cases' events accepted: no 422, no 5xx
