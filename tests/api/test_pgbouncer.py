"""The register through PgBouncer in transaction mode (issue 22, item 3), as an operator runs it.

`scripts/pgbouncer-for-tests.sh` starts Debian's PgBouncer before the test server, pooling in
transaction mode, and gives its URL (`?pgbouncer=transaction`) as HABEAS_TEST_PGBOUNCER_URL.
Every transaction may then run on another server connection: the append's advisory lock is
transaction-scoped, the import's COPY runs inside its transaction, the lock timeout is set
per transaction, and psycopg prepares nothing (`db.engine._pgbouncer_engine`). Driven here:
`habeas init` and `import` (COPY) through it, a `habeas serve` on it taking 8 clients' appends
at once and a batch, reads of every kind, and `verify` of one intact, gapless chain.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from habeas.db.engine import make_engine
from habeas.services import maintenance, setup, users
from tests.api.conftest import DETENTION_CASE, detention_case
from tests.api.test_many_servers import _start
from tests.conftest import NOW, ONE_CASE, POSTGRES_URL, _drop_postgres_database, _postgres_database
from tests.conftest import event as raw_event

PGBOUNCER_URL = os.environ.get("HABEAS_TEST_PGBOUNCER_URL")
CLIENTS, PER_CLIENT = 8, 15


@pytest.fixture
def bounced():
    """A fresh database, and its URL through PgBouncer."""
    if not (POSTGRES_URL and PGBOUNCER_URL):
        if os.environ.get("CI"):
            pytest.fail("HABEAS_TEST_PGBOUNCER_URL is not set: run the suite with `make test`")
        pytest.skip("no PgBouncer given (HABEAS_TEST_PGBOUNCER_URL); `make test` starts one")
    url = _postgres_database()
    base, query = PGBOUNCER_URL.split("?", 1)
    yield base.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "?" + query
    _drop_postgres_database(url)


def habeas(*args: str, url: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "habeas", *args, "--db", url],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_register_works_through_pgbouncer_in_transaction_mode(bounced, law, tmp_path, monkeypatch):
    key = str(tmp_path / "signing.key")
    assert habeas("init", url=bounced, HABEAS_SIGNING_KEY=key).returncode == 0
    imported = habeas("import", str(ONE_CASE), "--as", "registrar:reg-1@ministry-records", url=bounced)
    assert imported.returncode == 0 and "stored 19" in imported.stdout, imported.stderr
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with setup.open_database(bounced) as engine:
        tokens = {
            name: users.add(engine, law, users.operator("op"), NOW, name, role, agency=agency).token
            for name, role, agency in (
                ("inv-1", "investigator", "police-almaty-bostandyk"),
                ("registrar", "registrar", "ministry-records"),
                ("admin", "admin", "local"),
            )
        }
    server, base = _start(bounced)
    try:
        with httpx.Client(base_url=base, timeout=60) as http:

            def signed(name: str) -> dict:
                answer = http.post("/api/v1/sessions", json={"login": name, "token": tokens[name]})
                assert answer.status_code == 201, answer.text
                return {"Authorization": f"Bearer {answer.json()['token']}"}

            registrar, investigator, admin = signed("registrar"), signed("inv-1"), signed("admin")
            batch = "\n".join(json.dumps(e) for e in detention_case()) + "\n"
            answer = http.post("/api/v1/events:batch", content=batch, headers=registrar)
            assert answer.status_code in (200, 201), answer.text

            def client(n: int) -> list[int]:
                with httpx.Client(base_url=base, timeout=60) as own:
                    return [
                        own.post(
                            "/api/v1/events",
                            json=raw_event(
                                "party.added",
                                {"person": f"W{n}-{k}", "role": "witness", "name": "W"},
                                case=DETENTION_CASE,
                                at="2024-03-01T11:00:00+05:00",
                                id=f"bounce-{n}-{k}",
                            ),
                            headers=investigator,
                        ).status_code
                        for k in range(PER_CLIENT)
                    ]

            with ThreadPoolExecutor(CLIENTS) as pool:
                statuses = [s for answers in pool.map(client, range(CLIENTS)) for s in answers]
            assert statuses == [201] * CLIENTS * PER_CLIENT

            file = http.get(f"/api/v1/cases/{DETENTION_CASE}?purpose=check", headers=investigator)
            assert file.status_code == 200
            assert len(file.json()["events"]) == 4 + CLIENTS * PER_CLIENT
            for _ in range(8):  # past psycopg's threshold for preparing a statement (5)
                assert http.get("/api/v1/alerts", headers=admin).status_code == 200
                assert http.get("/api/v1/cases", headers=admin).status_code == 200
                assert http.get("/api/v1/statistics?years=2024").status_code == 200
            assert http.get(f"/api/v1/cases/{DETENTION_CASE}/reads", headers=admin).status_code == 200
    finally:
        server.terminate()
        server.wait(20)
    with setup.open_database(bounced) as engine:
        verified = maintenance.verify(engine)
        with engine.connect() as conn:
            low, high, count = conn.execute(text("SELECT min(position), max(position), count(*) FROM events")).one()
    assert verified.intact and verified.count == 19 + 4 + CLIENTS * PER_CLIENT
    assert (low, high) == (1, count)  # one gapless order


def test_a_pgbouncer_url_names_its_mode(bounced):
    with pytest.raises(setup.DatabaseUrlError, match="pgbouncer=transaction"):
        make_engine(bounced.replace("pgbouncer=transaction", "pgbouncer=session"))


def test_no_statement_is_prepared_through_pgbouncer(bounced):
    """psycopg prepares a statement run five times on a connection; through PgBouncer in
    transaction mode the next transaction may run on another server connection, which has
    no such statement. habeas's engine for such a URL prepares none.

    Made to happen, not left to chance: PgBouncer hands out the server connection used last,
    so one client's transactions all run on one server connection until another client holds
    it in an open transaction; the first client's next transaction then runs on another."""
    query = text("SELECT count(*) FROM pg_class WHERE relpages > :n")

    def moved(first, second) -> None:
        try:
            with first.connect() as conn:
                for n in range(8):  # prepared on the server connection that ran them
                    with conn.begin():
                        conn.execute(query, {"n": n}).scalar()
                with second.connect() as other, other.begin():
                    other.execute(text("SELECT 1")).scalar()  # holds that server connection
                    with conn.begin():  # so this transaction runs on another one
                        conn.execute(query, {"n": 9}).scalar()
        finally:
            first.dispose()
            second.dispose()

    plain = bounced.replace("?pgbouncer=transaction", "")
    with pytest.raises(ProgrammingError, match="prepared statement"):
        moved(create_engine(plain), create_engine(plain))
    moved(make_engine(bounced), make_engine(bounced))
