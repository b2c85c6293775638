"""`python -m bench.load` (or `python -m bench --only load`): Locust at the national peak (issue 22).

The national peak is derived from the calibration: registered offences a year
(`calibration.yaml` `arrivals.per_year`, 140,300 in 2023) times the events a case has in the
simulated caseload (counted on the seeded register), spread over office hours with a peak
hour (the assumptions below, each stated), gives the events recorded per second at peak; the
reads follow from it. Four Locust profiles (`bench/locustfile.py`) offer that load, and
multiples of it, to `habeas serve`'s API (uvicorn in its own process, as `bench/http.py`
serves it) on 127.0.0.1, on a fresh SQLite file and, when a server is given, a fresh
PostgreSQL database:

- investigators recording (`POST /api/v1/events`, a new report opening a case);
- prosecutors and judges reading case files (`GET /api/v1/cases/{case}`, policy asked, read logged);
- monitors on the board (`GET /api/v1/alerts?limit=100`);
- the public on the statistics (`GET /api/v1/statistics?years=2024`, no sign-in).

Each step is bounded: a fixed number of users, each at a fixed rate, for a fixed time, then
Locust stops by itself (`--run-time`). Reported per step and endpoint: requests, failures,
p50/p95/p99 (ms), requests/s; events/s, reads/s, errors; a step passes with no error, every
endpoint's p95 under 300 ms and at least 90 % of the offered rate served. The headroom is the
largest multiple of the national peak that passed (a lower bound: the steps are coarse).
Written to bench/out/load.json and printed as a table.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import http

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
MULTIPLES = (1, 10, 25)
P95_MS = 300.0
SERVED_SHARE = 0.9
PER_USER_RATE = 1.0  # requests a second each simulated user sends (constant_throughput)
# How the year's events fall in time, and what reads follow them: assumptions of this bench,
# not figures of the calibration (which has none on use), each chosen to err towards more load.
PEAK = {
    "working_days": {"value": 250, "note": "five days a week, less holidays"},
    "office_hours": {"value": 9, "note": "a day's recording falls within office hours"},
    "peak_hour_factor": {"value": 3, "note": "the busiest hour against the mean office hour"},
    "case_reads_per_event": {"value": 2, "note": "a prosecutor and a judge read the file per fact recorded"},
    "monitors": {"value": 220, "note": "about 200 district and 20 regional offices with the board open"},
    "board_refresh_s": {"value": 60, "note": "each refreshes the board once a minute"},
    "public_per_s": {"value": 1.0, "note": "statistics pages asked by the public, a second"},
}
STATISTICS_YEARS = ("2024",)  # the seeded caseload's year (`simulator.DEFAULT_START`)
console = Console(width=150)


def national_peak(per_year: float, events_per_case: float) -> dict:
    """Requests a second of each profile at the national peak."""
    a = {k: v["value"] for k, v in PEAK.items()}
    seconds = a["working_days"] * a["office_hours"] * 3600
    events = per_year * events_per_case / seconds * a["peak_hour_factor"]
    return {
        "investigators": events,
        "case_readers": events * a["case_reads_per_event"],
        "monitors": a["monitors"] / a["board_refresh_s"],
        "public": a["public_per_s"],
    }


def plan_of(rates: dict, multiple: float) -> dict:
    """Users per profile at `multiple` times the peak: the offered rate, rounded up to whole users."""
    return {
        name: {"users": max(1, math.ceil(rate * multiple / PER_USER_RATE)), "rate": rate * multiple}
        for name, rate in rates.items()
    }


ENDPOINTS = {
    "investigators": "POST /events",
    "case_readers": "GET /cases/{case}",
    "monitors": "GET /alerts",
    "public": "GET /statistics",
}


def locust(base: str, plan: dict, seconds: int, work: Path, tag: str) -> dict:
    """One headless Locust run of the plan; its figures per endpoint from Locust's CSV."""
    plan_file = work / f"plan-{tag}.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    users = sum(p["users"] for p in plan["profiles"].values())
    prefix = work / f"locust-{tag}"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(Path(__file__).with_name("locustfile.py")),
        "--headless",
        "--host",
        base,
        "--users",
        str(users),
        "--spawn-rate",
        str(max(users, 1)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    env = {**os.environ, "HABEAS_LOAD_PLAN": str(plan_file)}
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"locust exited {done.returncode}:\n{done.stderr[-3000:]}")
    endpoints = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            endpoints[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "rps": float(row["Requests/s"]),
            }
    failures = []
    with open(f"{prefix}_failures.csv", encoding="utf-8", newline="") as f:
        failures = [
            {"name": r["Name"], "error": r["Error"][:300], "count": int(r["Occurrences"])} for r in csv.DictReader(f)
        ]
    return {"users": users, "wall_s": time.monotonic() - started, "endpoints": endpoints, "failure_kinds": failures}


