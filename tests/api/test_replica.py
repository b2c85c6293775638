"""Reads from a PostgreSQL streaming replica (issue 22, item 3), driven over HTTP.

The suite is given a real primary and its standby (`scripts/replica-for-tests.sh`:
pg_basebackup, standby.signal, other ports) as HABEAS_TEST_REPLICATED_URL and
HABEAS_TEST_REPLICA_URL; a test's database has the same name on both. What may lag (the
public statistics, the case list, the rows of the alerts) is read from the replica; a user's
own writes stay visible to that user: their session keeps the primary's WAL position after
their write, and their next list waits for the replica to replay it, or is read from the
primary.

The proof that reads go to the replica: its replay is paused (`pg_wal_replay_pause`), and
then an official who wrote nothing still sees the register as it was, while the official who
wrote sees their case at once, in the API and in the web UI. The statistics of a closed year
are released once, on the primary, and read from the replica once it holds them.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy import event as sql_event
from sqlalchemy.engine import Engine

import tests.conftest
from habeas.api import Settings, create_app
from habeas.clock import FixedClock
from habeas.services import setup
from habeas.services import statistics as stats
from habeas.services.register import Register
from tests.api.conftest import DETENTION_CASE, PRE, Api, detention_case, seed_lines
from tests.conftest import NOW, REGISTRAR, _drop_postgres_database, _postgres_database, event

REPLICATED_URL = os.environ.get("HABEAS_TEST_REPLICATED_URL")  # the primary of the pair
REPLICA_URL = os.environ.get("HABEAS_TEST_REPLICA_URL")
EVENTS = "/api/v1/events"
STATISTICS = "/api/v1/statistics?years=2024&sections=detention"
NEW_CASE = "KZ-2024-000902"


def on_replica(url: str) -> str:
    """The same database on the replica server."""
    return REPLICA_URL.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1]


def caught_up(primary, replica, within: float = 180.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far (on a
    busy machine that may be a while: each test's CREATE DATABASE is replayed there too)."""
    with primary.connect() as conn:
        position = conn.execute(text("SELECT CAST(pg_current_wal_lsn() AS TEXT)")).scalar_one()
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with replica.connect() as conn:
                if conn.execute(
                    text("SELECT pg_last_wal_replay_lsn() >= CAST(:p AS pg_lsn)"), {"p": position}
                ).scalar():
                    return
        except Exception:  # the database not yet created there
            pass
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


@pytest.fixture
def replicated(law, tmp_path, monkeypatch):
    """The app on a fresh PostgreSQL database with reads from its replica, seeded with the
    two cases of tests/api/conftest.py; the primary and replica engines beside it."""
    if not (REPLICATED_URL and REPLICA_URL):
        if os.environ.get("CI"):
            pytest.fail("HABEAS_TEST_REPLICA_URL is not set: run the suite with `make test`")
        pytest.skip("no PostgreSQL replica given (HABEAS_TEST_REPLICA_URL); `make test` starts one")
    monkeypatch.setattr(tests.conftest, "POSTGRES_URL", REPLICATED_URL)  # the test's database on the pair
    monkeypatch.setenv("HABEAS_STATISTICS_MIN_COUNT", "1")  # a small register's counts shown
    # one such test at a time, across pytest's workers: pausing replay pauses the whole server
    held = open(os.path.join(tempfile.gettempdir(), "habeas-test-replica.lock"), "w")  # noqa: SIM115
    fcntl.flock(held, fcntl.LOCK_EX)
    url = _postgres_database()
    clock = FixedClock(NOW)
    with setup.open_database(url) as engine:
        setup.prepare(engine)
        assert Register(engine, law, clock).import_lines(seed_lines(), REGISTRAR).ok
    primary, replica = create_engine(url), create_engine(on_replica(url))
    caught_up(primary, replica)
    settings = Settings(
        database_url=url, read_database_url=on_replica(url), clock=clock, signing_key=tmp_path / "k", web=True
    )
    try:
        with TestClient(create_app(settings)) as client:
            yield Api(client, clock, url, law), primary, replica
    finally:
        with replica.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))
        primary.dispose()
        replica.dispose()
        _drop_postgres_database(url)
        held.close()


