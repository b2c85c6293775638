"""Every role's daily work, in Debian's Chromium (issue 21, items 1, 2 and 5).

Each role signs in, opens `/record` on a case of its own (its unit's, its court's, its
client's, its own, or one it is assigned to), and records every kind the form offers it at
that stage, through the form, filled as a user fills it (the parties, events and articles
offered; only the required fields); each fact shows on the case file's timeline and is in
the log, whose chain holds. The chooser offers exactly what the package's competence lets
the role record. Every page is checked for labels, landmarks and contrast
(`a11y.js`, a small check written for these tests: axe-core is not available here), and one
fact is recorded with the keyboard alone.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from habeas.access import policy as access_policy
from habeas.access.facts import Principal
from habeas.domain.events import Actor
from habeas.domain.vocabulary import CASE_CREATING_KINDS, CASELESS_KINDS, DATA_MODELS
from habeas.law.competence import kinds_for
from habeas.services import maintenance, queries, users

from .conftest import AGENCY, ALMATY, REGION

A11Y = (Path(__file__).with_name("a11y.js")).read_text(encoding="utf-8")
COURT = "almaty-court-2"
LAWYER = "adv-7"
PROSECUTOR = Actor("pros", "prosecutor", "almaty-prosecutor")

# login, role, agency, how the user comes to the case (see `case_for`)
ROLES = [
    ("inv", "investigator", AGENCY, "unit"),
    ("inq", "inquiry_officer", AGENCY, "unit"),
    ("pros", "prosecutor", "almaty-prosecutor", "region"),
    ("ij", "investigating_judge", "almaty-court-investigating", "assigned"),
    ("judge", "judge", COURT, "court"),
    ("clerk", "court_clerk", COURT, "court"),
    ("prison", "prison_officer", "almaty-sizo", "assigned"),
    ("doctor", "doctor", "almaty-medical", "assigned"),
    (LAWYER, "defence_lawyer", "almaty-bar", "counsel"),
    ("omb", "ombudsman", "ombudsman", "everywhere"),
    ("suspect", "person", None, "own"),
]
LAST = ("record.corrected", "case.sent_to_court", "case.closed", "death.recorded")  # acts that end others


@pytest.fixture(scope="module")
def staff(live):
    """The users of every role the module needs, beside the shared fixture's."""
    operator = users.operator("op")
    for login, role, agency, _how in ROLES + [("analyst", "analyst", "statistics", None)]:
        if login in live.tokens:
            continue
        made = users.add(live.register.engine, live.law, operator, live.clock.now(), login, role, agency, REGION)
        live.tokens[login] = made.token
    return live


def case_for(live, login: str, how: str) -> str:
    """A fresh case this user may record on: assigned to them, sent to their court, with them
    admitted as counsel; the person's users are parties of the fixture's own case."""
    if how == "own":
        return live.case
    case = live.new_case()
    at = live.clock.now() - timedelta(hours=20)
    if how == "assigned":
        live.submit("case.assigned", case, at, {"official": login}, PROSECUTOR)
    elif how == "court":
        live.submit("case.sent_to_court", case, at, {"court": COURT}, PROSECUTOR)
    elif how == "counsel":
        live.submit("counsel.admitted", case, at, {"person": "P1", "lawyer": LAWYER})
    return case


def _section_kinds(law, role: str) -> frozenset[str] | set[str]:
    """The kinds a role's case file shows: its grant's section's, or all."""
    policy = access_policy.of(law)
    sections = {g.section for g in policy.document.roles.get(role, ()) if "case:read" in g.actions}
    if None in sections or not sections:
        return set(DATA_MODELS)
    return frozenset().union(*(policy.section_kinds(s) for s in sections))


def picker(moment) -> str:
    """A moment as a date-time picker takes it: Almaty's local time, to the minute."""
    return moment.astimezone(ALMATY).strftime("%Y-%m-%dT%H:%M")


def offered(page) -> list[str]:
    return page.locator("section[aria-labelledby=kinds-title] a[data-kind]").evaluate_all(
        "links => links.map(a => a.dataset.kind)"
    )


