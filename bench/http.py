"""`python -m bench.http` (or `python -m bench --only http`): the REST API under a bounded load (issue 10, "Speed").

On 127.0.0.1, against uvicorn serving `habeas.api.create_app` (as `habeas serve`, without the
web UI) in its own process, on a fresh SQLite file and, when a server is given, a fresh
PostgreSQL database seeded with sample cases:

(a) `GET /api/v1/cases/{case}` over the seeded cases (an admin reads them: the policy is
    asked and the read is logged, as for everyone);
(b) `POST /api/v1/events` of new `report.received` events, each opening a new case, sent by
    a registrar user in the name of an investigator (the group committer takes them);

at concurrency 1, 8, 32 and 64 (closed loop: each of N clients sends its next request when
its previous one is answered), a fixed number of requests per level, after a short warm-up.
Two load generators: a lean one written here (asyncio streams, requests built ahead: a few
tens of µs a request, so the figures are the server's; the targets are judged on it) and
httpx (`AsyncClient`, 1.4–3 ms of CPU a request: at 32 clients it, not the server, was the
limit). The baseline, measured in the same run on the same database between the HTTP
runs, is the same service called in this process: for (a) what the route runs,
`queries.case_file` and `findings.case_file_json`; for (b) `Recorder.record` through one
`GroupCommitter` (what the route calls), one thread at concurrency 1 and as many threads as
the level at the others.

Reported per level: p50 and p99 latency, throughput (requests/s), for (b) events per
transaction (a group is one `recorded_at`: `Register.submit_group` stamps its events with one
time), and the CPU the load generator and the server used (cores). Targets: HTTP p50 of
(a) < 3x the in-process p50 (concurrency 1); (b) throughput at concurrency 32 >= 5x
concurrency 1. Written to bench/out/http.json and printed as a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
LEVELS = (1, 8, 32, 64)
KEYS = {
    ("get", "raw"): "get_http",
    ("get", "httpx"): "get_http_httpx",
    ("post", "raw"): "post_http",
    ("post", "httpx"): "post_http_httpx",
}
TARGETS = {"get_p50_ratio": 3.0, "post_scaling_32": 5.0}  # HTTP p50 < 3x in process; c32 >= 5x c1
PURPOSE = "case review"
READER, WRITER = "bench-reader", "bench-registrar"
INVESTIGATOR = {"id": "inv-bench-1", "role": "investigator", "agency": "police-bench"}
console = Console(width=150)


def step(message: str) -> None:
    console.print(f"[dim]{datetime.now():%H:%M:%S}[/] {message}", highlight=False)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(latencies: list[float], wall: float, errors: int, cpu: dict) -> dict:
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": 1e3 * percentile(latencies, 0.5),
        "p99_ms": 1e3 * percentile(latencies, 0.99),
        "mean_ms": 1e3 * sum(latencies) / len(latencies),
        "rps": len(latencies) / wall,
        "seconds": wall,
        **cpu,
    }


def event(tag: str, n: int, occurred: str) -> dict:
    """A new `report.received`: it opens its own case, so no two requests touch one case."""
    return {
        "id": f"bench-{tag}-{n}",
        "kind": "report.received",
        "case": f"BENCH-{tag}-{n:06d}",
        "occurred_at": occurred,
        "actor": INVESTIGATOR,
        "data": {"channel": "written", "summary": "theft from a flat by breaking in", "victim": "V1"},
    }


def _server_cpu(pid: int) -> float:
    """utime + stime of the server process, seconds (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the baseline: the same services in this process -------------------------------------


def in_process(work, requests: list, level: int) -> tuple[list[float], float, int]:
    """`work(item)` for every item, by `level` threads each taking the next; latencies, wall, errors."""
    items = iter(requests)
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def client() -> None:
        mine = []
        while True:
            with lock:
                item = next(items, None)
            if item is None:
                break
            started = time.perf_counter()
            try:
                work(item)
            except Exception as exc:  # counted, and the run says so
                with lock:
                    errors[0] += 1
                    if errors[0] <= 3:
                        step(f"  [red]in process: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}[/]")
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    if level == 1:
        client()
    else:
        with ThreadPoolExecutor(level) as pool:
            for _ in range(level):
                pool.submit(client)
    return latencies, time.perf_counter() - started, errors[0]


# --- the load generators: httpx, and a lean client by hand; asyncio, a connection per client ---


async def _load(
    base: str, token: str, method: str, paths_or_bodies: list, level: int
) -> tuple[list[float], float, int]:
    import httpx

    limits = httpx.Limits(max_connections=level, max_keepalive_connections=level)
    headers = {"authorization": f"Bearer {token}"}
    items = iter(paths_or_bodies)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=120) as client:

        async def one_client() -> None:
            nonlocal errors
            for item in items:  # one shared iterator: the next request goes to whoever is free
                started = time.perf_counter()
                try:
                    if method == "GET":
                        answer = await client.get(item, params={"purpose": PURPOSE} if "/cases/" in item else None)
                        failed = None if answer.status_code == 200 else f"{answer.status_code}: {answer.text[:300]}"
                    else:
                        answer = await client.post("/api/v1/events", json=item)
                        failed = None if answer.status_code == 201 else f"{answer.status_code}: {answer.text[:300]}"
                except httpx.TransportError as exc:  # the connection dropped: counted, the run goes on
                    failed = f"{type(exc).__name__} {exc}"
                latencies.append(time.perf_counter() - started)
                if failed:
                    errors += 1
                    if errors <= 3:
                        step(
                            f"  [red]{method}: {failed}[/]",
                        )

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(level)))
        return latencies, time.perf_counter() - started, errors