def cookie(headers: dict[str, str]) -> dict[str, str]:
    """The web UI's cookie for the session of these bearer headers."""
    return {"Cookie": f"habeas_session={headers['Authorization'].removeprefix('Bearer ')}"}


def releases(engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT year FROM stat_releases")).scalars())


def test_a_paused_replica_lags_for_others_never_for_the_one_who_wrote(replicated):
    api, primary, replica = replicated
    recorder, other = api.sign_in("inv-1"), api.sign_in("admin")
    caught_up(primary, replica)
    with replica.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))

    for raw in detention_case(NEW_CASE, "2024-05-01T10:00:00+05:00"):  # a second detention in 2024
        assert api.client.post(EVENTS, json=raw, headers=recorder).status_code == 201

    # the one who wrote sees it at once: the case list and the alerts (answered by the primary)
    mine = [r["case"] for r in api.client.get("/api/v1/cases?limit=500", headers=recorder).json()["items"]]
    assert NEW_CASE in mine
    alerts = api.client.get("/api/v1/alerts?limit=500", headers=recorder).json()["items"]
    assert NEW_CASE in {a["case"] for a in alerts}
    page = api.client.get("/cases", headers=cookie(recorder))
    assert page.status_code == 200 and NEW_CASE in page.text

    # an official who wrote nothing, and the public, read the replica: as it was before
    theirs = [r["case"] for r in api.client.get("/api/v1/cases?limit=500", headers=other).json()["items"]]
    assert NEW_CASE not in theirs and theirs
    board = api.client.get("/api/v1/alerts?limit=500", headers=other).json()
    assert NEW_CASE not in {a["case"] for a in board["items"]} and board["items"]
    page = api.client.get("/cases", headers=cookie(other))
    assert page.status_code == 200 and NEW_CASE not in page.text

    # replay resumed: everyone sees it
    with replica.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_resume()"))
    caught_up(primary, replica)
    theirs = [r["case"] for r in api.client.get("/api/v1/cases?limit=500", headers=other).json()["items"]]
    assert NEW_CASE in theirs


def test_a_year_is_released_on_the_primary_while_the_replica_lags_and_read_there_after(replicated):
    api, primary, replica = replicated
    with replica.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
    for raw in detention_case(NEW_CASE, "2024-05-01T10:00:00+05:00"):  # a second detention in 2024
        assert api.client.post(EVENTS, json=raw, headers=api.sign_in("inv-1")).status_code == 201

    first = api.client.get(STATISTICS)
    assert first.status_code == 200  # not refused: a replica takes no writes, the primary released the year
    assert releases(primary) == {2024} and releases(replica) == set()
    fresh = stats.report(api.engine, stats.ReportSpec.parse("years=2024&sections=detention"), NOW, load=lambda: api.law)
    assert first.json() == json.loads(json.dumps(fresh.to_dict(), default=str))  # the new detention counted
    assert api.client.get("/statistics?years=2024").status_code == 200  # the web page too

    with replica.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_resume()"))
    caught_up(primary, replica)
    assert releases(replica) == {2024}
    assert api.client.get(STATISTICS).json() == first.json()  # read there now: the same release


