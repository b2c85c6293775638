"""`habeas simulate --dask`: the same seeds give the same JSON, byte for byte, as the serial
run, on a local cluster of worker processes and on a scheduler named by its address; a sweep
is one command, with its table and chart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

SRC = str(Path(__file__).resolve().parents[2] / "src")


def simulate(*args: str, columns: int = 200) -> subprocess.CompletedProcess:
    # the terminal's width is the test's, not that of the shell that runs the suite
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "habeas", "simulate", "--cases", "250", "--years", "0.1", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def scheduler():
    """A cluster of two worker threads in this process, reached by the CLI at its address."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_replications_on_a_named_scheduler_give_the_serial_json(tmp_path, scheduler):
    what_if = tmp_path / "what-if.yaml"
    what_if.write_text(
        "name: limit-24h\noverlay:\n  parameters:\n    detention.limit.adult:\n"
        "      - {value: 24, valid_from: 2024-01-01}\n",
        encoding="utf-8",
    )
    args = ("--replications", "3", "--seed", "5", "--what-if", str(what_if), "--json")
    serial = simulate(*args)
    on_dask = simulate(*args, "--dask-scheduler", scheduler)
    assert serial.returncode == 0 and on_dask.returncode == 0, on_dask.stderr
    assert on_dask.stdout == serial.stdout
    found = json.loads(on_dask.stdout)
    assert found["replications"] == 3 and found["what_if"] == "limit-24h"


def test_a_sweep_on_a_local_cluster_of_processes_gives_the_serial_json_and_a_chart(tmp_path):
    chart = tmp_path / "sweep.svg"
    args = ("--replications", "2", "--sweep", "detention.limit.adult=24,48,72", "--json")
    serial = simulate(*args)
    on_dask = simulate(*args, "--dask", "--chart", str(chart))
    assert serial.returncode == 0 and on_dask.returncode == 0, on_dask.stderr
    assert on_dask.stdout == serial.stdout
    found = json.loads(on_dask.stdout)
    assert found["sweep"] == "detention.limit.adult" and found["values"] == [24, 48, 72]
    breaches = next(m for m in found["measures"] if m["measure"] == "breaches KZ-DETENTION-LIMIT")
    # a shorter limit is breached at least as often as the law in force (48 h) and the longer one
    at = [v["mean"] if v else 0.0 for v in breaches["values"]]
    assert at[0] > 0 and at[0] >= at[1] >= at[2]
    assert chart.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_a_fast_sweep_of_a_resource_prints_a_table():
    done = simulate("--fast", "--replications", "20", "--sweep", "resources.investigators=5000,9000")
    assert done.returncode == 0, done.stderr
    assert "resources.investigators=5000" in done.stdout and "baseline" in done.stdout
    # on a narrow terminal the headers are cut, the title still names what is swept
    narrow = simulate("--fast", "--replications", "2", "--sweep", "resources.investigators=5000,9000", columns=80)
    assert narrow.returncode == 0, narrow.stderr
    assert "sweep of resources.investigators" in narrow.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--sweep", "no.such.parameter=1,2"), "no such parameter"),
        (("--sweep", "resources.nobody=1"), "no such resource"),
        (("--sweep", "detention.limit.adult"), "NAME=VALUE"),
        (("--sweep", "detention.limit.adult=24", "--what-if", "x.yaml"), "give one of them"),
    ],
)
def test_a_bad_sweep_is_refused_before_any_run(args, said):
    done = simulate(*args)
    assert done.returncode == 2 and said in done.stderr


def test_a_scheduler_nobody_runs_is_said_plainly():
    done = simulate("--replications", "1", "--dask-scheduler", "tcp://127.0.0.1:9")
    assert done.returncode == 1 and "no Dask scheduler answers at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr
