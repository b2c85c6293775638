"""The role x endpoint matrix (issue 23 item 6): every operation of the OpenAPI document and
every web route, tried as every role and as the anonymous public, each answer compared with
`endpoints.csv` (the expected table, reviewed like code).

A cell is the HTTP status, with `r` when the request left read records (allowed or refused)
in the read log: `200r` read and recorded, `403r` refused and recorded, `403` refused before
any read. The world: the two cases of `tests/api/conftest.py`; each role's user stands where
that role meets the court case KZ-2024-000123 (its unit, its region's prosecutor, its court,
its admitted lawyer, its suspect) or, for the roles that meet it only when assigned (an
investigating judge, a prison officer, a doctor), not assigned to it.

`python -m tests.access.endpoints` prints the table as the system answers now: write it to
`endpoints.csv` only after reading the difference.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from habeas.db.schema import reads as reads_table
from habeas.services import users
from tests.api.conftest import COURT_CASE
from tests.conftest import NOW

TABLE = Path(__file__).with_name("endpoints.csv")
ANONYMOUS = "anonymous"
# role: (login, agency, region, person)
USERS: dict[str, tuple[str, str | None, str | None, tuple[str, str] | None]] = {
    "investigator": ("inv-301", "police-astana-almaty-district", "astana", None),
    "inquiry_officer": ("io-1", "police-astana-almaty-district", "astana", None),
    "prosecutor": ("pr-12", "prosecutor-astana", "astana", None),
    "investigating_judge": ("ij-1", "court-astana-investigating", "astana", None),
    "judge": ("j-9", "court-astana-district-2", "astana", None),
    "court_clerk": ("clerk-1", "court-astana-district-2", "astana", None),
    "prison_officer": ("po-1", "penitentiary-astana", "astana", None),
    "doctor": ("doc-1", "penitentiary-astana", "astana", None),
    "defence_lawyer": ("adv-1", "bar-astana", "astana", None),
    "ombudsman": ("omb-1", "ombudsman-office", None, None),
    "analyst": ("an-1", "statistics-committee", None, None),
    "registrar": ("reg-1", "ministry-records", None, None),
    "admin": ("adm-1", "local", None, None),
    "person": ("p1-court", None, None, (COURT_CASE, "P1")),
}
WHO = (*USERS, ANONYMOUS)
WHEN = "2024-05-22T10:00:00+05:00"
KIND = "complaint.filed"


@dataclass
class Asker:
    """One role's user: their token, their API session (bearer) and their browser (cookies)."""

    role: str
    login: str
    token: str
    bearer: dict[str, str]
    web: TestClient


def complaint(role: str, n: str) -> dict:
    person = "P1"
    return {
        "id": f"mx-{n}-{role}",
        "kind": KIND,
        "case": COURT_CASE,
        "occurred_at": WHEN,
        "data": {"complaint": f"mx-{n}-{role}", "person": person, "about": "ill_treatment"},
    }


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(path).text)
    return found.group(1) if found else ""


def _read_link(client: TestClient) -> str:
    found = re.search(r'name="read" value="([0-9a-f]+)"', client.get(f"/cases/{COURT_CASE}").text)
    return found.group(1) if found else "none"


def _batch(a: Asker):
    line = {
        **complaint(a.role, "batch"),
        "actor": {"id": "inv-301", "role": "investigator", "agency": "police-astana-almaty-district"},
    }
    import json

    headers = {**a.bearer, "content-type": "application/x-ndjson"}
    return a.web.post("/api/v1/events:batch", content=json.dumps(line) + "\n", headers=headers)


def _sign_in(a: Asker):
    body = {"login": a.login, "token": a.token} if a.login else {"login": "nobody", "token": "wrong"}
    return a.web.post("/api/v1/sessions", json=body)


def _web_sign_in(a: Asker):
    client = TestClient(a.web.app)  # a fresh browser: signing in is for one who is not signed in
    token = _csrf(client, "/sign-in")
    body = {"login": a.login or "nobody", "token": a.token or "wrong", "next": "/", "csrf": token}
    return client.post("/sign-in", data=body, follow_redirects=False)


def _web_record(a: Asker):
    data = complaint(a.role, "web")["data"]
    form = {"case": COURT_CASE, "occurred_at": WHEN, **{f"data.{k}": v for k, v in data.items()}}
    form["csrf"] = _csrf(a.web, f"/record/{KIND}")
    return a.web.post(f"/record/{KIND}", data=form, follow_redirects=False)


def _web_sign_out(a: Asker):
    return a.web.post("/sign-out", data={"csrf": _csrf(a.web, "/record")}, follow_redirects=False)


def _api_get(path: str, **params) -> Callable[[Asker], object]:
    return lambda a: a.web.get(path, params=params, headers=a.bearer)


def _web_get(path: str) -> Callable[[Asker], object]:
    return lambda a: a.web.get(path, follow_redirects=False)


