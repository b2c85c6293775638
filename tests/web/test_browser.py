"""The web UI as its users drive it, in Debian's Chromium (issue 10, "Tests as a user drives it").

An investigator signs in with the keyboard and records a detention through the form; the
detention board shows it running; with the register's clock moved past the limit the board
shows the breach first and the home page raises it; the UI switches to Kazakh and keeps it;
the person in the case sees who read their file; a refused form shows its error beside the
field and stores nothing; at 360 px the case file does not overflow and every field has a
label; an anonymous visitor is sent to sign in, except for the public statistics.

Screenshots of the main pages go to build/screenshots/ (a test artifact, not in git).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from .conftest import ALMATY

LIMIT_CODE = "KZ-DETENTION-LIMIT"
KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")  # in Kazakh, not in Russian
SOURCE = Path(__file__).resolve().parents[2] / "src" / "habeas"
CATALOGUES = SOURCE / "jurisdictions" / "kz" / "messages"  # the law's words (findings)
WEB_CATALOGUES = SOURCE / "presentation" / "locale"  # the words of every driver


def limit_hours(law, key: str, moment) -> float:
    version = law.version(key, moment)
    assert version.unit == "hours", f"{key}: a limit in {version.unit}"
    return float(version.value)


def local_picker(moment) -> str:
    """A moment as the form's date-time picker takes it: Almaty's local time, to the minute."""
    return moment.astimezone(ALMATY).strftime("%Y-%m-%dT%H:%M")


def board_rows(page) -> list[dict]:
    return page.locator("table#board tr[data-case]").evaluate_all(
        "rows => rows.map(r => ({case: r.dataset.case, person: r.dataset.person, status: r.dataset.status}))"
    )


def timeline_ids(page) -> list[str]:
    return page.locator("section#timeline li[data-event-id]").evaluate_all("items => items.map(i => i.dataset.eventId)")


def catalogue_fragment(language: str, msgid: str) -> str:
    """The longest stretch of a finding's message in the law's catalogue free of placeholders."""
    text = (CATALOGUES / f"{language}.po").read_text(encoding="utf-8")
    found = re.search(rf'^msgid "{re.escape(msgid)}"\nmsgstr "(.*)"$', text, re.MULTILINE)
    assert found, f"{msgid} not in {language}.po"
    pieces = [p.strip(" ,.;:—()") for p in re.split(r"\{[^}]*\}", found.group(1))]
    return max(pieces, key=len)


HEADER_WORDS = """() => {
    const header = document.querySelector('header').cloneNode(true);
    header.querySelectorAll('[hreflang]').forEach(a => a.remove());  // the languages' own names
    return header.textContent.replace(/\\s+/g, ' ');
}"""


def ui_word(language: str, msgid: str) -> str:
    """A word of the web UI as its catalogue gives it, checked to be Kazakh for `kk`; "Шығу"
    (sign out) if the catalogue does not have it yet."""
    path = WEB_CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    found = re.search(rf'^msgid "{re.escape(msgid)}"\nmsgstr "(.+)"$', text, re.MULTILINE)
    word = found.group(1) if found else "Шығу"
    assert language != "kk" or KAZAKH_LETTERS.search(word), f"{msgid} in the kk catalogue is not Kazakh: {word!r}"
    return word


# 1 ---------------------------------------------------------------------------------------------


def test_investigator_records_a_detention_and_sees_it_on_the_board(user, live):
    case = live.new_case()
    page = user.page
    user.sign_in("inv")
    assert urlsplit(page.url).path == "/"
    page.locator("table#alerts").wait_for(state="attached")
    user.screenshot("home-investigator")

    page.goto(f"/record/person.detained?case={case}")
    form = page.locator("form#record")
    form.locator("input[name=case]").fill(case)
    detained_at = live.clock.now() - timedelta(minutes=30)
    form.locator("input[name=occurred_at]").fill(local_picker(detained_at))  # a date-time picker: local time
    form.locator('[name="data.person"]').select_option("P1")  # a choice of the case's parties
    form.locator('[name="data.place"]').fill("Almaty police, Bostandyk district")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    where = urlsplit(page.url)
    assert where.path == f"/cases/{case}", f"not sent to the case file after recording: {page.url}"
    recorded = parse_qs(where.query).get("recorded", [None])[0]
    assert recorded, f"no ?recorded=<id> after recording: {page.url}"
    assert page.locator("p.notice").is_visible()
    assert page.locator("h1").inner_text().find(case) >= 0
    assert recorded in timeline_ids(page), "the recorded event is not on the case's timeline"
    assert page.locator(f'section#findings [data-code="{LIMIT_CODE}"][data-status="open"]').count() >= 1
    user.screenshot("case-file")

    page.goto("/detention")
    row = page.locator(f'table#board tr[data-case="{case}"][data-person="P1"]')
    assert row.count() == 1, f"the detention of {case} is not on the board once: {board_rows(page)}"
    assert row.get_attribute("data-status") == "open"


def test_the_board_refreshes_itself(user, live):
    """The board fetches `?partial=1` on its own (every 30 s): a detention recorded meanwhile
    appears without the user reloading the page."""
    page = user.page
    user.sign_in("pros")
    page.clock.install()
    page.goto("/detention")
    page.locator("table#board").wait_for(state="attached")
    case = live.new_case()
    live.detain(case, live.clock.now() - timedelta(minutes=10))
    assert page.locator(f'table#board tr[data-case="{case}"]').count() == 0
    with page.expect_request(lambda r: "partial=1" in r.url, timeout=10_000):
        page.clock.run_for(31_000)
    page.locator(f'table#board tr[data-case="{case}"][data-status="open"]').wait_for(timeout=10_000)
    assert urlsplit(page.url).path == "/detention"


# 2 ---------------------------------------------------------------------------------------------


def test_past_the_limit_the_board_shows_the_breach_first(user, session_factory, live):
    law, clock = live.law, live.clock
    t0 = clock.now()
    adult = limit_hours(law, "detention.limit.adult", t0)
    exceptional = limit_hours(law, "detention.limit.exceptional", t0)
    assert exceptional > adult + 3, "the test needs a longer exceptional limit than the adult one"
    held = live.new_case()  # an ordinary theft: the adult limit
    live.detain(held, t0 - timedelta(hours=1))
    longer = live.new_case()  # held longer, on an exceptional ground: still within its limit
    live.detain(longer, t0 - timedelta(hours=2), grounds=["criminal_group"])

    page = user.page
    user.sign_in("pros")
    page.goto("/detention")
    statuses = {(r["case"], r["person"]): r["status"] for r in board_rows(page)}
    assert statuses.get((held, "P1")) == "open"
    assert statuses.get((longer, "P1")) == "open"

    clock.advance(timedelta(hours=adult + 1))  # `held` is now one hour past its limit
    user.sign_in("pros")  # a new working day: yesterday's session has expired
    page.goto("/detention")
    rows = board_rows(page)
    statuses = {(r["case"], r["person"]): r["status"] for r in rows}
    assert statuses.get((held, "P1")) == "breached", f"no breach on the board: {rows}"
    assert statuses.get((longer, "P1")) == "open", f"the exceptional limit is not running: {rows}"
    order = [r["status"] for r in rows]
    assert order == sorted(order, key=lambda s: s != "breached"), f"breaches are not first: {rows}"
    positions = [(r["case"], r["person"]) for r in rows]
    assert positions.index((held, "P1")) < positions.index((longer, "P1"))
    user.screenshot("detention-board-breach")

    # the board at an earlier moment (?at=) still shows the detention running
    page.goto(f"/detention?at={quote(live.iso(t0))}")
    earlier = {(r["case"], r["person"]): r["status"] for r in board_rows(page)}
    assert earlier.get((held, "P1")) == "open", f"?at= before the limit: {earlier}"

    monitor = session_factory()  # the ombudsman's screen too
    monitor.sign_in("omb")
    monitor.page.goto("/detention")
    seen = {(r["case"], r["person"]): r["status"] for r in board_rows(monitor.page)}
    assert seen.get((held, "P1")) == "breached", f"the ombudsman does not see the breach: {seen}"

    page.goto(f"/?code={LIMIT_CODE}")  # the home page lists the most urgent 20: other tests' breaches come first
    alert = page.locator(f'table#alerts tr[data-case="{held}"][data-code="{LIMIT_CODE}"]')
    assert alert.count() >= 1, "the breach is not among the home page's alerts"
    assert alert.first.get_attribute("data-status") == "breached"
    user.screenshot("home-prosecutor-breach")


# 3 ---------------------------------------------------------------------------------------------


def test_switching_to_kazakh_is_kept(user, live):
    case = live.new_case()
    live.detain(case, live.clock.now() - timedelta(hours=1))
    page = user.page
    user.sign_in("inv")
    assert page.locator("html").get_attribute("lang") == "en"
    english_heading = page.locator("h1").inner_text()

    with page.expect_navigation():
        page.locator("header a[hreflang=kk]").first.click()
    assert page.locator("html").get_attribute("lang") == "kk"
    header = page.evaluate(HEADER_WORDS)
    assert KAZAKH_LETTERS.search(header), f"no Kazakh word in the header: {header!r}"
    sign_out = ui_word("kk", "Sign out")
    assert page.locator('form[action="/sign-out"]').inner_text().strip() == sign_out
    heading = page.locator("h1").inner_text()
    assert heading != english_heading, "the heading stayed English"
    assert KAZAKH_LETTERS.search(heading), f"the heading is not Kazakh: {heading!r}"
    assert any(c["name"] == "habeas_lang" and c["value"] == "kk" for c in user.context.cookies())
    user.screenshot("home-kk")

    user.open_case(case)  # no ?lang=: the cookie keeps the choice
    assert page.locator("html").get_attribute("lang") == "kk"
    finding = page.locator(f'section#findings [data-code="{LIMIT_CODE}"]').first
    text = finding.inner_text()
    assert KAZAKH_LETTERS.search(text), f"the finding is not in Kazakh: {text!r}"
    fragment = catalogue_fragment("kk", LIMIT_CODE)
    assert fragment in text, f"the finding does not read as the law's Kazakh catalogue ({fragment!r}): {text!r}"
    user.screenshot("case-file-kk")

    with page.expect_navigation():
        page.locator("header a[hreflang=ru]").first.click()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert urlsplit(page.url).path == f"/cases/{case}", "the language switch left the page"


# 4 ---------------------------------------------------------------------------------------------


def test_the_person_sees_who_read_their_case(session_factory, live):
    investigator, person = session_factory(), session_factory()
    investigator.sign_in("inv")  # the home page's alerts are reads too: done before counting
    person.sign_in("suspect")
    page = person.page
    page.goto("/me/reads")
    reads_by_inv = page.locator('table#reads tr[data-actor="inv"]')
    before = reads_by_inv.count()

    investigator.open_case(live.case)  # the investigator reads the person's case file
    assert live.case in investigator.page.locator("h1").inner_text()

    page.reload()
    actors = page.locator("table#reads tr[data-actor]").evaluate_all("rs => rs.map(r => r.dataset.actor)")
    assert reads_by_inv.count() > before, f"the investigator's read of the case file is not listed: {actors}"
    person.screenshot("my-reads")

    person.open_case(live.case)  # the person may read their own case
    assert live.case in page.locator("h1").inner_text()

    investigator.sign_out()
    investigator.page.goto("/cases")
    assert urlsplit(investigator.page.url).path == "/sign-in", "still signed in after signing out"


# 5 ---------------------------------------------------------------------------------------------


def test_a_missing_field_is_shown_beside_it_and_nothing_is_stored(user, live):
    case = live.new_case()
    page = user.page
    user.sign_in("inv")
    user.open_case(case)
    before = timeline_ids(page)
    assert before, "the case file shows no timeline"

    page.goto(f"/record/person.detained?case={case}")
    form = page.locator("form#record")
    form.locator("input[name=case]").fill(case)
    form.locator("input[name=occurred_at]").fill(local_picker(live.clock.now() - timedelta(minutes=5)))
    form.locator('[name="data.person"]').select_option("")
    form.locator('[name="data.place"]').fill("Almaty police, Medeu district")
    form.evaluate("f => { f.noValidate = true }")  # let the server judge, as without a browser's checks
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 422, f"a missing field answered {answer.value.status}"
    page.wait_for_load_state()

    error = page.locator('[id="error-data.person"]')
    assert error.is_visible(), "no error for the missing person"
    assert error.evaluate("e => e.matches('p.field-error')")
    beside = page.evaluate(
        """() => {
            const input = document.querySelector('[name="data.person"]');
            const error = document.getElementById('error-data.person');
            const described = (input.getAttribute('aria-describedby') || '').split(/\\s+/).includes(error.id);
            let near = false;
            for (let n = input.parentElement; n && n.tagName !== 'FORM' && n !== document.body; n = n.parentElement) {
                if (n.contains(error)) { near = true; break; }
            }
            return {described, near};
        }"""
    )
    assert beside["near"], "the error is not beside its field"
    assert beside["described"], "the field is not described by its error (aria-describedby)"
    assert form.locator('[name="data.place"]').input_value() == "Almaty police, Medeu district", "the form lost input"
    user.screenshot("record-form-error")

    user.open_case(case)
    assert timeline_ids(page) == before, "a refused form stored something"


# 6 ---------------------------------------------------------------------------------------------


NARROW = {"width": 360, "height": 740}
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(e => !['hidden', 'submit', 'button', 'reset', 'image'].includes(e.type))
    .filter(e => e.labels.length === 0)
    .map(e => e.name || e.id || e.outerHTML)"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_at_360_px_nothing_overflows_and_every_field_is_labelled(session_factory, live):
    case = live.new_case()
    live.detain(case, live.clock.now() - timedelta(hours=2))
    narrow = session_factory(viewport=NARROW)
    page = narrow.page
    narrow.sign_in("inv")

    narrow.open_case(case)
    assert page.locator("section#timeline li[data-event-id]").count() >= 4
    assert page.evaluate(OVERFLOW) <= 0, (
        f"the case file is {page.evaluate('document.documentElement.scrollWidth')} px wide at 360 px"
    )
    narrow.screenshot("case-file-360px")

    for path in ("/", "/detention", "/cases", f"/record/person.detained?case={case}"):
        page.goto(path)
        assert page.evaluate(OVERFLOW) <= 0, f"{path} overflows at 360 px"

    page.goto(f"/record/person.detained?case={case}")
    fields = page.locator("form#record").locator("input, select, textarea")
    assert fields.count() >= 4
    assert page.evaluate(UNLABELLED) == [], "fields without a label on the record form"
    narrow.screenshot("record-form-360px")

    page.goto("/sign-in")
    assert page.evaluate(UNLABELLED) == [], "fields without a label on the sign-in form"


LOW_CONTRAST = """() => {
    const parse = c => {
        const m = c.match(/rgba?\\(([^)]+)\\)/);
        if (!m) return null;
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
    };
    const over = (top, bottom) => ({
        r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
        b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
    });
    const background = element => {
        const layers = [];
        for (let n = element; n; n = n.parentElement) {
            const c = parse(getComputedStyle(n).backgroundColor);
            if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
        }
        return layers.reverse().reduce((below, layer) => over(layer, below), {r: 255, g: 255, b: 255, a: 1});
    };
    const luminance = ({r, g, b}) => {
        const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const found = [], seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const element = walker.currentNode.parentElement;
        if (!walker.currentNode.textContent.trim() || seen.has(element)) continue;
        seen.add(element);
        const style = getComputedStyle(element);
        if (style.visibility === 'hidden' || element.getClientRects().length === 0) continue;
        const back = background(element), fore = over(parse(style.color), back);
        const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
        const ratio = (light + 0.05) / (dark + 0.05);
        const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
        const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;  // WCAG 2 AA
        if (ratio < needed) {
            const text = walker.currentNode.textContent.trim().slice(0, 40);
            found.push(`${ratio.toFixed(2)} < ${needed}: ${element.tagName.toLowerCase()}.${element.className}`
                       + ` "${text}" (${style.color} on ${style.backgroundColor})`);
        }
    }
    return found;
}"""


def test_text_has_sufficient_contrast(user, live):
    """WCAG 2 AA contrast (4.5:1, 3:1 for large text) for every visible text of the main pages,
    the alarming ones (a breach, a refusal) included."""
    case = live.new_case()
    now = live.clock.now()
    live.detain(case, now - timedelta(hours=limit_hours(live.law, "detention.limit.adult", now) + 1))  # breached
    page = user.page
    page.goto("/sign-in")
    low = {"/sign-in": page.evaluate(LOW_CONTRAST)}
    user.sign_in("inv")
    for path in ("/", "/detention", f"/cases/{case}", "/statistics", "/law"):
        user.open_case(case) if path.startswith("/cases/") else page.goto(path)
        low[path] = page.evaluate(LOW_CONTRAST)
    assert page.goto("/detention") and page.locator('table#board tr[data-status="breached"]').count() >= 1
    page.goto(f"/record/person.detained?case={case}")
    page.locator("form#record").evaluate("f => { f.noValidate = true }")
    page.locator("form#record button[type=submit]").click()
    page.locator("p.field-error").first.wait_for()
    low["the refused record form"] = page.evaluate(LOW_CONTRAST)
    found = {where: texts for where, texts in low.items() if texts}
    assert not found, "text with too little contrast:\n" + "\n".join(
        f"{where}: {text}" for where, texts in found.items() for text in texts
    )


# 7 ---------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_signs_in_first_but_reads_the_statistics(user, live):
    page = user.page
    page.goto("/cases")
    where = urlsplit(page.url)
    assert where.path == "/sign-in", f"an anonymous visitor of /cases got {page.url}"
    assert parse_qs(where.query).get("next") == ["/cases"]
    assert page.locator("form#sign-in").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("a[hreflang=ru]").count() >= 1 and page.locator("a[hreflang=kk]").count() >= 1
    assert page.locator('form[action="/sign-out"]').count() == 0
    user.screenshot("sign-in")

    page.locator("input#login").fill("nobody")
    page.locator("input#token").fill("not-a-token")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("form#sign-in button[type=submit]").click()
    assert answer.value.status == 401
    assert page.locator("p.field-error#error-token").is_visible()
    assert not any(c["name"] == "habeas_session" and c["value"] for c in user.context.cookies())

    response = page.goto("/statistics")
    assert response.status == 200
    assert urlsplit(page.url).path == "/statistics", "the public statistics asked to sign in"
    assert page.locator("h1").is_visible()
    user.screenshot("statistics", full_page=False)


@pytest.mark.parametrize(("accept", "lang"), [("ru-RU,ru;q=0.9,en;q=0.5", "ru"), ("kk-KZ,kk;q=0.9", "kk")])
def test_the_language_follows_accept_language(session_factory, accept, lang):
    visitor = session_factory(locale=accept.split(",")[0])
    visitor.context.set_extra_http_headers({"Accept-Language": accept})
    visitor.page.goto("/sign-in")
    assert visitor.page.locator("html").get_attribute("lang") == lang
