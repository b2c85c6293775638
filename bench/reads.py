"""`python -m bench.reads`: what accountability costs a case-file read (issue 9).

The same case files read two ways, interleaved in one run on the same database:
- accountable: `queries.case_file` as every driver calls it: the policy decided from the
  case's facts (its assignments, region, court, counsel), and a read record appended to
  the hash-chained read log in the read's own write transaction;
- bare: the same read without them: the case's stream read and folded, the file built and
  judged (`case_file`'s body with no decision and no record).
Prints p50 and p99 of each, in milliseconds, and their ratio (target: < 1.5x), as a table
and as one JSON line (written to bench/out/reads-latest.json).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from habeas.access.facts import Principal
from habeas.clock import FixedClock
from habeas.db.engine import make_engine, migrate
from habeas.domain.case import fold_all
from habeas.domain.events import Actor
from habeas.jurisdictions import load
from habeas.law.rules import judge
from habeas.law.stages import stage_of
from habeas.ledger import store
from habeas.services import queries
from habeas.services.register import Register
from habeas.simulator import write_jsonl

OUT = Path(__file__).resolve().parent / "out"
READER = Principal("bench", "admin", "local")
TARGET = 1.5


def bare_case_file(engine, law, case: str, at: datetime) -> dict:
    """`queries.case_file` without the policy and the read record (the baseline)."""
    with engine.connect() as conn:
        events = store.stream_events(conn, case)
    state = fold_all(events)
    return {
        "case": case,
        "summary": {**state.summary(), "stage": stage_of(law, state)},
        "parties": [p.to_dict() for p in state.parties.values()],
        "events": [queries.event_view(e) for e in events],
        "findings": [f.to_dict(at) for f in judge(state, law, at)],
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(url: str, cases: int, reads: int, seed: int) -> dict:
    engine = make_engine(url)
    migrate(engine)
    law = load("kz")
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        write_jsonl(handle.name, cases=cases, seed=seed)
    register = Register(engine, law, FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))
    with open(handle.name, encoding="utf-8") as lines:
        report = register.import_lines(lines, Actor("bench", "registrar", "habeas-bench"))
    Path(handle.name).unlink()
    names = [c["case"] for c in queries.case_list(engine, limit=cases)]
    at = datetime(2025, 1, 1, tzinfo=UTC)
    pick = random.Random(seed)
    accountable: list[float] = []
    bare: list[float] = []
    for n in range(reads):
        case = pick.choice(names)
        order = (True, False) if n % 2 else (False, True)  # alternate which goes first
        for guarded in order:
            started = time.perf_counter()
            if guarded:
                queries.case_file(engine, law, case, READER, "bench", at, at)
            else:
                bare_case_file(engine, law, case, at)
            (accountable if guarded else bare).append(time.perf_counter() - started)
    engine.dispose()
    ms = {
        name: {
            "p50": percentile(values, 0.5) * 1000,
            "p99": percentile(values, 0.99) * 1000,
            "mean": statistics.fmean(values) * 1000,
        }
        for name, values in (("accountable", accountable), ("bare", bare))
    }
    return {
        "store": url.split(":", 1)[0],
        "cases": len(names),
        "events": report.stored,
        "reads": reads,
        "ms": ms,
        "ratio_p50": ms["accountable"]["p50"] / ms["bare"]["p50"],
        "ratio_p99": ms["accountable"]["p99"] / ms["bare"]["p99"],
        "target": TARGET,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reads", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--cases", type=int, default=2000, help="sample cases in the register (default 2,000)")
    parser.add_argument("--reads", type=int, default=2000, help="case files read each way (default 2,000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'reads.db'}"
        result = run(url, args.cases, args.reads, args.seed)
    for name in ("accountable", "bare"):
        figures = result["ms"][name]
        print(f"{name:12} p50 {figures['p50']:7.2f} ms   p99 {figures['p99']:7.2f} ms   mean {figures['mean']:7.2f} ms")
    print(f"ratio        p50 {result['ratio_p50']:.2f}x      p99 {result['ratio_p99']:.2f}x   (target < {TARGET}x)")
    OUT.mkdir(exist_ok=True)
    (OUT / "reads-latest.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0 if result["ratio_p50"] < TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
