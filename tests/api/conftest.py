"""The REST API driven over HTTP, as its users and other systems drive it.

`api` is a running app (`create_app`) on a fresh database of each store, holding two
cases: the example case of `tests/data/one-case.jsonl` (Astana, brought by
police-astana-almaty-district, before court-astana-district-2, counsel adv-1, suspect P1)
and a detention case in Almaty (P1 detained 2024-03-01 10:00 +05:00, never released).
`api.sign_in(name)` adds one of the `PEOPLE` as a user and signs them in: the bearer
headers to send.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from habeas.api import Settings, create_app
from habeas.clock import FixedClock
from habeas.services import setup, users
from habeas.services.register import Register
from tests.conftest import NOW, ONE_CASE, REGISTRAR, event

COURT_CASE = "KZ-2024-000123"  # one-case.jsonl: before court-astana-district-2, Astana
DETENTION_CASE = "KZ-2024-000777"  # Almaty: P1 detained, no release
DETAINED_AT = "2024-03-01T10:00:00+05:00"
ALMATY = "almaty-city"
PRE = "2024-02-29T09:00:00+05:00"

# name: (role, agency, region, person)
PEOPLE: dict[str, tuple[str, str | None, str | None, tuple[str, str] | None]] = {
    "admin": ("admin", "local", None, None),
    "registrar": ("registrar", "ministry-records", None, None),
    "inv-301": ("investigator", "police-astana-almaty-district", "astana", None),  # the court case's unit
    "inv-1": ("investigator", "police-almaty-bostandyk", ALMATY, None),  # the detention case's unit
    "pr-12": ("prosecutor", "prosecutor-astana", "astana", None),
    "pr-almaty": ("prosecutor", "prosecutor-almaty", ALMATY, None),
    "j-9": ("judge", "court-astana-district-2", "astana", None),
    "ij-almaty": ("investigating_judge", "court-almaty-investigating", ALMATY, None),
    "adv-1": ("defence_lawyer", "bar-astana", "astana", None),  # admitted in the court case
    "adv-2": ("defence_lawyer", "bar-almaty", ALMATY, None),  # admitted nowhere
    "p1-court": ("person", None, None, (COURT_CASE, "P1")),
    "ombudsman": ("ombudsman", "ombudsman-office", None, None),
    "analyst": ("analyst", "statistics-committee", None, None),
}


def detention_case(case: str = DETENTION_CASE, detained: str = DETAINED_AT) -> list[dict]:
    """A case opened by police-almaty-bostandyk (inv-1) in Almaty: P1 detained, no release."""
    return [
        event("report.received", {"channel": "in_person", "summary": "fight"}, case=case, at=PRE, id=f"{case}-1"),
        event(
            "case.registered",
            {"erdr_number": "1", "article": "293", "part": 1, "region": ALMATY},
            case=case,
            at=PRE,
            id=f"{case}-2",
        ),
        event(
            "party.added",
            {"person": "P1", "role": "suspect", "name": "A B", "birth_date": "1990-01-01"},
            case=case,
            at=PRE,
            id=f"{case}-3",
        ),
        event("person.detained", {"person": "P1", "place": "street"}, case=case, at=detained, id=f"{case}-4"),
    ]


def seed_lines() -> list[str]:
    return ONE_CASE.read_text(encoding="utf-8").splitlines() + [json.dumps(e) for e in detention_case()]


@dataclass
class Api:
    """A running app, its client and clock, and the users signed in so far."""

    client: TestClient
    clock: FixedClock
    url: str
    law: object
    tokens: dict[str, str] = field(default_factory=dict)  # name -> the user's own token
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> bearer headers

    @property
    def ctx(self):
        return self.client.app.state.habeas

    @property
    def engine(self):
        return self.ctx.engine

    def add_user(self, name: str) -> str:
        if name not in self.tokens:
            role, agency, region, person = PEOPLE[name]
            added = users.add(
                self.engine,
                self.law,
                users.operator("op"),
                NOW,
                name,
                role,
                agency=agency,
                region=region,
                person=person,
            )
            self.tokens[name] = added.token
        return self.tokens[name]

    def sign_in(self, name: str, fresh: bool = False) -> dict[str, str]:
        """The bearer headers of a session for `name` (added as a user first if need be): the
        session opened before for them, unless `fresh`."""
        if fresh or name not in self.sessions:
            token = self.add_user(name)
            answer = self.client.post("/api/v1/sessions", json={"login": name, "token": token})
            assert answer.status_code == 201, answer.text
            self.sessions[name] = bearer(answer.json()["token"])
        return self.sessions[name]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def is_error(answer, status: int, code: str | None = None, field: str | None = None) -> dict:
    """The answer is the API's error document with this status (and code, field)."""
    assert answer.status_code == status, (answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    error = answer.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    if field is not None:
        assert error.get("field") == field, error
    return error


def make_api(url: str, law, tmp_path: Path, clock: FixedClock | None = None, seed: bool = True):
    clock = clock or FixedClock(NOW)
    with setup.open_database(url) as engine:
        setup.prepare(engine)
        if seed:
            report = Register(engine, law, clock).import_lines(seed_lines(), REGISTRAR)
            assert report.ok, [e.lines() for e in report.errors]
    # the API alone: the web UI beside it has tests of its own
    app = create_app(Settings(database_url=url, clock=clock, signing_key=tmp_path / "keys" / "signing.key", web=False))
    return app, clock


@pytest.fixture(autouse=True)
def quick_tokens(monkeypatch):
    """Argon2 at its cheapest: signing in is checked the same way, in milliseconds, not 0.2 s."""
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def api(db_url, law, tmp_path):
    """The app on each store, seeded with the two cases."""
    app, clock = make_api(db_url, law, tmp_path)
    with TestClient(app) as client:
        yield Api(client, clock, db_url, law)


@pytest.fixture
def sqlite_api(sqlite_url, law, tmp_path):
    """The app on SQLite only (for the slower, store-independent tests)."""
    app, clock = make_api(sqlite_url, law, tmp_path)
    with TestClient(app) as client:
        yield Api(client, clock, sqlite_url, law)
