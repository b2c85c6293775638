"""The browser attacks of issue 23, in Chromium, each of which once got through and now must
not: a page on the register's own site storing a case with the signed-in registrar's cookie
(`events:batch` as text/plain), another site framing the record form, a link on another site
making an official read a case under the purpose it chose, another site signing the browser
in as someone else (login CSRF); and every page runs under the strict CSP without a
violation (no inline script), Swagger UI included, from the register's own files.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from sqlalchemy import func, select

from habeas.db.schema import events, reads


def _count(live, table, *where) -> int:
    with live.register.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _violations(session) -> list[str]:
    found: list[str] = []
    session.page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


SAME_SITE_ATTACK = """async ([lines, one, caseId]) => {
    const batch = await fetch('/api/v1/events:batch', {method: 'POST', credentials: 'include',
        headers: {'Content-Type': 'text/plain'}, body: lines});
    const single = await fetch('/api/v1/events', {method: 'POST', credentials: 'include',
        headers: {'Content-Type': 'application/json'}, body: one});
    const read = await fetch('/api/v1/cases/' + caseId, {credentials: 'include'});
    return [batch.status, single.status, read.status];
}"""


def test_a_page_of_the_same_site_cannot_use_the_registrars_cookie_on_the_api(user, live):
    user.sign_in("reg")
    page = user.page
    page.goto("/statistics")  # any page of the site: its script runs with the site's cookies
    case = "KZ-2026-990001"
    actor = {"id": "inv", "role": "investigator", "agency": "almaty-police"}
    at = live.iso(live.clock.now())
    lines = [
        {
            "id": f"{case}-1",
            "kind": "case.registered",
            "case": case,
            "occurred_at": at,
            "actor": actor,
            "data": {"erdr_number": "267510099001", "article": "188", "part": 1, "region": "almaty"},
        },
        {
            "id": f"{case}-2",
            "kind": "party.added",
            "case": case,
            "occurred_at": at,
            "actor": actor,
            "data": {"person": "P1", "role": "suspect", "name": "Planted"},
        },
    ]
    statuses = page.evaluate(
        SAME_SITE_ATTACK, ["\n".join(json.dumps(x) for x in lines), json.dumps(lines[0]), live.case]
    )
    assert statuses == [401, 401, 401], statuses
    assert _count(live, events, events.c.stream == case) == 0, "the same-site page stored a case"


FRAME = """(src) => {
    const frame = document.createElement('iframe');
    frame.src = src;
    document.body.appendChild(frame);
}"""


def test_another_site_cannot_frame_the_register(user, live):
    """frame-ancestors 'none': the record form (or the sign-in page it leads to without the
    Strict cookie) is never shown inside another site's frame, to be dressed up and clicked."""
    user.sign_in("inv")
    page = user.page
    page.goto("about:blank")  # another site's page: no policy of ours
    with page.expect_request(lambda r: "/record/person.detained" in r.url):
        page.evaluate(FRAME, f"{live.url}/record/person.detained")
    page.wait_for_timeout(1500)
    framed = [f for f in page.frames if f is not page.main_frame]
    assert framed, "no frame was made"
    assert all(not f.url.startswith(live.url) or f.locator("form").count() == 0 for f in framed), [
        f.url for f in framed
    ]


def test_a_link_on_another_site_reads_no_case_under_its_purpose(user, live):
    case = live.new_case()
    user.sign_in("inv")
    page = user.page
    purpose = "chosen by the attacker"
    link = f"{live.url}/cases/{case}?purpose=chosen+by+the+attacker"
    page.set_content(f'<a id="bait" href="{link}">news</a>')
    with page.expect_navigation():
        page.click("#bait")
    assert case not in page.locator("h1").inner_text() or page.locator("form#purpose").count() == 1
    assert page.locator("section#timeline").count() == 0, "another site's link opened the case file"
    page.goto(f"/cases/{case}?purpose=chosen+by+the+attacker")  # even a link on the site itself
    assert page.locator("form#purpose").count() == 1 and page.locator("section#timeline").count() == 0
    assert page.locator("form#purpose input[name=purpose]").input_value() == ""  # not filled in for them
    with live.register.engine.connect() as conn:
        recorded = conn.execute(
            select(reads.c.what, reads.c.purpose).where(reads.c.case == case, reads.c.what.like("case_file%"))
        ).fetchall()
    assert recorded == [], f"a read was recorded for another site's link: {recorded}"
    user.open_case(case, "my own reason")  # the user's own choice reads it, and says why
    assert page.locator("section#timeline").count() == 1
    assert _count(live, reads, reads.c.case == case, reads.c.purpose == "my own reason") == 1
    assert _count(live, reads, reads.c.purpose == purpose) == 0


def test_another_site_cannot_sign_the_browser_in(user, live):
    page = user.page
    page.set_content(
        f'<form id="f" method="post" action="{live.url}/sign-in">'
        f'<input name="login" value="omb"><input name="token" value="{live.tokens["omb"]}">'
        '<input name="next" value="/"></form>'
    )
    # the POST's whole navigation, not only its response: the next goto must not race its commit
    with page.expect_navigation() as answer:
        page.evaluate("document.getElementById('f').submit()")
    assert answer.value.request.method == "POST" and answer.value.status == 403
    assert not any(c["name"] == "habeas_session" and c["value"] for c in user.context.cookies())
    user.sign_in("inv")  # the register's own form still signs in
    assert urlsplit(page.url).path == "/"


def test_every_page_runs_under_the_strict_policy(user, live):
    case = live.new_case()
    live.detain(case, live.clock.now())
    violations = _violations(user)
    page = user.page
    page.goto("/sign-in")
    user.sign_in("inv")
    for path in ("/", "/detention", "/cases", f"/record/person.detained?case={case}", "/statistics", "/law"):
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert page.locator("script:not([src])").count() == 0, f"an inline script on {path}"
    user.open_case(case)
    assert page.locator("section#timeline").count() == 1
    page.goto("/api/docs")
    page.locator("#swagger-ui .info .title").wait_for()
    assert "habeas" in page.locator("#swagger-ui .info .title").inner_text()
    assert violations == [], violations
