"""`python -m bench.home`: a regional reader's home page against an everywhere reader's (issue 21).

One register: `--local` detained suspects' cases in Almaty and `--others` in Astana, the
others' detentions older (their alerts come first on the board). Two users open `GET /`
through the web app (FastAPI's TestClient), alternately, on the same database:
- the Almaty prosecutor, who may read their region's cases (and the ones assigned to them):
  every alert the page walks past is a case to decide `case:read` on;
- an admin, who may read every case: the board as the projection gives it, nothing decided.
Prints the median of each, in milliseconds, and their ratio (target: <= TARGET), as a
table and as one JSON line (bench/out/home-latest.json). Before the page's panels shared
their decisions and decided a list's cases with one read of their events, the prosecutor's
page read each case's stream once per panel: 35.7x at the defaults, 15.5x after (README).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from fastapi.testclient import TestClient

from habeas.api.app import Settings, create_app
from habeas.clock import FixedClock
from habeas.domain.events import Actor
from habeas.jurisdictions import load
from habeas.services import setup, users
from habeas.services.register import Register

OUT = Path(__file__).resolve().parent / "out"
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
ALMATY = timezone(timedelta(hours=5))
TARGET = 3.0
UNITS = {"almaty": ("almaty-police", 10), "astana": ("astana-police", 40)}  # region: unit, hours held


def _iso(moment: datetime) -> str:
    return moment.astimezone(ALMATY).isoformat(timespec="minutes")


def _fill(register: Register, counts: dict[str, int]) -> None:
    number = 0
    for region, count in counts.items():
        unit, held = UNITS[region]
        actor = Actor(f"inv-{region}", "investigator", unit).to_dict()
        for _ in range(count):
            number += 1
            case, start = f"KZ-2026-{number:06d}", NOW - timedelta(days=2)
            data = {"erdr_number": f"2675{number:06d}", "article": "188", "part": 1, "region": region}
            base = {"case": case, "actor": actor}
            register.submit({**base, "kind": "case.registered", "occurred_at": _iso(start), "data": data})
            party = {"person": "P1", "role": "suspect", "name": "A B"}
            register.submit({**base, "kind": "party.added", "occurred_at": _iso(start), "data": party})
            detained = {"person": "P1", "place": "police"}
            at = _iso(NOW - timedelta(hours=held))
            register.submit({**base, "kind": "person.detained", "occurred_at": at, "data": detained})


def _signed_in(app, login: str, token: str) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    form = client.get("/sign-in").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form).group(1)
    answer = client.post("/sign-in", data={"login": login, "token": token, "next": "/", "csrf": csrf})
    assert answer.status_code == 200, answer.status_code
    return client


def run(local: int = 300, others: int = 3000, rounds: int = 7) -> dict:
    work = Path(tempfile.mkdtemp(prefix="habeas-bench-home-"))
    url = f"sqlite:///{work / 'home.db'}"
    law, clock = load("kz"), FixedClock(NOW)
    with setup.open_database(url) as engine:
        setup.prepare(engine)
        _fill(Register(engine, law, clock), {"almaty": local, "astana": others})
        operator = users.operator("bench")
        tokens = {
            "pros": users.add(
                engine, law, operator, NOW, "pros", "prosecutor", agency="almaty-prosecutor", region="almaty"
            ).token,
            "admin": users.add(engine, law, operator, NOW, "admin", "admin").token,
        }
    app = create_app(Settings(database_url=url, clock=clock, signing_key=work / "signing.key"))
    times: dict[str, list[float]] = {"pros": [], "admin": []}
    with TestClient(app):
        clients = {login: _signed_in(app, login, token) for login, token in tokens.items()}
        for client in clients.values():
            assert client.get("/").status_code == 200  # warm: templates, catalogues, law
        for _ in range(rounds):
            for login, client in clients.items():
                started = time.perf_counter()
                assert client.get("/").status_code == 200
                times[login].append(time.perf_counter() - started)
    pros, admin = (statistics.median(times[k]) * 1000 for k in ("pros", "admin"))
    return {
        "local": local,
        "others": others,
        "regional_ms": round(pros, 1),
        "everywhere_ms": round(admin, 1),
        "ratio": round(pros / admin, 2),
        "target": TARGET,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local", type=int, default=300, help="cases of the prosecutor's region")
    parser.add_argument("--others", type=int, default=3000, help="cases of another region")
    parser.add_argument("--rounds", type=int, default=7)
    found = run(**vars(parser.parse_args()))
    print(f"{'home page':<28}{'median ms':>10}")
    print(f"{'regional prosecutor':<28}{found['regional_ms']:>10}")
    print(f"{'reader of every case':<28}{found['everywhere_ms']:>10}")
    print(f"ratio {found['ratio']}x (target <= {TARGET}x)")
    OUT.mkdir(exist_ok=True)
    (OUT / "home-latest.json").write_text(json.dumps(found) + "\n")
    print(json.dumps(found))


if __name__ == "__main__":
    main()