def over_http(base: str, token: str, method: str, items: list, level: int, server_pid: int, client: str = "raw"):
    """The requests at `level` with the lean client (`raw`) or httpx; latencies, wall, errors, CPU."""
    load = _raw_load if client == "raw" else _load
    cpu0, srv0 = time.process_time(), _server_cpu(server_pid)
    latencies, wall, errors = asyncio.run(load(base, token, method, items, level))
    cpu = {
        "client_cores": (time.process_time() - cpu0) / wall,
        "server_cores": (_server_cpu(server_pid) - srv0) / wall,
    }
    return latencies, wall, errors, cpu


async def _raw_load(base: str, token: str, method: str, items: list, level: int) -> tuple[list[float], float, int]:
    """The lean client: `level` kept-alive connections, each request's bytes built ahead, the
    answer read by its Content-Length (uvicorn always sends one). Its cost per request is a
    few tens of µs, where httpx's is about a millisecond of CPU (see the httpx rows)."""
    host, port = base.removeprefix("http://").split(":")
    head = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"

    def build(item) -> bytes:
        if method == "GET":
            query = "?purpose=" + PURPOSE.replace(" ", "%20") if "/cases/" in item else ""
            return f"GET {item}{query} HTTP/1.1\r\n{head}\r\n".encode()
        body = json.dumps(item).encode()
        return (
            f"POST /api/v1/events HTTP/1.1\r\n{head}Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    expected = 200 if method == "GET" else 201
    requests = iter([build(item) for item in items])
    latencies: list[float] = []
    errors = 0
    connections = [await asyncio.open_connection(host, int(port)) for _ in range(level)]

    async def one_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal errors
        for request in requests:  # one shared iterator: the next request goes to whoever is free
            started = time.perf_counter()
            try:
                writer.write(request)
                header = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in header.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                status = int(header[9:12])
                failed = None if status == expected else f"{status}: {body[:300].decode(errors='replace')}"
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                failed = f"{type(exc).__name__} {exc}"
                writer.close()
                reader, writer = await asyncio.open_connection(host, int(port))
            latencies.append(time.perf_counter() - started)
            if failed:
                errors += 1
                if errors <= 3:
                    step(f"  [red]{method}: {failed}[/]")
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_client(r, w) for r, w in connections))
    return latencies, time.perf_counter() - started, errors


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, work: Path, read_url: str | None = None) -> tuple[subprocess.Popen, str]:
    """`habeas serve`'s API on a free port; with `read_url`, its lists, statistics and board
    read from that replica (HABEAS_READ_DATABASE_URL), as a deployment with one would."""
    import httpx

    port = free_port()
    log = (work / f"serve-{port}.log").open("w")
    env = {**os.environ, "HABEAS_SIGNING_KEY": str(work / "signing.key")}
    if read_url:
        env["HABEAS_READ_DATABASE_URL"] = read_url
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.http", "serve", url, str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"habeas serve exited {server.returncode}:\n{(work / log.name).read_text()[-3000:]}")
        try:
            httpx.get(f"{base}/api/v1/me", timeout=2)
            return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("habeas serve did not answer within 90 s")