def test_a_write_through_a_web_form_is_remembered_in_its_cookie_session(replicated):
    """The web UI's writes are the writer's to see at once too: the form's request was signed
    in by the cookie, and that session keeps the primary's position."""
    api, primary, replica = replicated
    writer, other = api.sign_in("inv-1"), api.sign_in("admin")
    party = {"person": "P2", "role": "suspect", "name": "C D", "birth_date": "1991-01-01"}
    Register(api.engine, api.law, api.clock).submit(event("party.added", party, at=PRE, id="P2-added"))  # no session
    caught_up(primary, replica)
    with replica.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))

    web = cookie(writer)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', api.client.get("/record/person.detained", headers=web).text)
    form = {
        "csrf": csrf.group(1),
        "case": DETENTION_CASE,
        "occurred_at": (NOW - timedelta(hours=1)).isoformat(),
        "data.person": "P2",
        "data.place": "Almaty police",
        "data.grounds": ["criminal_group"],
    }
    answer = api.client.post("/record/person.detained", data=form, headers=web, follow_redirects=False)
    assert answer.status_code == 303, answer.text

    with primary.connect() as conn:
        kept = dict(conn.execute(text("SELECT login, read_after FROM sessions")).all())
    assert kept["inv-1"] and kept["admin"] is None  # the writer's session only

    # the same session through the API: the writer's alerts show P2's detention at once
    def about_p2(headers) -> set[str]:
        items = api.client.get("/api/v1/alerts?limit=500", headers=headers).json()["items"]
        return {a["code"] for a in items if a["person"] == "P2"}

    assert about_p2(writer) and not about_p2(other)  # the other reads the paused replica


def test_a_user_reads_each_write_at_once_from_a_live_replica(replicated):
    api, primary, replica = replicated
    headers = api.sign_in("inv-1")
    for n in range(10):
        case = f"KZ-2024-0010{n:02d}"
        opened = detention_case(case)[:2]
        for raw in opened:
            assert api.client.post(EVENTS, json=raw, headers=headers).status_code == 201
        listed = api.client.get("/api/v1/cases?limit=500&region=almaty-city", headers=headers).json()["items"]
        assert case in {r["case"] for r in listed}, n
    # reads that decide access and write a read record stay on the primary: the case file
    answer = api.client.get(f"/api/v1/cases/{case}?purpose=check", headers=headers)
    assert answer.status_code == 200
    with primary.connect() as conn:
        recorded = conn.execute(
            text('SELECT what, purpose FROM reads WHERE "case" = :c ORDER BY id'), {"c": case}
        ).all()
    assert [tuple(r) for r in recorded] == [("case_list", "case list"), ("case_file", "check")]


def test_the_replica_is_asked_for_lists_and_statistics(replicated):
    """Counted on the replica: every statement the app sends to the replica's server. (Its
    pg_stat_database is no count: PostgreSQL 15 flushes a backend's counters only every
    second, or ten seconds after it goes idle.)"""
    api, _, replica = replicated
    headers = api.sign_in("admin")
    port = replica.url.port
    asked: list[str] = []

    def on_the_replica(conn, cursor, statement, *_):
        if conn.engine.url.port == port and conn.engine is not replica:
            asked.append(statement)

    sql_event.listen(Engine, "before_cursor_execute", on_the_replica)
    try:
        for n in range(5):
            before = len(asked)
            assert api.client.get(STATISTICS).status_code == 200
            assert len(asked) > before, n  # the public statistics
            before = len(asked)
            assert api.client.get("/api/v1/cases", headers=headers).status_code == 200
            assert len(asked) > before, n  # the case list's rows
            before = len(asked)
            assert api.client.get("/statistics?years=2024").status_code == 200
            assert len(asked) > before, n  # the statistics page
    finally:
        sql_event.remove(Engine, "before_cursor_execute", on_the_replica)


def test_the_cli_reads_lists_and_statistics_from_the_replica_it_is_given(replicated):
    api, primary, replica = replicated
    with replica.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
    for raw in detention_case(NEW_CASE, "2024-05-01T10:00:00+05:00"):
        assert api.client.post(EVENTS, json=raw, headers=api.sign_in("inv-1")).status_code == 201

    def habeas(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "habeas", *args, "--db", api.url], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    listed = {r["case"] for r in json.loads(habeas("case", "list", "--json", "--read-db", on_replica(api.url)))}
    assert NEW_CASE not in listed and listed  # the paused replica
    assert NEW_CASE in {r["case"] for r in json.loads(habeas("case", "list", "--json"))}  # the primary
    report = ("report", "--years", "2024", "--section", "detention", "--format", "json")
    released = json.loads(habeas(*report, "--read-db", on_replica(api.url)))
    assert releases(primary) == {2024} and releases(replica) == set()  # released where writes go
    assert {**released, "as_of": None} == {**json.loads(habeas(*report)), "as_of": None}