def fill_required(form, when: str, until: str, login: str = "", agency: str | None = None) -> None:
    """Fill the form's required fields as a user would: the first choice offered, a party
    of the case, an article, a term after the act, a short text; where the act names its
    author (a court's own trial, a lawyer entering the case), the user themselves."""
    themselves = {"data.court": agency or COURT, "data.lawyer": login if login == LAWYER else LAWYER}
    for field in form.locator("[name^='data.']").all():
        name = field.get_attribute("name")
        tag = field.evaluate("e => e.tagName.toLowerCase()")
        kind = field.get_attribute("type") or ""
        required = field.get_attribute("required") is not None
        if tag == "select":
            values = field.locator("option").evaluate_all("os => os.map(o => o.value).filter(Boolean)")
            if values and (required or name == "data.person"):
                field.select_option("P1" if "P1" in values else values[0])
        elif not required or kind in ("checkbox", "hidden"):
            continue
        elif name in themselves:
            field.fill(themselves[name] if name != "data.court" or "court" in (agency or "") else COURT)
        elif kind == "datetime-local":
            field.fill(until)
        elif kind == "number":
            field.fill("1000")
        elif name == "data.data":  # a correction: the time of the act it corrects, kept
            field.fill(json.dumps({"occurred_at": when}))
        elif name in ("data.article",):
            field.fill("188")
        elif name == "data.rights":
            field.fill("counsel, silence")
        else:
            field.fill("A1")


@pytest.mark.parametrize("login,role,agency,how", ROLES, ids=[r[1] for r in ROLES])
def test_each_role_records_every_kind_it_may_through_the_form(staff, session_factory, login, role, agency, how):
    live = staff
    case = case_for(live, login, how)
    user = session_factory()
    page = user.page
    user.sign_in(login)
    assert page.locator("main h1").count() == 1
    page.goto(f"/record?case={case}")
    kinds = offered(page)
    stage = "court" if how == "court" else "pre_trial"
    # what competence lets the role record, but the acts its title does not give (a judge who is
    # not the chair assigns no case)
    principal = Principal(login, role, agency, REGION)
    may = access_policy.of(live.law).may_record
    expected = [
        k for k in kinds_for(live.law, role, stage, DATA_MODELS) if k not in CASE_CREATING_KINDS and may(principal, k)
    ]
    assert [k for k in kinds if k not in CASE_CREATING_KINDS] == expected, f"{role} is offered {kinds}"
    kinds = [k for k in kinds if k not in LAST] + [k for k in LAST if k in kinds]
    kinds = [k for k in kinds if k not in ("report.received",)]
    at = live.clock.now() - timedelta(hours=2)
    when = live.iso(at)
    until = picker(at + timedelta(days=30))
    recorded: dict[str, str] = {}
    shown = _section_kinds(live.law, role)
    for kind in kinds:
        page.goto(f"/record/{kind}?case={case}")
        form = page.locator("form#record")
        form.locator("input[name=occurred_at]").fill(picker(at))
        fill_required(form, when, until, login, agency)
        if kind == "record.corrected":
            mine = [event for k, event in recorded.items() if k in shown]  # what the form can offer
            form.locator("[name='data.event']").select_option(mine[-1])
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        where = urlsplit(page.url)
        problems = page.locator(".field-error").all_inner_texts()
        if kind in CASELESS_KINDS:  # a facility's visit is filed under the facility: home says so
            assert where.path == "/", f"{role} could not record {kind}: {problems}"
            event = parse_qs(where.query)["recorded"][0]
            assert page.locator("p.notice").inner_text().find(event) >= 0
            continue
        assert where.path == f"/cases/{case}", f"{role} could not record {kind}: {problems}"
        event = parse_qs(where.query)["recorded"][0]
        if kind in shown:  # a section's reader sees its section's kinds only; the log has all
            assert page.locator(f'section#timeline li[data-event-id="{event}"][data-kind="{kind}"]').count() == 1
        recorded[kind] = event
    if "case.registered" in kinds_for(live.law, role, None, DATA_MODELS):  # a new case, through its form
        new = f"KZ-2026-9{len(recorded):02d}{login[:3]}"
        page.goto(f"/record/case.registered?case={new}")
        form = page.locator("form#record")
        fill_required(form, when, until)
        form.locator("[name='data.region']").select_option(REGION)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert urlsplit(page.url).path == f"/cases/{new}", page.locator(".field-error").all_inner_texts()
    file = queries.case_file(
        live.register.engine, live.law, case, users.operator("op"), "test: the log", live.clock.now(), live.clock.now()
    )
    logged = {e["id"] for e in file["events"]}
    assert set(recorded.values()) <= logged, f"{role}: recorded events missing from the log"
    assert maintenance.verify(live.register.engine).intact
    assert recorded, f"{role} recorded nothing"


