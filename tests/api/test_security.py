"""The attacks of issue 23 on sessions, bodies and sign-in, as an attacker sends them over
HTTP, on both stores; each must now fail. (The same attacks from a real browser page are in
tests/web/test_attacks_browser.py.)

- a session cookie never authorises the API, not even `events:batch` sent as text/plain;
- an unauthenticated body larger than the route accepts is refused with 413 unread (a real
  server, a streamed body);
- wrong tokens cannot lock a user out, every failure reads alike, an address that keeps
  failing waits, and failures are counted without a read record each;
- every answer carries the browser's security headers, HSTS only over HTTPS.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from habeas.api import Settings, create_app
from habeas.api.security import BODY_BYTES
from habeas.db.schema import events, reads
from habeas.db.schema import users as users_table
from habeas.services import throttle
from tests.api.conftest import detention_case, is_error
from tests.conftest import NOW, REGISTRAR


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


# -- a cookie is no key to the API ------------------------------------------------------------------


def test_a_session_cookie_never_authorises_an_api_write_or_read(api):
    headers = api.sign_in("registrar")
    session = headers["Authorization"].removeprefix("Bearer ")
    before = _count(api.engine, events)
    case = detention_case("KZ-2024-009999")
    as_cookie = {"Cookie": f"habeas_session={session}"}
    batch = "\n".join(json.dumps({**e, "actor": REGISTRAR.to_dict()}) for e in case)
    for answer in (
        api.client.post("/api/v1/events:batch", content=batch, headers={**as_cookie, "Content-Type": "text/plain"}),
        api.client.post("/api/v1/events", json=case[0], headers=as_cookie),
        api.client.get("/api/v1/cases/KZ-2024-000777", headers=as_cookie),
        api.client.get("/api/v1/cases", headers=as_cookie),
        api.client.get("/api/v1/me", headers=as_cookie),
    ):
        is_error(answer, 401, "unauthenticated")
    assert _count(api.engine, events) == before
    # the same session as a bearer token is the registrar's
    assert api.client.get("/api/v1/me", headers=headers).json()["login"] == "registrar"


# -- security headers -------------------------------------------------------------------------------


PATHS = ["/api/v1/me", "/api/v1/law", "/openapi.json", "/api/v1/no-such-thing"]


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_carries_the_browsers_security_headers(sqlite_api, path):
    answer = sqlite_api.client.get(path)
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in answer.headers  # plain HTTP: HSTS means nothing there


def test_hsts_over_https(sqlite_api):
    client = TestClient(sqlite_api.client.app, base_url="https://register.example")
    assert client.get("/api/v1/law").headers["strict-transport-security"].startswith("max-age=")


def test_swagger_ui_is_served_from_the_package_without_inline_script(sqlite_api):
    page = sqlite_api.client.get("/api/docs")
    assert page.status_code == 200
    scripts = [line for line in page.text.splitlines() if "<script" in line]
    assert scripts and all('src="/api/docs/' in line and line.endswith("></script>") for line in scripts), scripts
    assert "//" not in "".join(line.split('src="')[1] for line in scripts)  # no other host
    for line in scripts:
        src = line.split('src="')[1].split('"')[0]
        asset = sqlite_api.client.get(src)
        assert asset.status_code == 200 and "javascript" in asset.headers["content-type"] and len(asset.content) > 100


# -- body limits ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_url(tmp_path_factory):
    """The app on a real server (uvicorn, a thread, a free port): bodies arrive as a client streams them."""
    import uvicorn

    from habeas.jurisdictions import load
    from habeas.services import setup

    directory = tmp_path_factory.mktemp("limits")
    url = f"sqlite:///{directory / 'habeas.db'}"
    with setup.open_database(url) as engine:
        setup.prepare(engine)
    load("kz")
    app = create_app(Settings(database_url=url, signing_key=directory / "key", web=True))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield ("127.0.0.1", port)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def _answer(conn: socket.socket) -> str:
    conn.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")


HUGE = 300 * 1024 * 1024


@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/events:batch", "/api/v1/sessions", "/sign-in"])
def test_a_declared_300_mb_body_is_refused_before_a_byte_is_read(live_url, path):
    with socket.create_connection(live_url) as conn:
        conn.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {HUGE}\r\n\r\n".encode()
        )
        started = time.monotonic()
        answer = _answer(conn)  # not a byte of the body sent
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/sessions", "/sign-in"])
def test_a_streamed_body_is_refused_once_it_passes_the_limit(live_url, path):
    """Chunked, no length: the server stops reading soon after the limit, and answers 413;
    the client could not send more than a little past it."""
    chunk = b"x" * 65536
    sent = 0
    with socket.create_connection(live_url) as conn:
        kind = "application/x-www-form-urlencoded" if path == "/sign-in" else "application/json"
        conn.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {kind}\r\n".encode())
        conn.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
        conn.settimeout(10)
        try:
            while sent < HUGE:
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                conn.setblocking(False)
                try:
                    peek = conn.recv(12, socket.MSG_PEEK)
                except BlockingIOError:
                    peek = b""
                conn.setblocking(True)
                conn.settimeout(10)
                if peek:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _answer(conn)
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert sent < BODY_BYTES + 16 * 1024 * 1024, f"{sent} bytes were taken before the refusal"


# -- signing in -------------------------------------------------------------------------------------


class Pauses(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _from(api, address: str) -> TestClient:
    """A client at another address, on the same running app."""
    return TestClient(api.client.app, client=(address, 40000))


def test_wrong_tokens_never_lock_the_user_out_and_slow_a_guesser(api):
    token = api.add_user("inv-1")
    api.ctx.pause = pauses = Pauses()
    stranger = _from(api, "203.0.113.7")
    answers = [stranger.post("/api/v1/sessions", json={"login": "inv-1", "token": "guess"}) for _ in range(8)]
    statuses = [a.status_code for a in answers]
    assert statuses[: throttle.FREE_FAILURES] == [401] * throttle.FREE_FAILURES
    assert set(statuses[throttle.FREE_FAILURES :]) == {429}, statuses  # the guesser's address waits
    assert int(answers[-1].headers["retry-after"]) >= 1
    user = _from(api, "198.51.100.2")
    assert user.post("/api/v1/sessions", json={"login": "inv-1", "token": token}).status_code == 201
    assert 0 < pauses[-1] <= throttle.LOGIN_DELAY_MAX  # held a moment, never refused


def test_every_failure_reads_alike_known_or_not(api):
    api.add_user("inv-1")
    api.add_user("adv-1")
    from habeas.services import users

    users.disable(api.engine, api.law, users.operator("op"), NOW, "adv-1")
    api.ctx.pause = pauses = Pauses()
    messages, delays = {}, {}
    for number, login in enumerate(["inv-1", "no-such-user", "adv-1"]):
        client = _from(api, f"192.0.2.{number}")
        found = []
        for _ in range(throttle.FREE_FAILURES):
            answer = client.post("/api/v1/sessions", json={"login": login, "token": api.tokens.get("adv-1", "x")})
            found.append(is_error(answer, 401, "unauthenticated")["message"])
        messages[login] = found
        delays[login] = list(pauses)
        pauses.clear()
    assert len({m for found in messages.values() for m in found}) == 1, messages
    assert delays["inv-1"] == delays["no-such-user"] == delays["adv-1"]


def test_failed_sign_ins_are_counted_not_written_to_the_read_log(api):
    api.add_user("inv-1")
    api.ctx.pause = Pauses()
    before = _count(api.engine, reads)
    for number in range(40):
        client = _from(api, f"10.0.{number}.1")  # many addresses: none is throttled
        is_error(client.post("/api/v1/sessions", json={"login": "inv-1", "token": "guess"}), 401)
        is_error(client.post("/api/v1/sessions", json={"login": f"x{number}" * 20, "token": "guess"}), 401)
    assert _count(api.engine, reads) == before
    with api.engine.connect() as conn:
        failures = conn.execute(select(users_table.c.failures).where(users_table.c.login == "inv-1")).scalar_one()
        logins = conn.execute(select(func.count()).select_from(users_table)).scalar_one()
    assert failures == 40 and logins == 1  # the unknown logins are stored nowhere


def test_an_address_waits_less_once_its_time_has_passed(api):
    token = api.add_user("inv-1")
    api.ctx.pause = Pauses()
    client = _from(api, "203.0.113.9")
    for _ in range(throttle.FREE_FAILURES):
        client.post("/api/v1/sessions", json={"login": "inv-1", "token": "guess"})
    is_error(client.post("/api/v1/sessions", json={"login": "inv-1", "token": token}), 429, "too_many_attempts")
    api.clock.advance(timedelta(seconds=2))
    assert client.post("/api/v1/sessions", json={"login": "inv-1", "token": token}).status_code == 201