def serve(url: str, port: int) -> None:
    """What `habeas serve` runs (uvicorn, log level warning), the web UI left out: the API alone
    is measured. $HABEAS_BENCH_WORKERS server processes (`habeas serve --workers`), default 1."""
    import uvicorn

    workers = int(os.environ.get("HABEAS_BENCH_WORKERS", "1"))
    os.environ["HABEAS_DATABASE_URL"] = url
    uvicorn.run("bench.http:api_only", factory=True, host="127.0.0.1", port=port, workers=workers, log_level="warning")


def api_only():
    from habeas.api import Settings, create_app

    return create_app(Settings(database_url=os.environ["HABEAS_DATABASE_URL"], web=False))


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def sign_in(base: str, login: str, token: str) -> str:
    import httpx

    answer = httpx.post(f"{base}/api/v1/sessions", json={"login": login, "token": token}, timeout=30)
    answer.raise_for_status()
    return answer.json()["token"]


# --- one store ---------------------------------------------------------------------------


def seed(url: str, work: Path, cases: int, seed_: int):
    """A fresh register of `cases` sample cases, a reader (admin) and a registrar; their tokens."""
    from habeas.clock import SystemClock
    from habeas.db.engine import make_engine
    from habeas.domain.events import Actor
    from habeas.jurisdictions import load
    from habeas.services import setup, users
    from habeas.services.register import Register
    from habeas.simulator import write_jsonl

    engine = make_engine(url)
    setup.prepare(engine)
    law = load("kz")
    path = work / f"seed-{cases}.jsonl"
    if not path.exists():
        write_jsonl(path, cases=cases, seed=seed_)
    started = time.perf_counter()
    with path.open(encoding="utf-8") as lines:
        report = Register(engine, law, SystemClock()).import_lines(lines, Actor("bench", "registrar", "habeas-bench"))
    if report.errors:
        raise SystemExit(f"seeding refused {len(report.errors)} lines: {report.errors[0]}")
    now = SystemClock().now()
    admin = users.operator("bench")
    reader = users.add(engine, law, admin, now, READER, "admin", agency="local")
    writer = users.add(engine, law, admin, now, WRITER, "registrar", agency="bench")
    return engine, law, report, time.perf_counter() - started, reader.token, writer.token


def groups_of(engine, tag: str) -> dict:
    """How many transactions stored the events tagged `tag`: one `recorded_at` per group."""
    from sqlalchemy import text

    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT count(*), count(DISTINCT recorded_at) FROM events WHERE event_id LIKE :tag"),
            {"tag": f"bench-{tag}-%"},
        ).one()
    return {"events_stored": found[0], "transactions": found[1], "events_per_transaction": found[0] / max(1, found[1])}