HOME_PANELS = {
    "inv": "#work",
    "ij": "#work",
    "pros": "#work",
    "judge": "#my-cases",
    "clerk": "#my-cases",
    "prison": "#my-cases",
    "doctor": "#work",
    LAWYER: "#my-cases",
    "omb": "#breaches, #work",
    "suspect": "#own-case",
    "analyst": "#reports",
}


@pytest.mark.parametrize("login", list(HOME_PANELS))
def test_every_page_a_role_sees_has_labels_landmarks_and_contrast(staff, session_factory, login):
    live = staff
    how = next((r[3] for r in ROLES if r[0] == login), None)
    case = case_for(live, login, how) if how else None
    if login == "ij":  # a custody petition waiting for the investigating judge
        live.detain(case, live.clock.now() - timedelta(hours=30))
        live.submit("custody.petitioned", case, live.clock.now() - timedelta(hours=29), {"person": "P1"})
    user = session_factory()
    page = user.page
    user.sign_in(login)
    assert page.locator(HOME_PANELS[login]).count() >= 1, f"{login}'s home has no {HOME_PANELS[login]}"
    pages = ["/", "/law", "/statistics", "/record"]
    if case:
        pages += [
            f"/record?case={case}",
            f"/record/person.detained?case={case}",
            f"/record/verdict.delivered?case={case}",
        ]
    for path in pages:
        page.goto(path)
        _check(page, path)
    if case:
        user.open_case(case)
        _check(page, "the case file")
    for link in ("/cases", "/detention", "/me/reads"):
        if page.locator(f'header a[href="{link}"]').count():
            page.goto(link)
            _check(page, link)


def _check(page, where: str) -> None:
    found = page.evaluate(A11Y)
    assert not found, f"{where}: {found[:10]}"


def test_recording_with_the_keyboard_alone(staff, user):
    """Tab from the top of the home page to "Record an event", to the kind, through the form,
    and Enter: no mouse."""
    live = staff
    case = live.new_case()
    page = user.page
    user.sign_in("inv")
    page.goto(f"/record?case={case}")
    _tab_to(page, 'a[data-kind="relatives.notified"]', within="section[aria-labelledby=kinds-title]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "select[name='data.person']")
    page.keyboard.press("ArrowDown")  # the first party offered
    assert page.evaluate("document.activeElement.value") in ("P1", "V1")
    _tab_to(page, "form#record button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    where = urlsplit(page.url)
    assert where.path == f"/cases/{case}", page.locator(".field-error").all_inner_texts()
    event = parse_qs(where.query)["recorded"][0]
    assert page.locator(f'li[data-event-id="{event}"][data-kind="relatives.notified"]').count() == 1


def _tab_to(page, selector: str, within: str = "body", presses: int = 200) -> None:
    target = page.locator(f"{within} {selector}").first
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"Tab never reaches {selector}")


def test_the_accessibility_check_finds_what_it_looks_for(user):
    """The check itself can fail: a page with an unlabelled field, pale text, no main and
    an unnamed navigation is reported on each count."""
    page = user.page
    page.set_content(
        '<html><body><header><nav><a href="#">x</a></nav></header><h1>t</h1>'
        '<input id="nameless" type="text"><p style="color:#bbb;background:#fff">pale text</p></body></html>'
    )
    found = " | ".join(page.evaluate(A11Y))
    for problem in ("no label", "contrast", "not one main landmark", "nav without a label", "no lang"):
        assert problem in found, found
