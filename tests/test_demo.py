"""The demo: a register with a simulated caseload, safe to run twice."""

from __future__ import annotations

import os
import subprocess
import sys


def test_demo_runs_twice_and_stores_nothing_the_second_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {**os.environ, "COLUMNS": "200"}
    command = [sys.executable, "-m", "habeas.demo", "--db", url, "--cases", "40"]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "samples/one-case.jsonl: stored 19, skipped 0" in first.stdout
    assert "habeas verify" in first.stdout and "chain intact" in first.stdout
    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "stored 0, skipped 19" in second.stdout
    assert "(40 cases, seed 1): stored 0," in second.stdout