def run_store(
    url: str, work: Path, cases: int, requests: int, levels: tuple[int, ...], seed_: int, clients: tuple[str, ...]
) -> dict:
    from habeas.clock import SystemClock
    from habeas.presentation import findings as words
    from habeas.services import queries, sessions
    from habeas.services.group_commit import GroupCommitter
    from habeas.services.recording import Recorder
    from habeas.services.register import Register

    kind = url.split(":", 1)[0].split("+", 1)[0]
    step(f"{kind}: seeding {cases:,} sample cases")
    engine, law, report, seeded, reader_token, writer_token = seed(url, work, cases, seed_)
    names = [c["case"] for c in queries.case_list(engine, limit=cases)]
    step(f"  {report.stored:,} events, {len(names):,} cases in {seeded:.0f} s; starting the server")
    clock = SystemClock()
    reader = sessions.open_session(engine, READER, reader_token, clock.now()).principal
    registrar = sessions.open_session(engine, WRITER, writer_token, clock.now()).principal
    recorder = Recorder(engine, law, GroupCommitter(Register(engine, law, clock)))
    occurred = (clock.now() - timedelta(hours=1)).isoformat(timespec="seconds")

    def read(case: str) -> None:
        now = clock.now()
        words.case_file_json(queries.case_file(engine, law, case, reader, PURPOSE, now, now), now, law, "en")

    def record(raw: dict) -> None:
        recorder.record(registrar, raw, clock.now())

    server, base = start_server(url, work)
    result: dict = {
        "store": kind,
        "cases": len(names),
        "events": report.stored,
        "seed_seconds": seeded,
        "requests_per_level": requests,
        "levels": {},
    }
    try:
        bearer = {"reader": sign_in(base, READER, reader_token), "writer": sign_in(base, WRITER, writer_token)}
        pick = random.Random(seed_)
        warm = 20
        # the floor: what any signed-in request costs (client, server, routing, the session's user)
        me = ["/api/v1/me"] * (requests + warm)
        over_http(base, bearer["reader"], "GET", me[:warm], 1, server.pid)
        lat, wall, errors, cpu = over_http(base, bearer["reader"], "GET", me[warm:], 1, server.pid)
        result["floor"] = {"get_me_http": summary(lat, wall, errors, cpu)}
        token = bearer["reader"]
        lat, wall, errors = in_process(lambda _: sessions.principal_of(engine, token, clock.now()), me[warm:], 1)
        result["floor"]["principal_of_in_process"] = summary(lat, wall, errors, {})
        for level in levels:
            step(f"  concurrency {level}: GET /cases/{{case}}, POST /events, {requests:,} each: in process, HTTP")
            shown = [pick.choice(names) for _ in range(requests + warm)]
            paths = [f"/api/v1/cases/{case}" for case in shown]
            figures: dict = {}
            # (a) reads: in process, then over HTTP, the same cases in the same order
            in_process(read, shown[:warm], level)
            lat, wall, errors = in_process(read, shown[warm:], level)
            figures["get_in_process"] = summary(lat, wall, errors, {})
            for client in clients:
                over_http(base, bearer["reader"], "GET", paths[:warm], level, server.pid, client)
                lat, wall, errors, cpu = over_http(
                    base, bearer["reader"], "GET", paths[warm:], level, server.pid, client
                )
                figures[KEYS["get", client]] = summary(lat, wall, errors, cpu)
            # (b) writes: new cases, unique ids
            tag = f"in{level}"
            in_process(record, [event(f"{tag}w", n, occurred) for n in range(warm)], level)
            lat, wall, errors = in_process(record, [event(tag, n, occurred) for n in range(requests)], level)
            figures["post_in_process"] = {**summary(lat, wall, errors, {}), **groups_of(engine, tag)}
            for client in clients:
                tag = f"{client}{level}"
                warming = [event(f"{tag}w", n, occurred) for n in range(warm)]
                over_http(base, bearer["writer"], "POST", warming, level, server.pid, client)
                bodies = [event(tag, n, occurred) for n in range(requests)]
                lat, wall, errors, cpu = over_http(base, bearer["writer"], "POST", bodies, level, server.pid, client)
                figures[KEYS["post", client]] = {**summary(lat, wall, errors, cpu), **groups_of(engine, tag)}
            result["levels"][str(level)] = figures
            g, p = figures[KEYS["get", clients[0]]], figures[KEYS["post", clients[0]]]
            step(
                f"    {clients[0]} client: GET p50 {g['p50_ms']:.2f} ms "
                f"(in process {figures['get_in_process']['p50_ms']:.2f}), "
                f"{g['rps']:,.0f}/s; POST p50 {p['p50_ms']:.2f} ms, {p['rps']:,.0f}/s "
                f"(in process {figures['post_in_process']['rps']:,.0f}/s), {p['events_per_transaction']:.1f} events/tx"
            )
    finally:
        stop_server(server)
        engine.dispose()
    verdicts(result, levels)
    return result


