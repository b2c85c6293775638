"""The web UI driven in a real browser: a live server and Debian's Chromium (issue 10).

One server per test process (pytest-xdist runs two): a fresh SQLite register in a temporary
directory, a few users of each role, the app on a free port of 127.0.0.1 in a background
thread, and a `FixedClock` the tests hold, so that a test can move the register's "now".
Each test builds its own cases (`Live.new_case`), so the tests need no order, and a test
only ever moves the clock forward (later tests get a later now, never an earlier one).

Chromium is Debian's (`executable_path`, `playwright install` cannot download here):
`HABEAS_TEST_BROWSER` names it when `make test` runs, and then a missing browser fails the
tests; without it, /usr/bin/chromium is used if present and the tests are skipped if not.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from habeas.clock import FixedClock
from habeas.domain.events import Actor
from habeas.jurisdictions import load
from habeas.services import setup, users
from habeas.services.register import Register

DEFAULT_BROWSER = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
START = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # the register's "now" when the server starts
ALMATY = timezone(timedelta(hours=5))
AGENCY, REGION = "almaty-police", "almaty"
INVESTIGATOR = Actor("inv", "investigator", AGENCY)  # the `inv` user records as this actor


def iso(moment: datetime) -> str:
    """A moment as the event format writes it: ISO 8601 with the Almaty offset."""
    return moment.astimezone(ALMATY).isoformat(timespec="seconds")


@dataclass
class Live:
    """The live register the browser talks to, and the handles a test needs on it."""

    url: str
    clock: FixedClock
    law: object
    register: Register
    tokens: dict[str, str]
    case: str  # the case the person users are parties of
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(101))
    iso = staticmethod(iso)

    def submit(self, kind: str, case: str, at: datetime, data: dict, actor: Actor = INVESTIGATOR) -> str:
        raw = {"kind": kind, "case": case, "occurred_at": iso(at), "actor": actor.to_dict(), "data": data}
        return self.register.submit(raw).event.id

    def new_case(self, *, article: str = "188", part: int = 1) -> str:
        """A fresh case of the investigator's unit in Almaty, with a suspect P1 and a victim V1,
        registered a day before the clock's now."""
        number = next(self._numbers)
        case = f"KZ-2026-{number:06d}"
        at = self.clock.now() - timedelta(days=1)
        self.submit(
            "case.registered",
            case,
            at,
            {"erdr_number": f"2675100{number:05d}", "article": article, "part": part, "region": REGION},
        )
        self.submit(
            "party.added",
            case,
            at + timedelta(minutes=5),
            {"person": "P1", "role": "suspect", "name": f"Suspect {number}", "birth_date": "1990-02-03"},
        )
        self.submit(
            "party.added",
            case,
            at + timedelta(minutes=6),
            {"person": "V1", "role": "victim", "name": f"Victim {number}"},
        )
        return case

    def detain(self, case: str, at: datetime, person: str = "P1", **extra) -> str:
        data = {"person": person, "place": "Almaty police, Bostandyk", **extra}
        return self.submit("person.detained", case, at, data)


def _wait_started(server, thread: threading.Thread, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the web server stopped while starting (see the log above)")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the web server did not start within {timeout:.0f} s")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> Iterator[Live]:
    import uvicorn

    from habeas.api.app import Settings, create_app

    directory = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{directory / 'habeas.db'}"
    law = load("kz")
    clock = FixedClock(START)
    with setup.open_database(url) as engine:
        setup.prepare(engine)
        register = Register(engine, law, clock)
        live = Live("", clock, law, register, {}, "")
        live.case = live.new_case()
        operator = users.operator("op")
        for login, role, extra in [
            ("inv", "investigator", {"agency": AGENCY, "region": REGION}),
            ("pros", "prosecutor", {"agency": "almaty-prosecutor", "region": REGION}),
            ("omb", "ombudsman", {"agency": "ombudsman"}),
            ("reg", "registrar", {"agency": "ministry-records"}),
            ("suspect", "person", {"person": (live.case, "P1")}),
            ("victim", "person", {"person": (live.case, "V1")}),
        ]:
            live.tokens[login] = users.add(engine, law, operator, clock.now(), login, role, **extra).token

        app = create_app(Settings(database_url=url, clock=clock, signing_key=directory / "signing.key"))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # a free port for this test process
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="habeas-web", daemon=True)
        thread.start()
        try:
            _wait_started(server, thread)
            live.url = f"http://127.0.0.1:{port}"
            yield live
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            sock.close()


