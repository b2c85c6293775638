"""A read record names whose data it showed, and a person asking "who looked at me" is shown
every read that showed their data (case files, lists, alerts), and no read that showed
only another's (issue 23, item 3). Driven as its users drive it: officials read over the
API, the persons ask over the API and on their web page.

The court case (`tests/api/conftest.py`) has two parties, the suspect P1 and the victim V1;
the detention case in Almaty has its own P1, another person.
"""

from __future__ import annotations

import json
import re

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from habeas.access.facts import Principal
from habeas.api import Settings, create_app
from habeas.clock import FixedClock
from habeas.services import maintenance, queries, setup, users
from habeas.services.register import Register
from tests.api.conftest import COURT_CASE, DETENTION_CASE, PEOPLE, Api, is_error, seed_lines
from tests.conftest import NOW, REGISTRAR

PERSONS = {
    "v1-court": ("person", None, None, (COURT_CASE, "V1")),  # the court case's victim
    "p1-detention": ("person", None, None, (DETENTION_CASE, "P1")),  # the Almaty case's suspect
}


@pytest.fixture
def register(db_url, law, tmp_path, monkeypatch):
    """The API and the web pages on each store, seeded with the two cases."""
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    for name, person in PERSONS.items():
        monkeypatch.setitem(PEOPLE, name, person)
    clock = FixedClock(NOW)
    with setup.open_database(db_url) as engine:
        setup.prepare(engine)
        assert Register(engine, law, clock).import_lines(seed_lines(), REGISTRAR).ok
    app = create_app(Settings(database_url=db_url, clock=clock, signing_key=tmp_path / "signing.key"))
    with TestClient(app, base_url="http://testserver") as client:
        client.headers["Accept-Language"] = "en"
        yield Api(client, clock, db_url, law)


def my_reads(api: Api, person: str) -> list[dict]:
    """The person's "who looked at my case" over the API."""
    answer = api.client.get("/api/v1/me/reads", headers=api.sign_in(person))
    assert answer.status_code == 200, answer.text
    return answer.json()


def by(api: Api, person: str, official: str) -> list[tuple]:
    return [(r["what"], r["case"], r["persons"]) for r in my_reads(api, person) if r["actor"]["id"] == official]


def web_sign_in(api: Api, login: str) -> TestClient:
    """Signed in with the web form (its CSRF token first), as a browser does."""
    client = api.client
    client.cookies.clear()
    api.add_user(login)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/sign-in").text).group(1)
    data = {"login": login, "token": api.tokens[login], "next": "/", "csrf": csrf}
    assert client.post("/sign-in", data=data, follow_redirects=False).status_code == 303
    return client


def web_readers(api: Api, person: str) -> set[str]:
    """The officials the person's web page "who read my case" lists."""
    page = web_sign_in(api, person).get("/me/reads")
    assert page.status_code == 200, page.text
    api.client.cookies.clear()
    return set(re.findall(r'<tr data-actor="([^"]+)"', page.text))


def test_a_case_list_read_is_seen_by_the_persons_of_the_cases_it_listed_and_no_one_else(register):
    api = register
    listed = api.client.get("/api/v1/cases", headers=api.sign_in("pr-12"))  # Astana's prosecutor
    assert listed.status_code == 200 and [r["case"] for r in listed.json()["items"]] == [COURT_CASE]
    assert by(api, "p1-court", "pr-12") == [("case_list", COURT_CASE, ["P1", "V1"])]
    assert by(api, "v1-court", "pr-12") == [("case_list", COURT_CASE, ["P1", "V1"])]  # the list named V1's case too
    assert by(api, "p1-detention", "pr-12") == []  # the Almaty case was not listed: its P1 was not shown
    assert "pr-12" in web_readers(api, "p1-court") and "pr-12" not in web_readers(api, "p1-detention")
    assert maintenance.verify(api.engine).intact


def test_an_alert_read_is_seen_by_the_person_it_names_not_by_the_other_party(register):
    api = register
    board = api.client.get("/api/v1/alerts", headers=api.sign_in("pr-12")).json()["items"]
    assert board and {(a["case"], a["person"]) for a in board} == {(COURT_CASE, "P1")}  # every alert names P1
    assert by(api, "p1-court", "pr-12") == [("alerts", COURT_CASE, ["P1"])]
    assert by(api, "v1-court", "pr-12") == []
    assert by(api, "p1-detention", "pr-12") == []  # another case's P1 is another person
    assert "pr-12" not in web_readers(api, "v1-court")


