"""Every parameter is checked before the database (issue 23): a NUL, an over-long or
ill-shaped case, region, stage, code, purpose, person, login or paging cursor is a 422 on
both stores alike, never a 500 (PostgreSQL once answered 500 to 14 such kinds of request),
and a read refused for its shape leaves no record either."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select

from habeas.db.schema import reads
from tests.api.conftest import is_error

NUL = "%00"
LONG_CASE = "KZ-" + "9" * 200  # over the 160 characters a case column holds


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


BAD_REQUESTS = [
    f"/api/v1/cases/KZ{NUL}1",
    f"/api/v1/cases/{LONG_CASE}",
    f"/api/v1/cases/{LONG_CASE}/findings",
    f"/api/v1/cases/{LONG_CASE}/reads",
    f"/api/v1/cases/KZ-2024-000777/reads?person=P{NUL}1",
    f"/api/v1/cases/KZ-2024-000777?purpose=a{NUL}b",
    f"/api/v1/cases/KZ-2024-000777?at=2024{NUL}",
    f"/api/v1/cases?region=al{NUL}maty",
    f"/api/v1/cases?region={'r' * 200}",
    f"/api/v1/cases?stage=pre{NUL}trial",
    "/api/v1/cases?stage=Pre Trial",
    f"/api/v1/cases?code=KZ{NUL}",
    f"/api/v1/cases?agency=a{NUL}",
    f"/api/v1/cases?cursor={cursor('cases:KZ' + chr(0) + '1')}",
    f"/api/v1/cases?cursor={cursor('cases:' + 'K' * 300)}",
    "/api/v1/cases?cursor=not base64!",
    f"/api/v1/alerts?cursor={cursor('alerts:' + '9' * 30)}",
    f"/api/v1/alerts?region=x{NUL}",
    f"/api/v1/alerts?code=x{NUL}",
    f"/api/v1/reads/unassigned?since=x{NUL}",
    f"/api/v1/statistics?regions=al{NUL}maty",
    f"/api/v1/statistics?years=2024{NUL}",
]


def test_a_malformed_parameter_is_a_422_on_both_stores(api):
    headers = api.sign_in("admin")
    with api.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(reads)).scalar_one()
    answers = {path: api.client.get(path, headers=headers) for path in BAD_REQUESTS}
    wrong = {path: (a.status_code, a.text[:120]) for path, a in answers.items() if a.status_code != 422}
    assert not wrong, wrong
    for answer in answers.values():
        is_error(answer, 422, "invalid")
    with api.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reads)).scalar_one() == before


def test_a_malformed_login_is_refused_like_any_other(api):
    api.add_user("inv-1")
    for login in ["inv\x001", "x" * 300, "", " inv-1", "inv-1\n"]:
        answer = api.client.post("/api/v1/sessions", json={"login": login, "token": api.tokens["inv-1"]})
        assert answer.status_code in (401, 422), (login, answer.text)
        is_error(answer, answer.status_code)


def test_an_event_with_a_nul_or_an_over_long_case_is_a_422(api):
    headers = api.sign_in("registrar")
    for case in ("KZ\x001", LONG_CASE):
        event = {
            "kind": "report.received",
            "case": case,
            "occurred_at": "2024-03-01T10:00:00+05:00",
            "data": {"channel": "in_person", "summary": "x"},
        }
        is_error(api.client.post("/api/v1/events", json=event, headers=headers), 422, "invalid")


WEB_BAD = [
    f"/cases/KZ{NUL}1",
    f"/cases/{LONG_CASE}",
    f"/cases?region=a{NUL}",
    f"/cases?stage=a{NUL}",
    f"/cases?cursor=K{NUL}",
    f"/detention?region=a{NUL}",
    f"/detention?at=2024{NUL}",
]


@pytest.fixture
def web(db_url, law, tmp_path):
    """The app with its web pages, on each store, and a signed-in browser-like client."""
    import re

    from fastapi.testclient import TestClient

    from habeas.api import Settings, create_app
    from habeas.services import setup, users
    from tests.conftest import NOW

    with setup.open_database(db_url) as engine:
        setup.prepare(engine)
        token = users.add(engine, law, users.operator("op"), NOW, "pr", "prosecutor", agency="p", region="almaty").token
    app = create_app(Settings(database_url=db_url, signing_key=tmp_path / "key"))
    with TestClient(app) as client:
        form = client.get("/sign-in").text
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form).group(1)
        signed = client.post("/sign-in", data={"login": "pr", "token": token, "csrf": csrf}, follow_redirects=False)
        assert signed.status_code == 303, signed.text
        yield client


def test_a_malformed_parameter_of_a_page_is_a_422_page(web):
    for path in WEB_BAD:
        answer = web.get(path, follow_redirects=False)
        assert answer.status_code == 422 and "<html" in answer.text, (path, answer.status_code, answer.text[:300])