@pytest.fixture(scope="session")
def browser_path() -> str:
    given = os.environ.get("HABEAS_TEST_BROWSER")
    if given:
        if not (os.path.isfile(given) and os.access(given, os.X_OK)):
            pytest.fail(f"HABEAS_TEST_BROWSER={given}: no such executable browser", pytrace=False)
        return given
    if not os.access(DEFAULT_BROWSER, os.X_OK):
        pytest.skip(f"no browser: {DEFAULT_BROWSER} is absent and HABEAS_TEST_BROWSER is not set")
    return DEFAULT_BROWSER


@pytest.fixture(scope="session")
def browser(browser_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # the [test] extra installs it
        pytest.fail(f"playwright is not installed: {exc}", pytrace=False)
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=browser_path, headless=True, args=BROWSER_ARGS)
        except Exception as exc:
            pytest.fail(f"cannot start the browser {browser_path}: {exc}", pytrace=False)
        yield browser
        browser.close()


class Session:
    """One browser context (its own cookies) and its page, with what went wrong in it:
    requests that left 127.0.0.1 (the register must work on a closed network) and errors
    thrown by the pages' scripts."""

    def __init__(self, browser, live: Live, *, viewport=None, locale="en-US"):
        self.live = live
        self.context = browser.new_context(
            base_url=live.url, locale=locale, viewport=viewport or {"width": 1280, "height": 900}
        )
        self.context.set_default_timeout(10_000)
        self.outside: list[str] = []
        self.script_errors: list[str] = []
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.script_errors.append(str(error)))

    def _only_local(self, route) -> None:
        if route.request.url.startswith(self.live.url + "/") or route.request.url == self.live.url:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def sign_in(self, login: str) -> None:
        """Sign in through the form with the keyboard: type the login, Tab, the token, Enter."""
        page = self.page
        page.goto("/sign-in")
        page.locator("form#sign-in input#login").focus()
        page.keyboard.type(login)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "token", "Tab from the login does not reach the token"
        page.keyboard.type(self.live.tokens[login])
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert urlsplit(page.url).path != "/sign-in", f"signing in as {login} failed: {page.url}"
        assert any(c["name"] == "habeas_session" for c in self.context.cookies()), "no habeas_session cookie"

    def open_case(self, case: str, purpose: str = "case review") -> None:
        """Open a case file as a user does from elsewhere: its address, then the purpose asked."""
        page = self.page
        page.goto(f"/cases/{case}")
        form = page.locator("form#purpose")
        if form.count():
            form.locator("input[name=purpose]").fill(purpose)
            with page.expect_navigation():
                form.locator("button[type=submit]").click()

    def sign_out(self) -> None:
        with self.page.expect_navigation():
            self.page.locator('form[action="/sign-out"] [type=submit]').first.click()
        assert not any(c["name"] == "habeas_session" and c["value"] for c in self.context.cookies())

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        """The page as shown, to build/screenshots/NAME.png (the whole page, or the viewport)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page, timeout=30_000)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session_factory(browser, live):
    sessions: list[Session] = []

    def make(**options) -> Session:
        sessions.append(Session(browser, live, **options))
        return sessions[-1]

    yield make
    problems = []
    for session in sessions:
        problems += [f"request outside the server: {u}" for u in session.outside]
        problems += [f"script error: {e}" for e in session.script_errors]
        session.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def user(session_factory) -> Session:
    """A fresh browser context at 1280 px, English."""
    return session_factory()
