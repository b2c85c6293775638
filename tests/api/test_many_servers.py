"""Many API processes, one chain (issue 22, item 1): two `habeas serve` processes on one
PostgreSQL database, 16 clients posting to both, one server killed with SIGKILL mid-load.

Why it holds (docs/architecture.md, "Many processes, one chain"): every append takes the
transaction-scoped advisory lock before it reads the chain head, so two processes' groups
are serialised by the database; a process killed mid-transaction leaves an open transaction
that the server rolls back when its connection drops, releasing the lock with it. An event is
acknowledged (201) only after its commit, so every acknowledged event is stored, and the
chain has one order whichever process appended.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from habeas.clock import FixedClock
from habeas.db.engine import make_engine
from habeas.services import maintenance, setup, users
from habeas.services.register import Register
from tests.api.conftest import DETENTION_CASE, seed_lines
from tests.api.test_serve import free_port
from tests.conftest import NOW, POSTGRES_URL, REGISTRAR, _drop_postgres_database, _postgres_database
from tests.conftest import event as raw_event

CLIENTS = 16
PER_CLIENT = 25


def _start(url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "habeas", "serve", "--port", str(port)],
        env={**os.environ, "HABEAS_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/api/v1/ledger/head", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise AssertionError(f"the server did not start: {server.stderr.read()}")
        time.sleep(0.2)
    raise AssertionError("the server did not answer")


@pytest.fixture
def pg_url():
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("HABEAS_TEST_POSTGRES_URL is not set: run the suite with `make test`")
        pytest.skip("no PostgreSQL server given")
    url = _postgres_database()
    yield url
    _drop_postgres_database(url)


def test_two_servers_on_one_database_keep_one_chain_when_one_is_killed_mid_load(pg_url, law, monkeypatch):
    clock = FixedClock(NOW)
    with setup.open_database(pg_url) as engine:
        setup.prepare(engine)
        assert Register(engine, law, clock).import_lines(seed_lines(), REGISTRAR).ok
        monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        token = users.add(
            engine, law, users.operator("op"), NOW, "inv-1", "investigator", agency="police-almaty-bostandyk"
        ).token
    first, first_base = _start(pg_url)
    second, second_base = _start(pg_url)
    try:
        signed = httpx.post(f"{first_base}/api/v1/sessions", json={"login": "inv-1", "token": token}, timeout=30)
        assert signed.status_code == 201, signed.text
        headers = {"Authorization": f"Bearer {signed.json()['token']}"}
        acknowledged: list[str] = []
        failed_on_killed = 0
        lock = threading.Lock()
        killed = threading.Event()

        def client(n: int) -> None:
            nonlocal failed_on_killed
            with httpx.Client(timeout=60) as http:
                for k in range(PER_CLIENT):
                    base = (first_base, second_base)[(n + k) % 2]
                    raw = raw_event(
                        "party.added",
                        {"person": f"W{n}-{k}", "role": "witness", "name": "W"},
                        case=DETENTION_CASE,
                        at="2024-03-01T11:00:00+05:00",
                        actor="inv-1",
                        id=f"load-{n}-{k}",
                    )
                    try:
                        answer = http.post(f"{base}/api/v1/events", json=raw, headers=headers)
                    except httpx.TransportError:
                        assert killed.is_set() and base == second_base  # only the killed one fails
                        with lock:
                            failed_on_killed += 1
                        continue
                    assert answer.status_code == 201, answer.text
                    with lock:
                        acknowledged.append(raw["id"])
                        if len(acknowledged) == CLIENTS * PER_CLIENT // 3 and not killed.is_set():
                            killed.set()
                            second.send_signal(signal.SIGKILL)

        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(client, range(CLIENTS)))
        assert killed.is_set() and failed_on_killed > 0
        assert len(acknowledged) + failed_on_killed == CLIENTS * PER_CLIENT
        # the survivor still appends after the kill
        after = raw_event(
            "party.added", {"person": "W-after", "role": "witness", "name": "W"}, case=DETENTION_CASE, actor="inv-1"
        )
        assert httpx.post(f"{first_base}/api/v1/events", json=after, headers=headers, timeout=60).status_code == 201
    finally:
        for server in (first, second):
            if server.poll() is None:
                server.terminate()
                server.wait(20)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            stored = set(conn.execute(text("SELECT event_id FROM events WHERE event_id LIKE 'load-%'")).scalars())
            positions = conn.execute(text("SELECT min(position), max(position), count(*) FROM events")).one()
        assert set(acknowledged) <= stored  # every acknowledged event is in the log
        assert positions[0] == 1 and positions[1] == positions[2]  # one gapless order
        assert maintenance.verify(engine).intact
    finally:
        engine.dispose()