def test_a_case_file_names_the_parties_it_showed_and_a_party_reading_their_own_part_only_them(register):
    api = register
    read = api.client.get(f"/api/v1/cases/{COURT_CASE}", params={"purpose": "trial"}, headers=api.sign_in("j-9"))
    assert read.status_code == 200
    own = api.client.get(f"/api/v1/cases/{COURT_CASE}", params={"purpose": "mine"}, headers=api.sign_in("p1-court"))
    assert own.status_code == 200 and {p["person"] for p in own.json()["parties"]} == {"P1"}
    assert by(api, "v1-court", "j-9") == [("case_file", COURT_CASE, ["P1", "V1"])]
    assert by(api, "v1-court", "p1-court") == []  # P1's own part showed P1's data only
    assert by(api, "p1-court", "p1-court")[:1] == [("case_file", COURT_CASE, ["P1"])]
    assert "p1-court" not in web_readers(api, "v1-court") and "j-9" in web_readers(api, "v1-court")


def test_a_section_read_names_whom_the_section_showed(register):
    api = register
    section = api.client.get(
        f"/api/v1/cases/{COURT_CASE}", params={"purpose": "visit"}, headers=api.sign_in("ombudsman")
    )
    assert section.json()["section"] == "detention_and_complaints"
    shown = {e["data"].get("person") for e in section.json()["events"]} - {None}
    assert by(api, "p1-court", "ombudsman") == [("case_file:detention_and_complaints", COURT_CASE, sorted(shown))]


def test_a_refused_attempt_on_a_case_is_told_to_every_party_of_it(register):
    api = register
    is_error(api.client.get(f"/api/v1/cases/{COURT_CASE}", headers=api.sign_in("inv-1")), 403, "forbidden")
    for party in ("p1-court", "v1-court"):
        tried = [r for r in my_reads(api, party) if r["actor"]["id"] == "inv-1"]
        assert [(r["allowed"], r["persons"]) for r in tried] == [(False, None)], party  # it showed no one
    assert by(api, "p1-detention", "inv-1") == []


def test_who_read_the_reads_names_the_persons_of_the_records_it_showed(register):
    api = register
    api.client.get("/api/v1/alerts", headers=api.sign_in("pr-12"))  # names P1
    answer = api.client.get(f"/api/v1/cases/{COURT_CASE}/reads", params={"person": "V1"}, headers=api.sign_in("admin"))
    assert answer.status_code == 200 and [r for r in answer.json() if r["actor"]["id"] == "pr-12"] == []
    assert by(api, "v1-court", "admin") == [("reads", COURT_CASE, ["V1"])]  # a read of V1's read history
    assert by(api, "p1-court", "admin") == []


def test_on_the_command_line_a_person_sees_the_list_and_alert_reads_that_showed_them(tmp_path):
    from tests.conftest import ONE_CASE
    from tests.test_cli import habeas

    db = f"sqlite:///{tmp_path / 'r.db'}"
    habeas("init", db=db)
    habeas("import", str(ONE_CASE), db=db)
    tokens = {}
    for login, *options in (
        ("pr", "--role", "prosecutor", "--agency", "prosecutor-astana", "--region", "astana"),
        ("aidar", "--role", "person", "--person", f"{COURT_CASE}:P1"),
        ("saule", "--role", "person", "--person", f"{COURT_CASE}:V1"),
    ):
        said = habeas("user", "add", "--login", login, *options, db=db).stdout
        tokens[login] = said.split("token (shown once): ")[1].strip()

    def run(login, *args):
        return habeas(*args, db=db, env_extra={"HABEAS_USER": login, "HABEAS_TOKEN": tokens[login]}).stdout

    assert COURT_CASE in run("pr", "case", "list")
    assert {a["person"] for a in json.loads(run("pr", "alerts", "--json"))} == {"P1"}

    def seen(login):
        return [
            (r["what"], r["persons"])
            for r in json.loads(run(login, "reads", "--mine", "--json"))
            if r["actor"]["id"] == "pr"
        ]

    assert seen("aidar") == [("case_list", ["P1", "V1"]), ("alerts", ["P1"])]
    assert seen("saule") == [("case_list", ["P1", "V1"])]  # the alerts named P1 only
    assert "reads intact:" in habeas("verify", db=db).stdout


def test_the_detention_board_names_the_person_held(register):
    api = register
    board = web_sign_in(api, "pr-almaty").get("/detention")
    assert board.status_code == 200 and DETENTION_CASE in board.text
    api.client.cookies.clear()
    assert by(api, "p1-detention", "pr-almaty") == [("detention_board", DETENTION_CASE, ["P1"])]
    assert by(api, "p1-court", "pr-almaty") == []


def test_a_party_shown_a_row_of_their_own_case_is_named_alone(register):
    """A party's user lists no cases over the API; their case's region (the record form's local
    time) and the alerts of their case are rows of their own part: the record names them alone."""
    api = register
    p1 = Principal("p1-court", "person", person=(COURT_CASE, "P1"))
    assert queries.case_region(api.engine, api.law, COURT_CASE, p1, NOW, "record: person.detained") == "astana"
    queries.alerts(api.engine, NOW, reader=p1, law=api.law, now=NOW)
    assert by(api, "p1-court", "p1-court")[:2] == [("case_region", COURT_CASE, ["P1"]), ("alerts", COURT_CASE, ["P1"])]
    assert by(api, "v1-court", "p1-court") == []
