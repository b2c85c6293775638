"""The role x endpoint matrix as a test (issue 23 item 6): every operation of `/openapi.json`
and every web route, as every role and the anonymous public, against `endpoints.csv`:
the status, and whether the read log kept a record. Any difference fails, and so does an
endpoint the table or the requests do not name (a new route must be placed in the matrix)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from habeas.api.app import Settings, create_app
from habeas.clock import FixedClock
from habeas.jurisdictions import load
from habeas.services import checkpoints, setup, users
from habeas.services.register import Register
from tests.access import endpoints
from tests.api.conftest import seed_lines
from tests.conftest import NOW, REGISTRAR


def world_answers(folder: Path | None = None) -> dict[str, dict[str, str]]:
    """A fresh register (SQLite) with the two cases, every role's user, every endpoint asked."""
    users.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # quick tokens
    folder = folder or Path(tempfile.mkdtemp())
    url, law, clock = f"sqlite:///{folder / 'matrix.db'}", load("kz"), FixedClock(NOW)
    key = folder / "keys" / "signing.key"
    checkpoints.ensure_key(key)
    with setup.open_database(url) as engine:
        setup.prepare(engine)
        assert Register(engine, law, clock).import_lines(seed_lines(), REGISTRAR).ok
    app = create_app(Settings(database_url=url, clock=clock, signing_key=key, secret=b"m" * 32))
    with TestClient(app) as client:
        engine = client.app.state.habeas.engine
        who = endpoints.askers(client, engine, law)
        assert endpoints.endpoints(app, client.get("/openapi.json").json()) == set(endpoints.REQUESTS)
        return endpoints.answers(engine, who)


@pytest.fixture(scope="module")
def answered(tmp_path_factory):
    hasher = users.HASHER
    try:
        yield world_answers(tmp_path_factory.mktemp("endpoints"))
    finally:
        users.HASHER = hasher


def test_every_endpoint_is_in_the_table_and_asked():
    app = create_app(Settings(database_url="sqlite://", clock=FixedClock(NOW), secret=b"m" * 32))
    spec = app.openapi()
    assert endpoints.endpoints(app, spec) == set(endpoints.REQUESTS) == set(endpoints.expected())


def test_every_role_on_every_endpoint_answers_as_the_table_says(answered):
    expected = endpoints.expected()
    wrong = [
        f"{endpoint} as {role}: expected {expected[endpoint][role]}, got {cells[role]}"
        for endpoint, cells in answered.items()
        for role in endpoints.WHO
        if cells[role] != expected[endpoint][role]
    ]
    assert wrong == [], "\n".join(wrong)


def test_the_table_holds_refusals_and_grants_for_every_role(answered):
    """So the matrix cannot pass by allowing, or refusing, everything."""
    for role in endpoints.WHO:
        statuses = {cells[role][:3] for cells in answered.values()}
        assert any(s.startswith("2") for s in statuses), role
        assert any(s in ("401", "403", "303") for s in statuses), role