def verdicts(result: dict, levels: tuple[int, ...]) -> None:
    """The targets, judged on the lean client's figures (the server's), and on httpx's too."""
    lv = result["levels"]
    first = str(levels[0])
    for client in ("raw", "httpx"):
        get, post = KEYS["get", client], KEYS["post", client]
        if first in lv and get in lv[first]:
            ratio = lv[first][get]["p50_ms"] / lv[first]["get_in_process"]["p50_ms"]
            result.setdefault("get_p50_ratio", {"level": int(first)})[client] = {
                "ratio": ratio,
                "met": ratio < TARGETS["get_p50_ratio"],
            }
        if "1" in lv and "32" in lv and post in lv["1"]:
            found = result.setdefault("post_scaling_32", {})
            found["in_process"] = lv["32"]["post_in_process"]["rps"] / lv["1"]["post_in_process"]["rps"]
            scaling = lv["32"][post]["rps"] / lv["1"][post]["rps"]
            found[client] = {"ratio": scaling, "met": scaling >= TARGETS["post_scaling_32"]}


# --- the run --------------------------------------------------------------------------------


def machine() -> dict:
    """The machine a run measured, with its load average when it began."""
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_before": os.getloadavg(),
    }


def run(
    postgres: str | None,
    quick: bool = False,
    cases: int | None = None,
    requests: int | None = None,
    levels: tuple[int, ...] = LEVELS,
    seed_: int = 1,
    sqlite: bool = True,
    keep: bool = False,
    clients: tuple[str, ...] = ("raw", "httpx"),
) -> dict:
    cases = cases or (200 if quick else 1000)
    requests = requests or (200 if quick else 1000)
    OUT.mkdir(exist_ok=True)
    work = OUT / f"work-http-{os.getpid()}"
    work.mkdir()
    results: dict = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "server": "uvicorn.run(create_app(Settings(database_url, web=False))) as `habeas serve`, one process" + _loop(),
        "targets": TARGETS,
        "clients": {
            "raw": "asyncio streams, requests built ahead, answers read by Content-Length (the figures judged)",
            "httpx": "httpx.AsyncClient, a pool of one connection per client (its own cost shows in its rows)",
        },
        "stores": {},
    }
    try:
        if sqlite:
            results["stores"]["sqlite"] = run_store(
                f"sqlite:///{work / 'http.db'}", work, cases, requests, levels, seed_, clients
            )
            save(results)
        if postgres:
            results["stores"]["postgresql"] = run_postgres(postgres, work, cases, requests, levels, seed_, clients)
            save(results)
        else:
            step("no PostgreSQL server given (--postgres): the HTTP bench ran on SQLite only")
    finally:
        results["machine"]["load_after"] = os.getloadavg()
        save(results)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return results


def _loop() -> str:
    try:
        import uvloop  # noqa: F401

        return ", uvloop + httptools"
    except ImportError:
        return ", asyncio + h11"


