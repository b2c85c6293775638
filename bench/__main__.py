"""`make bench` / `python -m bench`: habeas against baselines measured in the same run.

(a) import: events/s of `Register.import_lines` (chain + projections) into a fresh SQLite
    file against raw sqlite3 `executemany` of the same JSON rows into a table with a
    UNIQUE(stream, version) index (target >= 0.5x);
(b) verify: `maintenance.verify` against reading the same rows and SHA-256 hashing them
    (target >= 0.9x);
(c) peak RSS of the habeas import process (target < 300 MB);
(d) alerts: `queries.alerts` from the deadlines projection with N open cases against
    folding and judging every case from the log (target >= 100x).
Results are printed as a table and written to bench/out/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from habeas.samplegen import DEFAULT_START, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
TARGETS = {"import": 0.5, "verify": 0.9, "rss_mb": 300.0, "alerts": 100.0}
console = Console()


def run_worker(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"bench.worker {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def step(message: str) -> None:
    console.print(f"[dim]{datetime.now():%H:%M:%S}[/] {message}", highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to import (default 1,000,000)")
    parser.add_argument("--cases", type=int, default=100_000, help="open cases for the alerts bench (default 100,000)")
    parser.add_argument("--quick", action="store_true", help="100k events and 10k open cases")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("import", "alerts"), help="run one part only")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and databases")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.cases = 100_000, 10_000

    OUT.mkdir(exist_ok=True)
    work = OUT / f"work-{os.getpid()}"
    work.mkdir()
    results: dict = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "targets": TARGETS,
    }
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        if args.only in (None, "import"):
            results.update(bench_import(work, args.events, args.seed))
            save(results, stamp)
        if args.only in (None, "alerts"):
            results["alerts"] = bench_alerts(work, args.cases, args.seed)
            save(results, stamp)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        show(results)
    console.print(f"results written to {OUT / f'bench-{stamp}.json'}", highlight=False)
    return 0


def save(results: dict, stamp: str) -> None:
    """Written after each part, so a failure later keeps what was measured."""
    for name in (f"bench-{stamp}.json", "latest.json"):
        (OUT / name).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def bench_import(work: Path, events: int, seed: int) -> dict:
    path = work / "events.jsonl"
    step(f"generating {events:,} events to {path.name}")
    started = time.perf_counter()
    written = write_jsonl(path, events=events, seed=seed)
    generated = time.perf_counter() - started
    size = path.stat().st_size
    step(f"  {written:,} events, {size / 1e6:.0f} MB in {generated:.1f} s; raw sqlite3 baseline")
    base = run_worker("baseline", str(path), str(work / "baseline.db"))
    step(f"  baseline {base['events'] / base['seconds']:,.0f} events/s; habeas import")
    url = f"sqlite:///{work / 'habeas.db'}"
    habeas = run_worker("import", str(path), url)
    step(f"  habeas {habeas['events'] / habeas['seconds']:,.0f} events/s; verify")
    checked = run_worker("verify", url)
    return {
        "generate": {"events": written, "seconds": generated, "bytes": size},
        "import": _rates(habeas["events"], habeas["seconds"], base["events"], base["seconds"]),
        "verify": _rates(
            checked["events"], checked["seconds"], checked["baseline_events"], checked["baseline_seconds"]
        ),
        "rss": {
            "habeas_import_peak_mb": habeas["peak_rss_mb"],
            "habeas_before_import_mb": habeas["rss_before_mb"],
            "baseline_import_peak_mb": base["peak_rss_mb"],
        },
    }


def _rates(events: int, seconds: float, base_events: int, base_seconds: float) -> dict:
    """habeas against its baseline: events per second of each, and their ratio."""
    habeas_eps, baseline_eps = events / seconds, base_events / base_seconds
    return {
        "events": events,
        "habeas_eps": habeas_eps,
        "baseline_eps": baseline_eps,
        "habeas_seconds": seconds,
        "baseline_seconds": base_seconds,
        "ratio": habeas_eps / baseline_eps,
    }


def bench_alerts(work: Path, cases: int, seed: int) -> dict:
    """A register of `cases` cases all reported in the last 20 days: nearly all still open."""
    days = 20
    until = DEFAULT_START + timedelta(days=days)
    path = work / "open-cases.jsonl"
    step(f"generating {cases:,} cases reported over {days} days, cut at {until:%Y-%m-%d}")
    written = write_jsonl(path, cases=cases, seed=seed + 1000, cases_per_day=cases / days, until=until)
    url = f"sqlite:///{work / 'alerts.db'}"
    step(f"  {written:,} events; importing")
    imported = run_worker("import", str(path), url)
    step(f"  imported in {imported['seconds']:.0f} s; alerts from the projection against a replay of the log")
    measured = run_worker("alerts", url, until.isoformat())
    measured["ratio"] = measured["replay_seconds"] / measured["projection_seconds"]
    measured["listing_ratio"] = measured["replay_seconds"] / measured["listing_seconds"]
    measured["import_seconds"] = imported["seconds"]
    return measured


def show(results: dict) -> None:
    table = Table("measure", "habeas", "baseline", "ratio", "target", "", title="habeas bench", title_justify="left")

    def verdict(ok: bool) -> str:
        return "[green]met[/]" if ok else "[bold red]missed[/]"

    if "import" in results:
        imp, ver, rss = results["import"], results["verify"], results["rss"]
        table.add_row(
            f"import, events/s ({imp['events']:,} events)",
            f"{imp['habeas_eps']:,.0f}",
            f"{imp['baseline_eps']:,.0f}",
            f"{imp['ratio']:.2f}x",
            "≥ 0.5x",
            verdict(imp["ratio"] >= TARGETS["import"]),
        )
        table.add_row(
            f"verify, events/s ({ver['events']:,} events)",
            f"{ver['habeas_eps']:,.0f}",
            f"{ver['baseline_eps']:,.0f}",
            f"{ver['ratio']:.2f}x",
            "≥ 0.9x",
            verdict(ver["ratio"] >= TARGETS["verify"]),
        )
        table.add_row(
            "peak RSS of the import, MB",
            f"{rss['habeas_import_peak_mb']:.0f}",
            f"{rss['baseline_import_peak_mb']:.0f}",
            "",
            "< 300 MB",
            verdict(rss["habeas_import_peak_mb"] < TARGETS["rss_mb"]),
        )
    if "alerts" in results:
        al = results["alerts"]
        table.add_row(
            f"alerts board, s: 100 most urgent + total ({al['open_cases']:,} open cases, {al['events']:,} events)",
            f"{al['projection_seconds']:.3f}",
            f"{al['replay_seconds']:.1f} (replay)",
            f"{al['ratio']:,.0f}x",
            "≥ 100x",
            verdict(al["ratio"] >= TARGETS["alerts"]),
        )
        table.add_row(
            f"alerts, full listing of {al['alerts']:,}, s",
            f"{al['listing_seconds']:.3f}",
            f"{al['replay_seconds']:.1f} (replay)",
            f"{al['listing_ratio']:,.0f}x",
            "",
            "",
        )
    console.print(table)
    if "alerts" in results:
        al = results["alerts"]
        console.print(
            f"alerts found: {al['alerts']:,} from the projection (counted {al['alerts_counted']:,}), "
            f"{al['alerts_replayed']:,} by replay",
            highlight=False,
        )


if __name__ == "__main__":
    raise SystemExit(main())
