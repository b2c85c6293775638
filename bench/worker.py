"""One measurement per process (`python -m bench.worker KIND ...`), printed as one JSON line.

Each measurement runs in a fresh interpreter so its peak RSS (ru_maxrss) is its own and
not the generator's or another measurement's.
"""

from __future__ import annotations

import gc
import hashlib
import json
import resource
import sqlite3
import sys
import time
from datetime import UTC, datetime

from habeas.clock import FixedClock
from habeas.domain.events import Actor

REGISTRAR = Actor("bench", "registrar", "habeas-bench")
RECORDED_AT = datetime(2026, 1, 1, tzinfo=UTC)
BASELINE_CHUNK = 2000  # rows per executemany, as the register's import chunk


def peak_rss_mb() -> float:
    """This process's own peak RSS. On Linux, ru_maxrss is inherited from the parent across
    fork and exec (a worker would report the bench's peak), so read VmHWM, which is not."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def habeas_import(path: str, url: str) -> dict:
    from habeas.db.engine import make_engine, migrate
    from habeas.jurisdictions import load
    from habeas.services.register import Register

    engine = make_engine(url)
    migrate(engine)
    law = load("kz")
    register = Register(engine, law, FixedClock(RECORDED_AT))
    before = peak_rss_mb()
    started = time.perf_counter()
    with open(path, encoding="utf-8") as lines:
        report = register.import_lines(lines, REGISTRAR)
    seconds = time.perf_counter() - started
    engine.dispose()
    if report.errors:
        raise SystemExit(f"habeas import refused {len(report.errors)} lines: {report.errors[0].lines()}")
    return {"events": report.stored, "seconds": seconds, "rss_before_mb": before, "peak_rss_mb": peak_rss_mb()}


def baseline_import(path: str, db: str) -> dict:
    """Raw sqlite3: parse each line for its stream, executemany (stream, version, json)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # the durability of habeas appends (db.engine.appender)
    conn.execute("CREATE TABLE raw (stream TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL)")
    conn.execute("CREATE UNIQUE INDEX raw_stream_version ON raw (stream, version)")
    versions: dict[str, int] = {}
    loads = json.loads
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    count = 0
    with open(path, encoding="utf-8") as lines:
        chunk = []
        for line in lines:
            raw = loads(line)
            stream = raw.get("case") or f"facility:{raw['data'].get('facility')}"
            version = versions.get(stream, 0) + 1
            versions[stream] = version
            chunk.append((stream, version, line))
            if len(chunk) >= BASELINE_CHUNK:
                conn.executemany("INSERT INTO raw (stream, version, body) VALUES (?, ?, ?)", chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            conn.executemany("INSERT INTO raw (stream, version, body) VALUES (?, ?, ?)", chunk)
            count += len(chunk)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return {"events": count, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


def verify(url: str, rounds: int = 2) -> dict:
    """`maintenance.verify` against reading the same rows (same SELECT) and hashing them."""
    from habeas.db.engine import make_engine
    from habeas.ledger import store
    from habeas.services import maintenance

    engine = make_engine(url)

    def baseline() -> int:
        count = 0
        sha256 = hashlib.sha256
        with engine.connect() as conn:
            for row in store.iter_rows(conn):
                sha256("\x1f".join(map(str, row[:11])).encode()).digest()
                count += 1
        return count

    best_habeas = best_base = float("inf")
    count = base_count = 0
    for _ in range(rounds):  # alternate, best of each: the same warm page cache for both
        started = time.perf_counter()
        base_count = baseline()
        best_base = min(best_base, time.perf_counter() - started)
        started = time.perf_counter()
        result = maintenance.verify(engine)
        best_habeas = min(best_habeas, time.perf_counter() - started)
        if not result.intact:
            raise SystemExit(f"verify: chain broken at {result.bad_position}")
        count = result.count
    engine.dispose()
    return {"events": count, "seconds": best_habeas, "baseline_events": base_count, "baseline_seconds": best_base}


def alerts(url: str, at: str, rounds: int = 2) -> dict:
    """`queries.alerts` from the projection against folding and judging every case from the log."""
    from sqlalchemy import func, select

    from habeas.db.engine import make_engine
    from habeas.db.schema import cases
    from habeas.db.schema import events as events_table
    from habeas.domain.case import fold
    from habeas.jurisdictions import load
    from habeas.law.rules import judge
    from habeas.ledger import store
    from habeas.services import queries

    engine = make_engine(url)
    law = load("kz")
    moment = datetime.fromisoformat(at)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(cases)).scalar_one()
        open_cases = conn.execute(select(func.count()).select_from(cases).where(cases.c.stage != "closed")).scalar_one()
        events = conn.execute(select(func.count()).select_from(events_table)).scalar_one()

    def board() -> int:
        """What `habeas alerts` shows: the 100 most urgent and how many there are in all."""
        shown = queries.alert_rows(engine, moment, limit=100)
        return queries.count_alerts(engine, moment) if len(shown) == 100 else len(shown)

    projection = listing = float("inf")
    found: list = []
    counted = 0
    for _ in range(rounds):
        started = time.perf_counter()
        counted = board()
        projection = min(projection, time.perf_counter() - started)
        started = time.perf_counter()
        found = queries.alert_rows(engine, moment)  # every alert, as `habeas alerts --json` prints
        listing = min(listing, time.perf_counter() - started)

    def replay() -> int:
        """Every stream loaded in one ordered scan (the fastest replay), folded and judged
        (`judge` keeps the open and breached findings, as `alerts` does)."""
        findings = 0
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"{store.SELECT_ROWS} ORDER BY stream, version",
                execution_options={"stream_results": True, "yield_per": 5000},
            )
            state = None
            for row in rows:
                event = store.row_to_event(row)
                if state is not None and state.case != event.stream:
                    findings += len(judge(state, law, moment))
                    state = None
                state = fold(state, event)
            if state is not None:
                findings += len(judge(state, law, moment))
        return findings

    started = time.perf_counter()
    replayed = replay()
    recompute = time.perf_counter() - started
    engine.dispose()
    return {
        "cases": total,
        "open_cases": open_cases,
        "events": events,
        "alerts": len(found),
        "alerts_counted": counted,
        "alerts_replayed": replayed,
        "projection_seconds": projection,
        "listing_seconds": listing,
        "replay_seconds": recompute,
    }