def judged(step: dict, plan: dict) -> dict:
    ends = step["endpoints"]
    post = ends.get("POST /events", {"rps": 0.0, "failures": 0, "requests": 0})
    reads = sum(v["rps"] for k, v in ends.items() if k.startswith("GET"))
    offered = sum(p["rate"] for p in plan["profiles"].values())
    served = ends.get("Aggregated", {}).get("rps", 0.0)
    errors = sum(v["failures"] for k, v in ends.items() if k != "Aggregated")
    worst = max((v["p95_ms"] for k, v in ends.items() if k != "Aggregated"), default=0.0)
    return {
        "events_per_s": post["rps"] * (1 - post["failures"] / max(post["requests"], 1)),
        "reads_per_s": reads,
        "offered_per_s": offered,
        "served_per_s": served,
        "errors": errors,
        "worst_p95_ms": worst,
        "passed": errors == 0 and worst < P95_MS and served >= SERVED_SHARE * offered,
    }


def warm(base: str, token: str, case: str) -> dict:
    """One request of each read first (the first of each loads what it needs); their seconds."""
    import httpx

    signed = {"Authorization": f"Bearer {token}"}
    took = {}
    for path, headers in (
        (f"/api/v1/cases/{case}?purpose=case%20review", signed),
        ("/api/v1/alerts?limit=100", signed),
        (f"/api/v1/statistics?years={STATISTICS_YEARS[0]}", {}),
    ):
        started = time.perf_counter()
        httpx.get(base + path, headers=headers, timeout=300).raise_for_status()
        took[path.split("?")[0]] = time.perf_counter() - started
    return took


def run_store(
    url: str,
    work: Path,
    cases: int,
    multiples: tuple[float, ...],
    seconds: int,
    seed_: int,
    read_url: str | None = None,
) -> dict:
    from habeas.jurisdictions import read_calibration
    from habeas.services import queries

    kind = url.split(":", 1)[0].split("+", 1)[0] + (" + replica" if read_url else "")
    http.step(f"{kind}: seeding {cases:,} sample cases")
    engine, _law, report, seeded, reader_token, writer_token = http.seed(url, work, cases, seed_)
    names = [c["case"] for c in queries.case_list(engine, limit=cases)]
    engine.dispose()
    per_year = float(read_calibration("kz")["arrivals"]["per_year"]["value"])
    events_per_case = report.stored / max(len(names), 1)
    rates = national_peak(per_year, events_per_case)
    if read_url:
        _caught_up(url, read_url)
    result: dict = {
        "store": kind,
        "reads_from": "a streaming replica (HABEAS_READ_DATABASE_URL)" if read_url else "the primary",
        "cases": len(names),
        "events": report.stored,
        "seed_seconds": seeded,
        "national_peak": {
            "registered_offences_per_year": per_year,
            "events_per_case": events_per_case,
            "rates_per_s": rates,
            "assumptions": PEAK,
        },
        "steps": {},
    }
    http.step(
        f"  {report.stored:,} events; national peak {sum(rates.values()):.1f} requests/s "
        f"({rates['investigators']:.2f} events/s); starting the server"
    )
    server, base = http.start_server(url, work, read_url)
    try:
        tokens = {
            "reader": http.sign_in(base, http.READER, reader_token),
            "writer": http.sign_in(base, http.WRITER, writer_token),
        }
        result["warm_up_s"] = warm(base, tokens["reader"], names[0])
        for multiple in multiples:
            plan = {
                "run": re.sub(r"[^a-z0-9]+", "_", f"{kind}{multiple:g}"),  # in case ids: letters, digits, _
                "seed": seed_,
                "per_user_rate": PER_USER_RATE,
                "tokens": tokens,
                "cases": names,
                "investigator": http.INVESTIGATOR,
                "statistics_years": list(STATISTICS_YEARS),
                "profiles": plan_of(rates, multiple),
            }
            http.step(
                f"  {multiple:g}x the national peak: {sum(p['rate'] for p in plan['profiles'].values()):.0f}"
                f" requests/s offered for {seconds} s"
            )
            load_before = os.getloadavg()
            step = locust(base, plan, seconds, work, plan["run"])
            step["load_before"] = load_before
            step["profiles"] = plan["profiles"]
            step.update(judged(step, plan))
            result["steps"][f"{multiple:g}"] = step
            http.step(
                f"    {step['served_per_s']:.0f}/s served, {step['events_per_s']:.1f} events/s, "
                f"{step['reads_per_s']:.0f} reads/s, worst p95 {step['worst_p95_ms']:.0f} ms, "
                f"{step['errors']} errors: {'passed' if step['passed'] else 'FAILED'}"
            )
    finally:
        http.stop_server(server)
    passed = [float(m) for m, s in result["steps"].items() if s["passed"]]
    result["headroom"] = max(passed) if passed else 0.0
    return result


