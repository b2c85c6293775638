"""Faults of one machine never break the log (issue 22, item 2), as an operator meets them.

A full disk — the database's, or the temporary space SQLite and the import spill into — at
any stage of an import; a writer's lock held past the timeout; an import killed with its
judging workers; a read-only database; a full disk under a read. Each one: a clear message
or a 503, nothing stored, `verify` intact, and the next import works once the fault is gone.

The tests that need a small file system mount a tmpfs, which needs root (as CI runs); they
are skipped elsewhere. The SQLite database-full test needs nothing: SQLite's
`max_page_count` makes a database that is full at a chosen size.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text

from habeas.db.engine import APPEND_LOCK_KEY, make_engine
from habeas.services import maintenance, setup
from habeas.services.register import Register, StorageFailed
from habeas.simulator import generate
from tests.api.conftest import Api, detention_case, make_api
from tests.conftest import POSTGRES_URL, REGISTRAR
from tests.conftest import event as raw_event

HABEAS = [sys.executable, "-m", "habeas"]


def caseload(events: int, seed: int = 11) -> list[str]:
    return [json.dumps(raw) for raw in generate(events=events, seed=seed)]


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events")).scalar_one()


def intact(engine) -> bool:
    return maintenance.verify(engine).intact


def _cli(*args: str, db: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*HABEAS, "--db", db, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@contextmanager
def small_file_system(where: Path, size: str):
    """A tmpfs of `size` mounted at `where` (root only: skips the test otherwise)."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path, leave_bytes: int) -> Path:
    """Fill the file system of `folder` until `leave_bytes` are free; returns the filler."""
    filler = folder / "filler"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with filler.open("wb") as handle:
        remaining = max(0, free - leave_bytes)
        block = b"\0" * (1 << 20)
        while remaining > 0:
            try:
                handle.write(block[: min(len(block), remaining)])
                handle.flush()
            except OSError:
                break
            remaining -= len(block)
    return filler


# -- a full database, at every stage of an import -----------------------------------------