CASE_PATH = f"/cases/{COURT_CASE}"
LAW_CODE = "KZ-DETENTION-LIMIT"
API = "/api/v1"
# How each endpoint is asked: "METHOD path" as the OpenAPI document or the router names it.
# The last one signs the web session out.
REQUESTS: dict[str, Callable[[Asker], object]] = {
    f"POST {API}/sessions": _sign_in,
    f"GET {API}/me": _api_get(f"{API}/me"),
    f"GET {API}/cases": _api_get(f"{API}/cases"),
    f"GET {API}/cases/{{case}}": _api_get(f"{API}{CASE_PATH}", purpose="matrix"),
    f"GET {API}/cases/{{case}}/findings": _api_get(f"{API}{CASE_PATH}/findings", purpose="matrix"),
    f"GET {API}/cases/{{case}}/reads": _api_get(f"{API}{CASE_PATH}/reads"),
    f"GET {API}/me/reads": _api_get(f"{API}/me/reads"),
    f"GET {API}/reads/unassigned": _api_get(f"{API}/reads/unassigned"),
    f"GET {API}/alerts": _api_get(f"{API}/alerts"),
    f"POST {API}/events": lambda a: a.web.post(f"{API}/events", json=complaint(a.role, "api"), headers=a.bearer),
    f"POST {API}/events:batch": _batch,
    f"GET {API}/ledger/head": _api_get(f"{API}/ledger/head"),
    f"GET {API}/ledger/checkpoint": _api_get(f"{API}/ledger/checkpoint"),
    f"GET {API}/law": _api_get(f"{API}/law"),
    f"GET {API}/law/{{code}}": _api_get(f"{API}/law/{LAW_CODE}"),
    f"GET {API}/statistics": _api_get(f"{API}/statistics", years="2024"),
    "GET /sign-in": _web_get("/sign-in"),
    "POST /sign-in": _web_sign_in,
    "GET /": _web_get("/"),
    "GET /cases": _web_get("/cases"),
    "GET /cases/{case}": lambda a: a.web.get(
        CASE_PATH, params={"read": _read_link(a.web), "purpose": "matrix"}, follow_redirects=False
    ),
    "GET /detention": _web_get("/detention"),
    "GET /me/reads": _web_get("/me/reads"),
    "GET /reads/unassigned": _web_get("/reads/unassigned"),
    "GET /law": _web_get("/law"),
    "GET /law/{code}": _web_get(f"/law/{LAW_CODE}"),
    "GET /statistics": _web_get("/statistics?years=2024"),
    "GET /record": _web_get("/record"),
    "GET /record/{kind}": _web_get(f"/record/{KIND}"),
    "POST /record/{kind}": _web_record,
    "POST /sign-out": _web_sign_out,
    f"DELETE {API}/sessions/current": lambda a: a.web.delete(f"{API}/sessions/current", headers=a.bearer),
}


def endpoints(app, openapi: dict) -> set[str]:
    """Every operation the OpenAPI document holds and every web route (not the assets, the
    API's own documents or its Swagger UI)."""
    found = {f"{method.upper()} {path}" for path, item in openapi["paths"].items() for method in item}
    for path, methods in _routes(app.routes):
        if not path.startswith(("/api", "/static", "/openapi")):
            found |= {f"{method} {path}" for method in methods if method not in ("HEAD", "OPTIONS")}
    return found


def _routes(routes, prefix: str = ""):
    """(path, methods) of every route, into included routers (FastAPI keeps them whole)."""
    for route in routes:
        included = getattr(route, "include_context", None)
        if included is not None:
            yield from _routes(route.original_router.routes, prefix + included.prefix)
        elif getattr(route, "methods", None):
            yield prefix + route.path, route.methods


def askers(client: TestClient, engine, law) -> dict[str, Asker]:
    out = {}
    for role, (login, agency, region, person) in USERS.items():
        token = users.add(engine, law, users.operator("op"), NOW, login, role, agency, region, person=person).token
        api = client.post("/api/v1/sessions", json={"login": login, "token": token})
        assert api.status_code == 201, api.text
        web = TestClient(client.app)
        form = _csrf(web, "/sign-in")
        signed = web.post(
            "/sign-in", data={"login": login, "token": token, "next": "/", "csrf": form}, follow_redirects=False
        )
        assert signed.status_code == 303, signed.text
        out[role] = Asker(role, login, token, {"Authorization": f"Bearer {api.json()['token']}"}, web)
    out[ANONYMOUS] = Asker(ANONYMOUS, "", "", {}, TestClient(client.app))
    return out


def answers(engine, who: dict[str, Asker]) -> dict[str, dict[str, str]]:
    """{endpoint: {role: cell}} as the system answers now."""

    def recorded() -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(reads_table)).scalar_one()

    table: dict[str, dict[str, str]] = {endpoint: {} for endpoint in REQUESTS}
    for role in WHO:
        for endpoint, ask in REQUESTS.items():
            before = recorded()
            status = ask(who[role]).status_code
            table[endpoint][role] = f"{status}{'r' if recorded() > before else ''}"
    return table


def expected() -> dict[str, dict[str, str]]:
    with TABLE.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["endpoint"]: {role: row[role] for role in WHO} for row in rows}


def as_csv(table: dict[str, dict[str, str]]) -> str:
    out = io.StringIO()
    header = [line for line in TABLE.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    out.write("".join(f"{line}\n" for line in header))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["endpoint", *WHO])
    for endpoint, cells in table.items():
        writer.writerow([endpoint, *(cells[role] for role in WHO)])
    return out.getvalue()


if __name__ == "__main__":  # print the table as the system answers now (see the module's words)
    from tests.access.test_endpoints import world_answers

    sys.stdout.write(as_csv(world_answers()))
