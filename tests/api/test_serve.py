"""`habeas serve` as an operator starts it: a real server process, answering over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import ONE_CASE
from tests.test_cli import habeas


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_the_api_and_the_web_ui(tmp_path, workers):
    db = f"sqlite:///{tmp_path / 'served.db'}"
    habeas("init", db=db)
    habeas("import", str(ONE_CASE), db=db)
    port = free_port()
    env = {**os.environ, "HABEAS_DATABASE_URL": db}
    server = subprocess.Popen(
        [sys.executable, "-m", "habeas", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                head = httpx.get(f"{base}/api/v1/ledger/head", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(f"the server did not answer: {server.stderr.read() if server.poll() else ''}")
        assert head.status_code == 200 and head.json()["events"]["position"] == 19
        assert httpx.get(f"{base}/openapi.json").json()["info"]["title"] == "habeas"
        page = httpx.get(f"{base}/sign-in")
        assert page.status_code == 200 and 'id="sign-in"' in page.text
        assert httpx.get(f"{base}/api/v1/cases").json()["error"]["code"] == "unauthenticated"
    finally:
        server.terminate()
        server.wait(20)


def test_serve_refuses_a_database_without_a_schema_clearly(tmp_path):
    done = habeas("serve", "--port", str(free_port()), db=f"sqlite:///{tmp_path / 'empty.db'}", check=False, timeout=60)
    assert done.returncode == 1 and "run `habeas init` first" in done.stderr
