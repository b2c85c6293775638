"""Shared fixtures: a fresh database on SQLite and, where the suite is given one, PostgreSQL."""

from __future__ import annotations

import json
import os
import time
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from habeas.access.facts import Principal
from habeas.clock import FixedClock
from habeas.db.engine import make_engine, migrate
from habeas.domain.events import Actor
from habeas.jurisdictions import load
from habeas.services.register import Register

ONE_CASE = Path(__file__).with_name("data") / "one-case.jsonl"
POSTGRES_URL = os.environ.get("HABEAS_TEST_POSTGRES_URL")
REGISTRAR = Actor("reg-1", "registrar", "ministry-records")
OPERATOR = Principal("operator", "admin", "local")  # the local operator (services.users.operator)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # when tests read (the clock fixture's start)


def _postgres_database() -> str:
    """A throw-away database on the test server; dropped at the end of the test."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("HABEAS_TEST_POSTGRES_URL is not set: run the suite with `make test`")
        pytest.skip("no PostgreSQL server given (HABEAS_TEST_POSTGRES_URL); `make test` starts one")
    name = f"habeas_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


def _drop_postgres_database(url: str) -> None:
    """Drop a test's database. A server process of another role (autovacuum, say) may still be
    in it for a moment, which the test role may not end: wait and try again, and leave a
    throw-away database behind rather than fail a test that passed."""
    name = url.rsplit("/", 1)[1]
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(10):
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            except ProgrammingError:
                time.sleep(0.2 * (attempt + 1))
        warnings.warn(f"test database {name} left behind: another role's process was still in it", stacklevel=2)
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A migrated, empty database URL, on each of the two stores."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'habeas.db'}"
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url
        return
    url = _postgres_database()
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    _drop_postgres_database(url)


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'habeas.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url):
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def law():
    return load("kz")


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def register(engine, law, clock):
    return Register(engine, law, clock)


def one_case_lines() -> list[str]:
    return ONE_CASE.read_text(encoding="utf-8").splitlines()


def event(
    kind, data, *, case="KZ-2024-000777", at="2024-03-01T10:00:00+05:00", role="investigator", actor="inv-1", id=None
):
    """One raw event in the import format, for tests."""
    raw = {
        "kind": kind,
        "case": case,
        "occurred_at": at,
        "actor": {"id": actor, "role": role, "agency": "police-almaty-bostandyk"},
        "data": data,
    }
    if id:
        raw["id"] = id
    return raw


def lines(*events) -> list[str]:
    return [json.dumps(e) for e in events]


# Quarantine: tests that fail only since a session's branches were merged together (each
# passed on its own branch). Each is a real interaction to mend, named in the closing note;
# they still run (not strict), so a mended one shows as XPASS. Remove an entry when it is
# mended; the first work of the next session. Empty since 2026-12-07.
QUARANTINE: dict[str, str] = {}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.split("[", 1)[0]
        for name, why in QUARANTINE.items():
            if path == name or path.startswith(name + "::"):
                item.add_marker(pytest.mark.xfail(reason=f"quarantined after the merge: {why}", strict=False))
