"""`python -m bench.statistics`: a custom report over 5 years × all regions, from the
`episodes` projection against computing it by scanning the log, in the same run.

Imports `--events` sample events (default 1,000,000) spread over five years into a fresh
SQLite file (`Register.import_lines`, every projection written), then times, best of
`--rounds` each, alternating:

- habeas: `services.statistics.report` (reads the episodes of the five years, computes
  and suppresses every indicator for every region and year);
- baseline: `services.statistics.report_from_log` (reads the whole log in one ordered
  scan, folds every case, judges the findings the indicators read, builds the same
  episodes in memory, then the same computation).

Both must give the same report (checked). Target (issue 12): ≥ 20×. Prints one JSON line
and writes bench/out/statistics-latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from habeas.clock import FixedClock
from habeas.db.engine import make_engine, migrate
from habeas.domain.events import Actor
from habeas.jurisdictions import load
from habeas.services import statistics
from habeas.services.register import Register
from habeas.simulator import DEFAULT_START, write_jsonl
from habeas.statistics.spec import ReportSpec

OUT = Path(__file__).resolve().parent / "out"
REGISTRAR = Actor("bench", "registrar", "bench")
TARGET = 20.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.statistics", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--db", help="an existing database to report on (no import)")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    work = OUT / f"stats-work-{os.getpid()}"
    work.mkdir()
    try:
        url = args.db or f"sqlite:///{work / 'habeas.db'}"
        start = DEFAULT_START - timedelta(days=4 * 365)  # five calendar years, 2020-2024
        imported = None
        if not args.db:
            path = work / "events.jsonl"
            written = write_jsonl(path, events=args.events, seed=args.seed, start=start, cases_per_day=_rate(args))
            engine = make_engine(url)
            migrate(engine)
            began = time.perf_counter()
            with open(path, encoding="utf-8") as lines:
                Register(engine, load("kz"), FixedClock(datetime(2026, 1, 1, tzinfo=UTC))).import_lines(
                    lines, REGISTRAR
                )
            imported = {"events": written, "seconds": round(time.perf_counter() - began, 1)}
        engine = make_engine(url)
        spec = ReportSpec.parse("years=2020-2024")
        at = datetime(2026, 1, 1, tzinfo=UTC)
        habeas_s, scan_s = [], []
        first = scanned = None
        for _ in range(args.rounds):
            began = time.perf_counter()
            first = statistics.report(engine, spec, at)
            habeas_s.append(time.perf_counter() - began)
            began = time.perf_counter()
            scanned = statistics.report_from_log(engine, spec, at)
            scan_s.append(time.perf_counter() - began)
        same = first.to_dict() == scanned.to_dict()
        result = {
            "when": datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
            "import": imported,
            "report": spec.query(),
            "cells": len(first.cells),
            "withheld": sum(c.suppressed for c in first.cells),
            "habeas_s": round(min(habeas_s), 3),
            "scan_s": round(min(scan_s), 3),
            "ratio": round(min(scan_s) / min(habeas_s), 1),
            "target": TARGET,
            "same_report": same,
        }
        print(json.dumps(result))
        (OUT / "statistics-latest.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        return 0 if same else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _rate(args) -> float:
    """Cases a day so that `--events` spread over five years (about 6 events a case)."""
    return max(1.0, args.events / 6 / (5 * 365))


if __name__ == "__main__":
    raise SystemExit(main())