def _database(server: str, name: str) -> str:
    """The SQLAlchemy URL of database `name` on `server` (a server URL, either spelling)."""
    dsn = server.replace("postgresql+psycopg://", "postgresql://")
    return dsn.rsplit("/", 1)[0].split("?", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def _caught_up(primary: str, replica: str, timeout: float = 120.0) -> None:
    """Wait until the replica has replayed the primary's WAL as it is now (the seeded register)."""
    import psycopg

    def dsn(url: str) -> str:
        return url.replace("postgresql+psycopg://", "postgresql://")

    with psycopg.connect(dsn(primary), autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(dsn(replica), autocommit=True) as conn:
                query = "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0"
                if conn.execute(query, (target,)).fetchone()[0]:
                    return
        except psycopg.OperationalError:
            pass  # the new database is not on the replica yet
        time.sleep(0.2)
    raise SystemExit(f"the replica did not replay the seeded register within {timeout:.0f} s")


def run_postgres(server: str, work: Path, *args, replica: str | None = None) -> dict:
    """A fresh database on `server`; with `replica` (a streaming standby of `server`), the
    server's reads go there."""
    import psycopg

    dsn = server.replace("postgresql+psycopg://", "postgresql://")
    name = f"habeas_bench_load_{os.getpid()}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        read_url = _database(replica, name) if replica else None
        return run_store(_database(server, name), work, *args, read_url=read_url)
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run(
    postgres: str | None,
    quick: bool = False,
    cases: int | None = None,
    multiples: tuple[float, ...] = MULTIPLES,
    seconds: int | None = None,
    seed_: int = 1,
    sqlite: bool = True,
    keep: bool = False,
    out: Path | None = None,
    replicated: tuple[str, str] | None = None,
) -> dict:
    """The steps on SQLite, on `postgres`, and on `replicated` (a primary and its streaming
    replica: writes to the one, lists, statistics and the board read from the other)."""
    cases = cases or (200 if quick else 1000)
    seconds = seconds or (15 if quick else 30)
    OUT.mkdir(exist_ok=True)
    work = OUT / f"work-load-{os.getpid()}"
    work.mkdir()
    results: dict = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": http.machine(),
        "server": "uvicorn, one process, the API alone (bench/http.py serve)",
        "seconds_per_step": seconds,
        "stores": {},
    }
    try:
        if sqlite:
            results["stores"]["sqlite"] = run_store(
                f"sqlite:///{work / 'load.db'}", work, cases, multiples, seconds, seed_
            )
            save(results, out)
        if postgres:
            results["stores"]["postgresql"] = run_postgres(postgres, work, cases, multiples, seconds, seed_)
        else:
            http.step("no PostgreSQL server given (--postgres): the load test ran on SQLite only")
        if replicated:
            primary, replica = replicated
            results["stores"]["postgresql+replica"] = run_postgres(
                primary, work, cases, multiples, seconds, seed_, replica=replica
            )
            save(results, out)
        else:
            http.step("no primary and replica given (--replicated, --replica): not measured with a replica")
    finally:
        results["machine"]["load_after"] = os.getloadavg()
        save(results, out)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return results


def save(results: dict, out: Path | None = None) -> None:
    (out or OUT / "load.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def show(results: dict) -> None:
    for store, found in results.get("stores", {}).items():
        peak = found["national_peak"]
        table = Table(
            title=f"{store}: Locust at multiples of the national peak "
            f"({sum(peak['rates_per_s'].values()):.1f} requests/s, {peak['rates_per_s']['investigators']:.2f} events/s;"
            f" headroom {found['headroom']:g}x)",
        )
        for column in ("peak ×", "endpoint", "users", "requests", "failures", "p50 ms", "p95 ms", "p99 ms", "req/s"):
            table.add_column(column, justify="left" if column == "endpoint" else "right")
        for multiple, step in found["steps"].items():
            for profile, endpoint in ENDPOINTS.items():
                e = step["endpoints"].get(endpoint)
                if e is None:
                    continue
                table.add_row(
                    multiple,
                    endpoint,
                    str(step["profiles"][profile]["users"]),
                    f"{e['requests']:,}",
                    str(e["failures"]),
                    f"{e['p50_ms']:.0f}",
                    f"{e['p95_ms']:.0f}",
                    f"{e['p99_ms']:.0f}",
                    f"{e['rps']:.1f}",
                )
            table.add_row(
                multiple,
                f"[b]{'passed' if step['passed'] else 'failed'}[/]: {step['events_per_s']:.1f} events/s,"
                f" {step['reads_per_s']:.1f} reads/s, {step['errors']} errors",
                "",
                "",
                "",
                "",
                "",
                "",
                f"{step['served_per_s']:.1f} of {step['offered_per_s']:.1f}",
            )
        console.print(table)


def replicated_default() -> tuple[str | None, str | None]:
    """The primary and replica the environment names (the bench's own, else the tests')."""
    env = os.environ.get
    return (
        env("HABEAS_BENCH_REPLICATED_URL") or env("HABEAS_TEST_REPLICATED_URL"),
        env("HABEAS_BENCH_REPLICA_URL") or env("HABEAS_TEST_REPLICA_URL"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 cases, 15 s a step")
    parser.add_argument("--cases", type=int, help="sample cases seeded (default 1,000)")
    parser.add_argument("--seconds", type=int, help="seconds a step (default 30)")
    parser.add_argument(
        "--multiples", default=",".join(map(str, MULTIPLES)), help="multiples of the national peak (default 1,10,25)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HABEAS_BENCH_POSTGRES_URL") or os.environ.get("HABEAS_TEST_POSTGRES_URL"),
        help="a PostgreSQL server URL on 127.0.0.1 (a role that may CREATE DATABASE); none: SQLite only",
    )
    parser.add_argument(
        "--replicated",
        default=replicated_default()[0],
        help="a PostgreSQL primary with a streaming replica (default $HABEAS_BENCH_REPLICATED_URL,"
        " $HABEAS_TEST_REPLICATED_URL)",
    )
    parser.add_argument(
        "--replica",
        default=replicated_default()[1],
        help="that primary's replica (default $HABEAS_BENCH_REPLICA_URL, $HABEAS_TEST_REPLICA_URL)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (databases, Locust CSV)")
    parser.add_argument("--out", type=Path, help="write the results here (default bench/out/load.json)")
    args = parser.parse_args(argv)
    multiples = tuple(float(x) for x in args.multiples.split(","))
    results = run(
        args.postgres,
        args.quick,
        args.cases,
        multiples,
        args.seconds,
        args.seed,
        not args.no_sqlite,
        args.keep,
        args.out,
        (args.replicated, args.replica) if args.replicated and args.replica else None,
    )
    show(results)
    console.print(f"results written to {args.out or OUT / 'load.json'}", highlight=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
