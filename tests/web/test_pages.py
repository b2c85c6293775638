"""The web UI's pages as HTML (issue 10): FastAPI's TestClient, no browser.

A register with one case in Almaty (a suspect detained), users of several roles, and a
`FixedClock` the tests move. Each page is checked for the contract the browser tests and
the users rely on: the elements and attributes, the statuses, the language, the CSRF check,
the read log.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from habeas.api.app import Settings, create_app
from habeas.clock import FixedClock
from habeas.domain.events import Actor
from habeas.jurisdictions import load
from habeas.services import setup, users
from habeas.services.register import Register

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
ALMATY = timezone(timedelta(hours=5))
INV = Actor("inv", "investigator", "almaty-police")
CASE = "KZ-2026-000001"
OTHER = "KZ-2026-000002"  # another unit's case, in another region


def iso(moment: datetime) -> str:
    return moment.astimezone(ALMATY).isoformat(timespec="minutes")


class World:
    def __init__(self, client: TestClient, clock: FixedClock, register: Register, tokens: dict[str, str]):
        self.client, self.clock, self.register, self.tokens = client, clock, register, tokens

    def submit(self, kind, case, at, data, actor=INV):
        raw = {"kind": kind, "case": case, "occurred_at": iso(at), "actor": actor.to_dict(), "data": data}
        return self.register.submit(raw).event.id

    def sign_in(self, login: str, **params) -> TestClient:
        client = self.client
        client.cookies.clear()
        answer = self.post_sign_in({"login": login, "token": self.tokens[login], "next": "/"})
        assert answer.status_code == 303, answer.text
        return client

    def post_sign_in(self, data: dict, **options):
        """The sign-in form as a browser sends it: opened first (its CSRF token), then posted."""
        form = self.client.get("/sign-in").text
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', form).group(1)
        return self.client.post("/sign-in", data={**data, "csrf": token}, follow_redirects=False, **options)

    def read(self, case: str, query: str = ""):
        """A case file opened as from a link of our pages (its read token), with `query` added."""
        form = self.client.get(f"/cases/{case}")
        found = re.search(r'name="read" value="([0-9a-f]+)"', form.text)
        assert found, form.text[:500]
        return self.client.get(f"/cases/{case}?read={found.group(1)}" + (f"&{query}" if query else ""))

    def csrf(self, path: str = "/") -> str:
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', self.client.get(path).text)
        assert found
        return found.group(1)


@pytest.fixture
def world(tmp_path):
    url = f"sqlite:///{tmp_path / 'habeas.db'}"
    law = load("kz")
    clock = FixedClock(NOW)
    with setup.open_database(url) as engine:
        setup.prepare(engine)
        register = Register(engine, law, clock)
        start = NOW - timedelta(days=1)
        elsewhere = Actor("x", "investigator", "astana-police")
        for case, region, actor in [(CASE, "almaty", INV), (OTHER, "astana", elsewhere)]:
            raw = {
                "kind": "case.registered",
                "case": case,
                "occurred_at": iso(start),
                "actor": actor.to_dict(),
                "data": {"erdr_number": "2675100001", "article": "188", "part": 1, "region": region},
            }
            register.submit(raw)
            register.submit(
                {
                    **raw,
                    "kind": "party.added",
                    "occurred_at": iso(start + timedelta(minutes=5)),
                    "data": {"person": "P1", "role": "suspect", "name": "Aidar Example"},
                }
            )
        tokens = {}
        operator = users.operator("op")
        for login, role, extra in [
            ("inv", "investigator", {"agency": "almaty-police", "region": "almaty"}),
            ("pros", "prosecutor", {"agency": "almaty-prosecutor", "region": "almaty"}),
            ("omb", "ombudsman", {"agency": "ombudsman"}),
            ("suspect", "person", {"person": (CASE, "P1")}),
        ]:
            tokens[login] = users.add(engine, law, operator, NOW, login, role, **extra).token
        app = create_app(Settings(database_url=url, clock=clock, signing_key=tmp_path / "signing.key"))
        with TestClient(app, base_url="http://testserver") as client:
            client.headers["Accept-Language"] = "en"
            yield World(client, clock, register, tokens)


def detain(world: World, case: str = CASE, hours_ago: float = 1, **extra) -> str:
    at = world.clock.now() - timedelta(hours=hours_ago)
    return world.submit("person.detained", case, at, {"person": "P1", "place": "Almaty police, Bostandyk", **extra})


# -- signing in ----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(world):
    answer = world.client.get("/cases?stage=pre_trial", follow_redirects=False)
    assert answer.status_code == 303
    where = urlsplit(answer.headers["location"])
    assert where.path == "/sign-in"
    assert parse_qs(where.query)["next"] == ["/cases?stage=pre_trial"]
    page = world.client.get("/sign-in").text
    assert 'form id="sign-in"' in page and 'for="login"' in page and 'id="token"' in page and 'type="password"' in page
    assert 'action="/sign-out"' not in page


def test_signing_in_sets_a_safe_cookie_and_goes_next_only_locally(world):
    answer = world.post_sign_in({"login": "inv", "token": world.tokens["inv"], "next": "/cases"})
    assert answer.status_code == 303 and answer.headers["location"] == "/cases"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("habeas_session=")).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    world.client.cookies.clear()
    answer = world.post_sign_in({"login": "inv", "token": world.tokens["inv"], "next": "//evil.example/x"})
    assert answer.headers["location"] == "/"


def test_a_wrong_token_is_refused_beside_the_field(world):
    answer = world.post_sign_in({"login": "inv", "token": "nope"})
    assert answer.status_code == 401
    assert 'class="field-error" id="error-token"' in answer.text
    assert "habeas_session" not in answer.headers.get("set-cookie", "")


def test_signing_out_needs_the_form_token_and_ends_the_session(world):
    client = world.sign_in("inv")
    refused = client.post("/sign-out", data={"csrf": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200
    answer = client.post("/sign-out", data={"csrf": world.csrf()}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"
    assert client.get("/", follow_redirects=False).status_code == 303


# -- home, cases, case file ------------------------------------------------------------------------


def test_home_lists_the_alerts_of_the_users_cases(world):
    detain(world)
    detain(world, OTHER)
    page = world.sign_in("inv").get("/").text
    assert '<html lang="en">' in page and 'table id="alerts"' in page
    assert f'data-case="{CASE}" data-code="KZ-DETENTION-LIMIT" data-status="open"' in page
    assert f'data-case="{OTHER}"' not in page  # another unit's case
    assert 'href="/record"' in page and "/cases?agency=almaty-police" in page
    assert 'hreflang="kk"' in page and 'action="/sign-out"' in page and ">inv<" in page


def test_the_case_list_filters_and_pages(world):
    client = world.sign_in("pros")
    page = client.get("/cases?region=almaty").text
    assert f'<tr data-case="{CASE}">' in page and f'data-case="{OTHER}"' not in page
    assert f'href="/cases/{CASE}?read=' in page
    page = client.get("/cases").text
    assert 'rel="next"' not in page
    import habeas.web.pages as pages

    size, pages.PAGE_SIZE = pages.PAGE_SIZE, 1
    try:
        page = client.get("/cases").text
        assert f'data-case="{CASE}"' in page
        assert 'rel="next"' not in page  # the other case is Astana's: not the Almaty prosecutor's to list
        assert f'data-case="{OTHER}"' not in client.get(f"/cases?cursor={CASE}").text
    finally:
        pages.PAGE_SIZE = size


def test_the_case_file_shows_parties_timeline_and_findings(world):
    detained = detain(world, hours_ago=2)
    world.sign_in("inv")
    page = world.read(CASE).text
    assert re.search(rf"<h1>[^<]*{CASE}</h1>", page)
    assert 'section id="parties"' in page and "Aidar Example" in page
    assert f'data-event-id="{detained}"' in page
    assert 'data-code="KZ-DETENTION-LIMIT" data-status="open"' in page
    assert "left" in page and "CPC art. 131" in page


def test_the_case_file_names_its_offence_and_gravity_in_the_readers_language(world):
    world.sign_in("inv")
    line = re.search(r'<p class="meta" id="offence">(.*?)</p>', world.read(CASE).text, re.S)
    assert line and "CC art. 188 part 1: " in line.group(1) and "certainty" in line.group(1)
    ru = re.search(r'<p class="meta" id="offence">(.*?)</p>', world.read(CASE, "lang=ru").text, re.S)
    assert ru and "Ст. 188 ч. 1 УК: Кража" in ru.group(1) and "Правонарушение" in ru.group(1)


def test_a_correction_is_shown_beside_what_it_corrects(world):
    detained = detain(world, hours_ago=2)
    correction = world.submit(
        "record.corrected",
        CASE,
        world.clock.now(),
        {"event": detained, "reason": "wrong place", "data": {"place": "Medeu police"}},
    )
    world.sign_in("inv")
    page = world.read(CASE).text
    item = re.search(rf'<li id="ev-{detained}"[^>]*class="corrected".*?</li>', page, re.S)
    assert item and correction in item.group(0) and "Medeu police" in item.group(0)


def test_the_case_file_as_of_a_time_and_its_errors(world):
    detain(world, hours_ago=2)
    client = world.sign_in("inv")
    later = iso(world.clock.now() + timedelta(days=5))
    assert 'data-code="KZ-DETENTION-LIMIT" data-status="breached"' in world.read(CASE, f"at={later}").text
    refused = world.read(OTHER)
    assert refused.status_code == 403 and "refused" in refused.text and "<html" in refused.text
    assert world.read("KZ-NOPE").status_code == 403  # not the operator: no telling it does not exist
    assert client.get(f"/cases/{CASE}?at=yesterday").status_code == 422


def test_an_unknown_page_is_an_html_page_and_the_api_keeps_json(world):
    page = world.client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = world.client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


# -- the detention board ------------------------------------------------------------------------------


def test_the_board_shows_breaches_first_and_leaves_read_records(world):
    detain(world, hours_ago=1)
    second = "KZ-2026-000003"
    raw = {
        "kind": "case.registered",
        "case": second,
        "occurred_at": iso(NOW - timedelta(days=1)),
        "actor": INV.to_dict(),
        "data": {"erdr_number": "2675100003", "article": "188", "region": "almaty"},
    }
    world.register.submit(raw)
    world.submit("party.added", second, NOW - timedelta(days=1), {"person": "P1", "role": "suspect", "name": "Berik"})
    detain(world, second, hours_ago=60)  # past the adult limit (from the law package)
    client = world.sign_in("pros")
    page = client.get("/detention").text
    rows = re.findall(r'<tr data-case="([^"]+)" data-person="([^"]+)" data-status="([^"]+)"', page)
    assert rows == [(second, "P1", "breached"), (CASE, "P1", "open")]
    assert "Almaty police, Bostandyk" in page and "/static/board.js" in page
    partial = client.get("/detention?partial=1").text
    assert partial.lstrip().startswith("<tbody") and "<html" not in partial
    earlier = client.get(f"/detention?at={iso(NOW - timedelta(hours=30))}").text
    assert re.findall(r'data-case="([^"]+)" data-person="P1" data-status="([^"]+)"', earlier) == [(second, "open")]
    world.sign_in("suspect")
    reads = world.client.get("/me/reads").text
    assert re.search(r'<tr data-actor="pros"', reads)
    assert "detention board" in reads


def test_the_board_shows_a_released_person_no_more(world):
    detain(world, hours_ago=3)
    world.submit("person.released", CASE, world.clock.now() - timedelta(hours=1), {"person": "P1", "ground": "x"})
    assert f'data-case="{CASE}"' not in world.sign_in("pros").get("/detention").text


# -- recording ---------------------------------------------------------------------------------------


def test_the_record_chooser_and_forms_have_a_label_for_every_field(world):
    client = world.sign_in("inv")
    chooser = client.get("/record").text
    for kind in (
        "person.detained",
        "person.delivered",
        "rights.explained",
        "counsel.admitted",
        "person.questioned",
        "person.released",
        "custody.petitioned",
        "complaint.filed",
    ):
        assert f'href="/record/{kind}' in chooser
        form = client.get(f"/record/{kind}?case={CASE}").text
        assert 'form id="record"' in form and f'value="{CASE}"' in form
        # now, in the case region's local time (Almaty: +05:00 since 1 March 2024), to the minute
        local = world.clock.now().astimezone(timezone(timedelta(hours=5))).strftime("%Y-%m-%dT%H:%M")
        assert f'type="datetime-local" required value="{local}"' in form, kind
        ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', form)
        assert ids and all(f'for="{i}"' in form for i in ids), kind
        assert 'name="data.person"' in form
    assert client.get("/record/case.closed").status_code == 200  # every kind has its form
    assert client.get("/record/no.such_kind").status_code == 404


def test_opening_a_form_is_one_read_of_the_case(world):
    """The form reads the case file (its parties, events, courts) and takes the region for its
    local time from it: one read record, not a second one for the region."""
    client = world.sign_in("inv")
    with world.register.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM reads")).scalar()
    form = client.get(f"/record/person.detained?case={CASE}").text
    local = world.clock.now().astimezone(timezone(timedelta(hours=5))).strftime("%Y-%m-%dT%H:%M")
    assert f'type="datetime-local" required value="{local}"' in form  # still the Almaty time
    with world.register.engine.connect() as conn:
        made = conn.execute(
            text('SELECT "case", what, purpose FROM reads WHERE id > :before ORDER BY id'), {"before": before}
        ).all()
    assert [tuple(r) for r in made] == [(CASE, "case_file", "record: person.detained")]


def test_recording_a_detention_through_the_form(world):
    client = world.sign_in("inv")
    form = {
        "csrf": world.csrf("/record/person.detained"),
        "case": CASE,
        "occurred_at": iso(NOW - timedelta(hours=1)),
        "data.person": "P1",
        "data.place": "Almaty police",
        "data.grounds": ["criminal_group"],
    }
    answer = client.post("/record/person.detained", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    where = urlsplit(answer.headers["location"])
    assert where.path == f"/cases/{CASE}"
    event = parse_qs(where.query)["recorded"][0]
    page = client.get(answer.headers["location"]).text
    assert 'class="notice"' in page and f'data-event-id="{event}"' in page and "criminal_group" in page


def test_a_time_typed_without_offset_is_read_in_the_case_regions_local_time(world):
    """A date-time picker sends `2026-11-25T08:00`: the register stores it at the offset the
    Almaty zone has that day (+05:00, from the time-zone database), and shows it back so."""
    client = world.sign_in("inv")
    typed = (NOW - timedelta(hours=1)).astimezone(timezone(timedelta(hours=5))).strftime("%Y-%m-%dT%H:%M")
    form = {
        "csrf": world.csrf("/record/person.detained"),
        "case": CASE,
        "occurred_at": typed,
        "data.person": "P1",
        "data.place": "Almaty police",
    }
    answer = client.post("/record/person.detained", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"]).text
    assert f"{typed[11:]} (UTC+05:00)" in page
    nonsense = client.post("/record/person.detained", data={**form, "occurred_at": "yesterday"})
    assert nonsense.status_code == 422 and 'id="error-occurred_at"' in nonsense.text


def test_a_bool_and_a_list_field(world):
    client = world.sign_in("inv")
    token = world.csrf("/record")
    answer = client.post(
        "/record/rights.explained",
        data={
            "csrf": token,
            "case": CASE,
            "occurred_at": iso(NOW),
            "data.person": "P1",
            "data.rights": "counsel, silence, interpreter",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    answer = client.post(
        "/record/person.questioned",
        data={"csrf": token, "case": CASE, "occurred_at": iso(NOW), "data.person": "P1"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"]).text
    assert "<dt>counsel present</dt><dd>false</dd>" in page


def test_a_refused_form_shows_each_problem_beside_its_field(world):
    client = world.sign_in("inv")
    form = {
        "csrf": world.csrf(),
        "case": CASE,
        "occurred_at": "the morning",  # no time (one without an offset is read in the region's zone)
        "data.person": "",
        "data.place": "kept",
    }
    answer = client.post("/record/person.detained", data=form)
    assert answer.status_code == 422
    assert 'id="error-data.person"' in answer.text and 'id="error-occurred_at"' in answer.text
    assert 'aria-describedby="error-data.person"' in answer.text and 'value="kept"' in answer.text


def test_the_laws_competence_and_the_policy_refuse_with_403(world):
    client = world.sign_in("inv")
    token = world.csrf()
    answer = client.post(
        "/record/custody.petitioned", data={"csrf": token, "case": OTHER, "occurred_at": iso(NOW), "data.person": "P1"}
    )
    assert answer.status_code == 403 and 'id="error-' in answer.text
    forged = client.post("/record/person.detained", data={"csrf": "x", "case": CASE}, follow_redirects=False)
    assert forged.status_code == 403
    client = world.sign_in("suspect")  # may write on their own case, but detaining is no person's act
    answer = client.post(
        "/record/person.detained",
        data={
            "csrf": world.csrf("/record"),
            "case": CASE,
            "occurred_at": iso(NOW),
            "data.person": "P1",
            "data.place": "home",
        },
    )
    assert answer.status_code == 403 and 'id="error-actor.role"' in answer.text


# -- reads, law, statistics, languages -----------------------------------------------------------------


def test_who_looked_at_my_case_and_the_unassigned_reads(world):
    world.sign_in("inv")
    world.read(CASE, "purpose=interview+prep")
    world.sign_in("omb")
    world.read(CASE)
    page = world.sign_in("suspect").get("/me/reads").text
    assert re.search(r'<tr data-actor="inv"', page) and "interview prep" in page
    assert world.client.get("/reads/unassigned").status_code == 403
    page = world.sign_in("omb").get("/reads/unassigned").text
    assert 'table id="reads"' in page and re.search(r'<tr data-actor="inv"', page)
    assert world.client.get("/me/reads").status_code == 403


def test_the_law_browser_is_public(world):
    page = world.client.get("/law").text
    assert 'href="/law/KZ-DETENTION-LIMIT"' in page
    rule = world.client.get("/law/KZ-DETENTION-LIMIT").text
    assert "detention.limit.adult" in rule and "CPC art. 131" in rule and "2015-01-01" in rule
    assert world.client.get("/law/KZ-NOPE").status_code == 404


def test_the_statistics_are_public_with_a_shareable_address(world):
    # figures are published per closed year: 2026 is refused until it has ended
    early = world.client.get("/statistics?years=2026&sections=detention")
    assert early.status_code == 422 and "2026 has not closed yet" in early.text
    assert 'value="2025"' in world.client.get("/statistics").text  # the page opens on the last closed year
    early = world.client.get("/api/v1/statistics?years=2026&at=2027-01-02T00:00:00Z")  # an `at` to come
    assert early.status_code == 422 and "after the register's clock" in early.text  # releases nothing early
    assert world.client.get("/api/v1/statistics").json()["years"] == [2025]
    world.clock.set(datetime(2027, 1, 2, tzinfo=UTC))
    page = world.client.get("/statistics?years=2026&sections=detention")
    assert page.status_code == 200
    # regions are opt-in: with none chosen the page is the whole country, and its address says so
    assert 'href="/statistics?years=2026&amp;sections=detention&amp;regions=kz"' in page.text
    assert "/api/v1/statistics?years=2026&amp;sections=detention&amp;regions=kz&amp;format=csv" in page.text
    assert re.findall(r'<tr data-region="([^"]+)"', page.text) and set(
        re.findall(r'<tr data-region="([^"]+)"', page.text)
    ) == {"kz"}
    bad = world.client.get("/statistics?years=nineteen")
    assert bad.status_code == 422 and 'id="error-spec"' in bad.text
    custody = world.client.get("/statistics?years=2025-2026&sections=custody").text
    population = re.search(r'<tr data-region="kz" data-kind="population">(.*?)</tr>', custody).group(1)
    assert '<span class="estimate"' not in population  # the country's figures are the Bureau's, published
    assert "20,495,975" in population and "20,283,399" in population
    assert "estimate-note" not in custody  # only the country is shown: nothing estimated
    regional = world.client.get("/statistics?years=2026&sections=custody&regions=abai").text
    assert re.search(r'<tr data-region="abai" data-kind="population">.*?<span class="estimate"', regional)
    assert "estimate-note" in regional
    kazakh = world.client.get("/statistics?years=2026&sections=detention&lang=kk").text
    assert "L7 Құқықтарды түсіндіру жазылған ұстаулар" in kazakh and "Барлық өңірлер" in kazakh


def test_every_region_withheld_everywhere_is_one_line_not_a_table(world):
    """A small register: every region's row is withheld in every year, so each indicator
    names them in one line instead of listing twenty rows of "< 5"; and the regions where no
    one was counted are one line too."""
    detain(world)  # one detention in Almaty: its cells (and a complement somewhere) are withheld
    world.clock.set(datetime(2027, 1, 2, tzinfo=UTC))  # 2026 has closed: its figures are released
    page = world.client.get("/statistics?years=2026&sections=detention&regions=all").text
    assert 'href="/statistics?years=2026&amp;sections=detention&amp;regions=all"' in page
    assert "/api/v1/statistics?years=2026&amp;sections=detention&amp;format=csv" in page  # the API: all regions
    shown = set(re.findall(r'<tr data-region="([^"]+)"', page))
    collapsed = re.findall(r'<p class="collapsed withheld" data-rows="(\d+)">', page)
    assert collapsed and all(int(n) > 0 for n in collapsed)
    for row in re.findall(r'<tr data-region="(?!kz")[^>]*>(.*?)</tr>', page):  # the country's rows always stay
        cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', row)
        assert not all("withheld" in c for c in cells), f"a row withheld in every year is shown: {row}"
    assert re.search(r'<p class="collapsed nothing" data-rows="\d+">[^<]*Abai region', page)
    assert shown == {"kz"}, f"regions with nothing published are still rows: {shown}"
    assert len(page) < 60_000


@pytest.mark.parametrize(
    ("how", "lang", "word"),
    [
        ({"params": {"lang": "kk"}}, "kk", "Кіру"),
        ({"headers": {"Accept-Language": "ru-RU,ru;q=0.9"}}, "ru", "Войти"),
        ({"headers": {"Accept-Language": "de"}}, "en", "Sign in"),
    ],
)
def test_the_language_is_chosen_and_kept(world, how, lang, word):
    page = world.client.get("/sign-in", **how)
    assert f'<html lang="{lang}">' in page.text and word in page.text
    if "params" in how:
        assert "habeas_lang=kk" in page.headers["set-cookie"]
        assert '<html lang="kk">' in world.client.get("/law").text


def test_the_language_switch_keeps_the_other_parameters(world):
    page = world.sign_in("inv").get("/cases?region=almaty&lang=ru").text
    assert 'hreflang="kk" lang="kk" href="?region=almaty&amp;lang=kk"' in page
    assert "Дела" in page


def test_the_case_list_is_for_officials_who_read_files_not_for_a_person(world):
    answer = world.sign_in("suspect").get("/cases")
    assert answer.status_code == 403 and "The case list is for officials" in answer.text
    assert 'href="/cases"' not in answer.text  # nor does the menu offer it
    listed = world.sign_in("inv").get("/cases")
    assert listed.status_code == 200 and 'id="cases"' in listed.text


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"occurred_at": iso(NOW + timedelta(days=2))}, "occurred_at", "after the register&#39;s clock"),
        ({"data.person": "P9"}, "data.person", "party.added"),
    ],
    ids=["dated in two days", "no party of the case"],
)
def test_a_fact_that_cannot_be_true_is_refused_on_the_form(world, changes, field, words):
    client = world.sign_in("inv")
    form = {
        "csrf": world.csrf("/record/person.detained"),
        "case": CASE,
        "occurred_at": iso(NOW - timedelta(hours=1)),
        "data.person": "P1",
        "data.place": "Almaty police",
    } | changes
    answer = client.post("/record/person.detained", data=form, follow_redirects=False)
    assert answer.status_code == 422, answer.text
    assert words in answer.text