def habeas_single(path: str, url: str, limit: str) -> dict:
    """`Register.submit` of the file's first `limit` events, one transaction each (what the API does)."""
    from habeas.db.engine import make_engine, migrate
    from habeas.jurisdictions import load
    from habeas.services.register import Register

    engine = make_engine(url)
    migrate(engine)
    register = Register(engine, load("kz"), FixedClock(RECORDED_AT))
    count = 0
    started = time.perf_counter()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if count >= int(limit):
                break
            register.submit(json.loads(line), REGISTRAR)
            count += 1
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"events": count, "seconds": seconds}


def es_import(path: str, db: str) -> dict:
    from bench.peers import eventsourcing_import

    return {**eventsourcing_import(path, db), "peak_rss_mb": peak_rss_mb()}


def es_single(path: str, db: str, limit: str) -> dict:
    from bench.peers import eventsourcing_single

    return eventsourcing_single(path, db, int(limit))


def pg_baseline(path: str, url: str) -> dict:
    from bench.peers import postgres_baseline

    return postgres_baseline(path, url)


def case_show(url: str, rounds: str = "200") -> dict:
    """`case show --json` of the median case (by events), in process: the service's case file,
    its findings in words, the JSON; against reading that case's rows (same SELECT, fetchall)."""
    from habeas.db.engine import make_engine
    from habeas.jurisdictions import load
    from habeas.ledger import store
    from habeas.presentation import findings as words
    from habeas.services import queries

    engine = make_engine(url)
    law = load("kz")
    from habeas.access.facts import Principal

    reader = Principal("bench", "admin", "local")  # the local operator: the read is checked and recorded
    with engine.connect() as conn:
        listed = conn.exec_driver_sql('SELECT "case", version FROM cases ORDER BY version, "case"').fetchall()
    case, events = listed[len(listed) // 2]
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    sql = f"{store.SELECT_ROWS} WHERE stream = ? ORDER BY version"

    def show() -> str:
        file = queries.case_file(engine, law, case, reader, "bench", moment, moment)
        words.case_file_json(file, moment, law, "en")
        return words.dumps(file)

    def raw() -> list:
        with engine.connect() as conn:
            return conn.exec_driver_sql(sql, (case,)).fetchall()

    show()  # warm: the message catalogue, the rules
    best_show = best_raw = float("inf")
    for _ in range(int(rounds)):
        started = time.perf_counter()
        rows = raw()
        best_raw = min(best_raw, time.perf_counter() - started)
        started = time.perf_counter()
        show()
        best_show = min(best_show, time.perf_counter() - started)
    engine.dispose()
    return {"case": case, "events": events, "rows": len(rows), "seconds": best_show, "baseline_seconds": best_raw}


def judge(url: str, limit: str = "20000") -> dict:
    """Fold and judge (`rules.deadlines`, as the projection does) the first `limit` cases of
    the log, timed apart from reading them: µs per case and per event."""
    from habeas.db.engine import make_engine
    from habeas.domain.case import fold
    from habeas.jurisdictions import load
    from habeas.law.rules import deadlines
    from habeas.ledger import store

    engine = make_engine(url)
    law = load("kz")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"{store.SELECT_ROWS} WHERE stream NOT LIKE '#%' ORDER BY stream, version")
        streams: list[list] = []
        for row in rows:
            if not streams or streams[-1][0][2] != row[2]:
                if len(streams) >= int(limit):
                    break
                streams.append([])
            streams[-1].append(row)
    engine.dispose()
    cases = [[store.row_to_event(r) for r in rows] for rows in streams]
    events = sum(len(c) for c in cases)
    # The loaded rows and events out of the cyclic collector's way: else one full collection
    # over them (0.15-0.3 s) falls inside the timed fold, a cost of this harness holding the
    # whole log at once, not of folding (the import folds a chunk at a time).
    gc.collect()
    gc.freeze()
    # Wall time, and this process's CPU time (on a shared machine the other loads move the
    # wall time by ±30 % from run to run; the CPU time much less).
    started, cpu = time.perf_counter(), time.process_time()
    states = []
    for case in cases:
        state = None
        for event in case:
            state = fold(state, event)
        states.append(state)
    folded, folded_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    findings = sum(len(deadlines(state, law)) for state in states)
    judged, judged_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "cases": len(cases),
        "events": events,
        "findings": findings,
        "fold_seconds": folded,
        "judge_seconds": judged,
        "fold_cpu_seconds": folded_cpu,
        "judge_cpu_seconds": judged_cpu,
    }


def startup(rounds: str = "5") -> dict:
    """`habeas --help` from a fresh interpreter, best of `rounds`; and a bare `python -c pass`."""
    import subprocess

    def best(command: list[str]) -> float:
        found = float("inf")
        for _ in range(int(rounds)):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            found = min(found, time.perf_counter() - started)
        return found

    return {
        "seconds": best([sys.executable, "-m", "habeas", "--help"]),
        "baseline_seconds": best([sys.executable, "-c", "pass"]),
    }


def main(argv: list[str]) -> None:
    kind, *args = argv
    measure = {
        "import": habeas_import,
        "baseline": baseline_import,
        "verify": verify,
        "alerts": alerts,
        "single": habeas_single,
        "es-import": es_import,
        "es-single": es_single,
        "pg-baseline": pg_baseline,
        "case-show": case_show,
        "judge": judge,
        "startup": startup,
    }[kind]
    print(json.dumps(measure(*args)))


if __name__ == "__main__":
    main(sys.argv[1:])