def run_postgres(
    server: str, work: Path, cases: int, requests: int, levels: tuple[int, ...], seed_: int, clients: tuple[str, ...]
) -> dict:
    import psycopg

    dsn = server.replace("postgresql+psycopg://", "postgresql://")
    name = f"habeas_bench_http_{os.getpid()}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        url = dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
        return run_store(url, work, cases, requests, levels, seed_, clients)
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def save(results: dict) -> None:
    (OUT / "http.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def show(results: dict) -> None:
    def verdict(ok: bool) -> str:
        return "[green]met[/]" if ok else "[bold red]missed[/]"

    for kind, store in results["stores"].items():
        table = Table(
            "concurrency",
            "request",
            "side",
            "p50 ms",
            "p99 ms",
            "req/s",
            "events/tx",
            "cores (client / server)",
            "errors",
            title=f"habeas HTTP bench: {kind}, {store['cases']:,} cases ({store['events']:,} events), "
            f"{store['requests_per_level']:,} requests per level",
            title_justify="left",
        )
        for level, figures in store["levels"].items():
            for key, request, side in (
                ("get_in_process", "GET /cases/{case}", "in process"),
                ("get_http", "GET /cases/{case}", "HTTP (lean client)"),
                ("get_http_httpx", "GET /cases/{case}", "HTTP (httpx client)"),
                ("post_in_process", "POST /events", "in process"),
                ("post_http", "POST /events", "HTTP (lean client)"),
                ("post_http_httpx", "POST /events", "HTTP (httpx client)"),
            ):
                if key not in figures:
                    continue
                f = figures[key]
                table.add_row(
                    level,
                    request,
                    side,
                    f"{f['p50_ms']:.2f}",
                    f"{f['p99_ms']:.2f}",
                    f"{f['rps']:,.0f}",
                    f"{f['events_per_transaction']:.1f}" if "events_per_transaction" in f else "",
                    f"{f['client_cores']:.2f} / {f['server_cores']:.2f}" if "server_cores" in f else "",
                    str(f["errors"]) if f["errors"] else "",
                    end_section=key == "post_http_httpx" or (key == "post_http" and "post_http_httpx" not in figures),
                )
        console.print(table)
        failed = [
            f"{key} at {level}: {f['errors']:,}"
            for level, figures in store["levels"].items()
            for key, f in figures.items()
            if f["errors"]
        ]
        if failed:
            console.print(
                f"  [bold red]failed requests[/] ({', '.join(failed)}): those rows time failures too and do not "
                "measure the service",
                highlight=False,
            )
        if "floor" in store:
            me, who = store["floor"]["get_me_http"], store["floor"]["principal_of_in_process"]
            console.print(
                f"  floor, concurrency 1: GET /api/v1/me over HTTP p50 {me['p50_ms']:.2f} ms "
                f"(client {me['client_cores']:.2f} / server {me['server_cores']:.2f} cores); "
                f"its session look-up in process p50 {who['p50_ms']:.2f} ms",
                highlight=False,
            )
        names = {"raw": "lean client", "httpx": "httpx client"}
        if "get_p50_ratio" in store:
            r = store["get_p50_ratio"]
            for client in ("raw", "httpx"):
                if client in r:
                    console.print(
                        f"  GET /cases/{{case}} p50, HTTP / in process at concurrency {r['level']}, {names[client]}: "
                        f"{r[client]['ratio']:.2f}x (target < {TARGETS['get_p50_ratio']:g}x) "
                        f"{verdict(r[client]['met'])}",
                        highlight=False,
                    )
        if "post_scaling_32" in store:
            r = store["post_scaling_32"]
            for client in ("raw", "httpx"):
                if client in r:
                    console.print(
                        f"  POST /events throughput, concurrency 32 / concurrency 1, {names[client]}: "
                        f"{r[client]['ratio']:.2f}x (in process {r['in_process']:.2f}x) "
                        f"(target >= {TARGETS['post_scaling_32']:g}x) {verdict(r[client]['met'])}",
                        highlight=False,
                    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:  # the server process: `python -m bench.http serve URL PORT`
        serve(argv[1], int(argv[2]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 cases, 200 requests per level")
    parser.add_argument("--cases", type=int, help="sample cases seeded (default 1,000)")
    parser.add_argument("--requests", type=int, help="requests per level and kind (default 1,000)")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="concurrency levels (default 1,8,32,64)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HABEAS_BENCH_POSTGRES_URL") or os.environ.get("HABEAS_TEST_POSTGRES_URL"),
        help="a PostgreSQL server URL (a role that may CREATE DATABASE); default $HABEAS_BENCH_POSTGRES_URL"
        " or $HABEAS_TEST_POSTGRES_URL; none: SQLite only",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--client",
        choices=("both", "raw", "httpx"),
        default="both",
        help="load generator: the lean client (judged), httpx, or both (default)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (databases, server logs)")
    args = parser.parse_args(argv)
    clients = ("raw", "httpx") if args.client == "both" else (args.client,)
    levels = tuple(int(x) for x in args.levels.split(","))
    results = run(
        args.postgres, args.quick, args.cases, args.requests, levels, args.seed, not args.no_sqlite, args.keep, clients
    )
    show(results)
    console.print(f"results written to {OUT / 'http.json'}", highlight=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