def _pages(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    engine.dispose()
    return pages


def _capped(url: str, pages: int):
    """An engine on `url` whose database is full at `pages` pages (SQLite's max_page_count)."""
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    return engine


@pytest.mark.parametrize("before", [0, 800], ids=["empty-log", "log-with-cases"])
def test_a_full_database_at_any_stage_of_an_import_stores_nothing_and_keeps_the_chain(tmp_path, law, clock, before):
    """The database fills up at ten points of an import (events, projections, their indexes,
    the commit): each time the import fails naming the full disk, stores nothing, and the log
    verifies; with room again the same file imports whole."""
    url = f"sqlite:///{tmp_path / 'full.db'}"
    with setup.open_database(url) as engine:
        setup.prepare(engine)
        if before:
            assert Register(engine, law, clock).import_lines(caseload(before, seed=5), REGISTRAR).ok
    file = caseload(2500)
    base = _pages(url)
    probe = tmp_path / "probe.db"
    (tmp_path / "probe.db").write_bytes((tmp_path / "full.db").read_bytes())
    with setup.open_database(f"sqlite:///{probe}") as engine:
        assert Register(engine, law, clock, judging_processes=0).import_lines(file, REGISTRAR).ok
    needed = _pages(f"sqlite:///{probe}") - base
    assert needed > 20
    stored_before = None
    for share in (0.02, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.97, 0.995):
        engine = _capped(url, base + max(1, int(needed * share)))
        stored_before = count(engine) if stored_before is None else stored_before
        with pytest.raises(StorageFailed) as failed:
            Register(engine, law, clock, judging_processes=0).import_lines(file, REGISTRAR)
        assert failed.value.reason == "full", (share, str(failed.value))
        assert "full" in str(failed.value)
        assert count(engine) == stored_before, share
        assert intact(engine), share
        engine.dispose()
    engine = make_engine(url)
    report = Register(engine, law, clock).import_lines(file, REGISTRAR)
    assert report.ok and report.stored == len(file)
    assert count(engine) == stored_before + len(file)
    assert intact(engine)
    engine.dispose()


def test_full_temporary_space_during_an_import_stores_nothing(tmp_path):
    """TMPDIR on a 1 MB file system: SQLite's statement journal and the import's spilled rows
    have no room. Before, SQLite rolled the transaction back on its own and the search for
    the refused row committed 2,000 rows one by one: `verify` broke, while the import said
    nothing was stored."""
    url = f"sqlite:///{tmp_path / 'h.db'}"
    assert _cli("init", db=url).returncode == 0
    file = tmp_path / "caseload.jsonl"
    file.write_text("\n".join(caseload(30_000)) + "\n", encoding="utf-8")
    with small_file_system(tmp_path / "tmp", "1m") as tiny:
        done = _cli("import", str(file), db=url, env={"TMPDIR": str(tiny), "SQLITE_TMPDIR": str(tiny)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "full" in done.stderr and "nothing was stored" in done.stderr
    engine = make_engine(url)
    assert count(engine) == 0 and intact(engine)
    engine.dispose()
    again = _cli("import", str(file), db=url)
    assert again.returncode == 0, again.stderr
    verified = _cli("verify", db=url)
    assert verified.returncode == 0 and "intact: 30000 events" in verified.stdout


def test_a_database_on_a_full_disk_stores_nothing_and_imports_once_there_is_room(tmp_path):
    """The SQLite file itself on a small file system, filled up to a few pages of room at
    several points: the import fails naming the full disk, and `verify` stays intact."""
    with small_file_system(tmp_path / "disk", "64m") as disk:
        url = f"sqlite:///{disk / 'h.db'}"
        assert _cli("init", db=url).returncode == 0
        file = tmp_path / "caseload.jsonl"
        file.write_text("\n".join(caseload(6000)) + "\n", encoding="utf-8")
        for room in (64 << 10, 512 << 10, 2 << 20):
            filler = fill(disk, room)
            done = _cli("import", str(file), db=url)
            assert done.returncode == 1, (room, done.stdout, done.stderr)
            assert "Traceback" not in done.stderr and "full" in done.stderr
            filler.unlink()
            verified = _cli("verify", db=url)
            assert verified.returncode == 0 and "intact: 0 events" in verified.stdout, verified.stdout
        done = _cli("import", str(file), db=url)
        assert done.returncode == 0, done.stderr
        assert "intact: 6000 events" in _cli("verify", db=url).stdout


def _as_postgres(sql: str) -> subprocess.CompletedProcess:
    port = POSTGRES_URL.rsplit(":", 1)[1].split("/")[0]
    return subprocess.run(
        ["su", "postgres", "-s", "/bin/sh", "-c", f'psql -p {port} -v ON_ERROR_STOP=1 -qc "{sql}"'],
        capture_output=True,
        text=True,
    )


def test_a_full_tablespace_on_postgresql_stores_nothing(tmp_path):
    """PostgreSQL's files on a small file system (a tablespace on a tmpfs), filled up at
    several points of an import: the server refuses (disk_full), the import names the full
    disk, stores nothing, and `verify` stays intact."""
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server given")
    # outside tmp_path, whose parents only root may enter: the server runs as `postgres`
    with small_file_system(Path(f"/tmp/habeas-tablespace-{os.getpid()}"), "96m") as space:
        subprocess.run(["chown", "postgres:postgres", str(space)], check=True)
        name = f"tiny_{os.getpid()}_{int(time.time() * 1000) % 100000}"
        made = _as_postgres(f"CREATE TABLESPACE {name} LOCATION '{space}'")
        if made.returncode == 0:
            made = _as_postgres(f"GRANT CREATE ON TABLESPACE {name} TO habeas_test")
        if made.returncode != 0:
            pytest.skip(f"cannot make a tablespace: {made.stderr.strip()}")
        database = f"habeas_full_{name}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{database}" TABLESPACE {name}'))
            url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + database
            assert _cli("init", db=url).returncode == 0
            file = tmp_path / "caseload.jsonl"
            file.write_text("\n".join(caseload(6000)) + "\n", encoding="utf-8")
            for room in (256 << 10, 1 << 20, 3 << 20):
                filler = fill(space, room)
                log = tmp_path / f"import-{room}.log"  # the details the CLI withholds, for a failure's message
                done = _cli("import", str(file), db=url, env={"HABEAS_LOG_FILE": str(log)})
                filler.unlink()
                logged = log.read_text(encoding="utf-8") if log.exists() else ""
                assert done.returncode == 1, (room, done.stdout, done.stderr)
                assert "Traceback" not in done.stderr and "full" in done.stderr, (done.stderr, logged[-3000:])
                verified = _cli("verify", db=url)
                assert verified.returncode == 0 and "intact: 0 events" in verified.stdout, verified.stdout
            assert _cli("import", str(file), db=url).returncode == 0
            assert "intact: 6000 events" in _cli("verify", db=url).stdout
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
            _as_postgres(f"DROP TABLESPACE IF EXISTS {name}")


# -- a writer's lock held past the timeout -------------------------------------------------


@contextmanager
def lock_held(url: str):
    """Another writer holding the append lock: SQLite's write lock, PostgreSQL's advisory lock."""
    engine = make_engine(url)
    conn = engine.connect()
    driver = conn.connection.driver_connection
    if url.startswith("sqlite"):
        driver.execute("BEGIN IMMEDIATE")
    else:
        driver.execute("SELECT pg_advisory_lock(%s)", (APPEND_LOCK_KEY,))
    try:
        yield
    finally:
        if url.startswith("sqlite"):
            driver.execute("ROLLBACK")
        else:
            driver.execute("SELECT pg_advisory_unlock(%s)", (APPEND_LOCK_KEY,))
            driver.commit()
        conn.close()
        engine.dispose()


def test_an_import_waiting_past_the_lock_timeout_gives_up_clearly_and_stores_nothing(db_url, tmp_path):
    file = tmp_path / "case.jsonl"
    file.write_text("\n".join(json.dumps(e) for e in detention_case()) + "\n", encoding="utf-8")
    with lock_held(db_url):
        started = time.monotonic()
        done = _cli("import", str(file), db=db_url, env={"HABEAS_LOCK_TIMEOUT": "1"})
        waited = time.monotonic() - started
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "lock" in done.stderr and "HABEAS_LOCK_TIMEOUT" in done.stderr
    assert waited < 60  # it gave up: without a timeout PostgreSQL waited for ever
    engine = make_engine(db_url)
    assert count(engine) == 0 and intact(engine)
    engine.dispose()
    assert _cli("import", str(file), db=db_url).returncode == 0


def test_a_lock_timeout_that_is_not_a_number_is_refused(sqlite_url, tmp_path):
    done = _cli("verify", db=sqlite_url, env={"HABEAS_LOCK_TIMEOUT": "soon"})
    assert done.returncode != 0
    assert "HABEAS_LOCK_TIMEOUT" in done.stderr and "Traceback" not in done.stderr


def test_the_api_answers_503_when_the_lock_is_held_past_the_timeout(db_url, law, tmp_path, monkeypatch):
    monkeypatch.setenv("HABEAS_LOCK_TIMEOUT", "1")
    app, clock = make_api(db_url, law, tmp_path)
    with TestClient(app) as client:
        api = Api(client, clock, db_url, law)
        headers = api.sign_in("inv-1")
        new = raw_event(
            "party.added",
            {"person": "P2", "role": "witness", "name": "W"},
            actor="inv-1",
            at="2024-03-01T11:00:00+05:00",
        )
        head = api.client.get("/api/v1/ledger/head").json()["events"]["position"]
        with lock_held(db_url):
            answer = client.post("/api/v1/events", json=new, headers=headers)
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "unavailable"
        assert "lock" in answer.json()["error"]["message"]
        assert answer.headers["retry-after"]
        assert api.client.get("/api/v1/ledger/head").json()["events"]["position"] == head
        assert client.post("/api/v1/events", json=new, headers=headers).status_code == 201


# -- a killed import leaves no process behind ----------------------------------------------

_POOL_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from habeas.jurisdictions import load
    from habeas.projections import registry
    law = load("kz")
    pool = registry.judging_pool(law, registry.ALL, 2, {})
    [pool.submit(os.getpid).result() for _ in range(4)]
    print(" ".join(str(p) for p in sorted(set(pool._processes))), flush=True)
    time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_judging_workers_die_with_a_killed_import(tmp_path):
    """kill -9 of the importing process: its judging workers (each holding the inherited
    rows, ~200 MB in a large import) end too, instead of waiting for work for ever."""
    script = tmp_path / "pool.py"
    script.write_text(_POOL_SCRIPT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(p) for p in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        assert not [p for p in workers if _alive(p)], "judging workers outlived the killed import"
    finally:
        if parent.poll() is None:
            parent.kill()


# -- reads and sign-in on a read-only or full database: 503, never 500 ---------------------


def test_sign_in_on_a_read_only_postgresql_database_is_503(law, tmp_path):
    """A database that refuses writes (as a standby does): signing in opens a session, a
    write, and gets 503 with the reason, not 500."""
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server given")
    from tests.conftest import _drop_postgres_database, _postgres_database

    url = _postgres_database()
    try:
        app, clock = make_api(url, law, tmp_path)
        with TestClient(app, raise_server_exceptions=False) as client:
            api = Api(client, clock, url, law)
            token = api.add_user("inv-1")
            name = url.rsplit("/", 1)[1]
            admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
            admin.dispose()
            api.engine.dispose()  # new connections take the setting
            answer = client.post("/api/v1/sessions", json={"login": "inv-1", "token": token})
            assert answer.status_code == 503, answer.text
            assert "read-only" in answer.json()["error"]["message"]
    finally:
        _drop_postgres_database(url)


def test_reading_a_case_on_a_full_disk_is_503_and_stores_no_half_record(law, tmp_path):
    """Every read of personal data is logged, so a read writes: on a full disk the case file
    is not shown (no read without its record) and the answer is 503, not 500."""
    with small_file_system(tmp_path / "disk", "32m") as disk:
        url = f"sqlite:///{disk / 'h.db'}"
        app, clock = make_api(url, law, tmp_path)
        with TestClient(app, raise_server_exceptions=False) as client:
            api = Api(client, clock, url, law)
            headers = api.sign_in("admin")
            assert client.get("/api/v1/cases/KZ-2024-000777", headers=headers).status_code == 200
            filler = fill(disk, 0)
            answers = [client.get("/api/v1/cases/KZ-2024-000777", headers=headers) for _ in range(40)]
            statuses = {a.status_code for a in answers}
            filler.unlink()
            assert 500 not in statuses and 503 in statuses, statuses
            refused = next(a for a in answers if a.status_code == 503)
            assert "full" in refused.json()["error"]["message"]
            assert "P1" not in refused.text
        engine = make_engine(url)
        assert intact(engine)
        engine.dispose()
