"""The demo: a register with a simulated caseload, safe to run twice."""

from __future__ import annotations

import os
import subprocess
import sys


def test_demo_runs_twice_and_stores_nothing_the_second_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {**os.environ, "COLUMNS": "200"}
    command = [sys.executable, "-m", "habeas.demo", "--db", url, "--cases", "40"]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "samples/one-case.jsonl: stored 19, skipped 0" in first.stdout
    assert "habeas verify" in first.stdout and "chain intact" in first.stdout
    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "stored 0, skipped 19" in second.stdout
    assert "(40 cases, seed 1): stored 0," in second.stdout


def test_the_demo_s_caseload_ends_before_its_fixed_clock(tmp_path):
    from sqlalchemy import create_engine, text

    from habeas.demo import clock_of
    from habeas.simulator import calibration
    from habeas.simulator.engine import Simulation

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    command = [sys.executable, "-m", "habeas.demo", "--db", url, "--cases", "40", "--years", "0.25"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    clock = clock_of(0.25)
    assert f"as of {clock.isoformat()}" in done.stdout
    engine = create_engine(url)
    with engine.connect() as conn:
        latest, recorded = conn.execute(text("SELECT max(occurred_at), min(recorded_at) FROM events")).one()
        count = conn.execute(text("SELECT count(*) FROM events")).scalar()
    engine.dispose()
    from datetime import datetime

    assert datetime.fromisoformat(str(latest)) <= clock  # no fact after the clock
    assert datetime.fromisoformat(str(recorded)) == clock  # recorded at the clock
    # the simulation itself runs on past the clock: the register holds what was known by then
    from habeas.jurisdictions import load

    simulation = Simulation(load("kz"), calibration("kz"), cases=40, years=0.25, seed=1, start=clock_of(0))
    assert sum(1 for _ in simulation) > count - 19


def test_the_demo_has_a_login_for_every_role_that_opens_its_cases(tmp_path):
    """`make demo` prints a login and token per role; each signs in through the API and
    opens the demo case it is entitled to (the judge and clerk their court's case), and the
    analyst, who reads statistics only, is refused."""
    import re

    from fastapi.testclient import TestClient

    from habeas.api.app import Settings, create_app
    from habeas.clock import FixedClock
    from habeas.demo import clock_of
    from habeas.domain.vocabulary import ROLES

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    command = [sys.executable, "-m", "habeas.demo", "--db", url, "--cases", "40"]
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0, done.stderr
    listed = done.stdout.split("Sign in to the web UI as (login and token):")[1].strip().splitlines()
    logins = {}
    for line in listed:
        login, token, sees = re.match(r"\s*(\S+)\s+(\S+)\s+(.*)", line).groups()
        logins[login] = (token, sees)
    case = re.search(r"The case file of (\S+),", done.stdout).group(1)
    tried = re.search(r"before \S+ \((\S+)\)", logins["judge"][1]).group(1)
    app = create_app(Settings(database_url=url, clock=FixedClock(clock_of(0.5))))
    roles = {}
    with TestClient(app) as client:
        for login, (token, _sees) in logins.items():
            answer = client.post("/api/v1/sessions", json={"login": login, "token": token})
            assert answer.status_code == 201, (login, answer.text)
            session = answer.json()
            roles[login] = session["user"]["role"]
            headers = {"Authorization": f"Bearer {session['token']}"}
            mine = tried if roles[login] in ("judge", "court_clerk") else case
            opened = client.get(f"/api/v1/cases/{mine}", headers=headers, params={"purpose": "demo check"})
            expected = {"analyst": 403, "registrar": 403}.get(roles[login], 200)
            assert opened.status_code == expected, (login, roles[login], mine, opened.text[:300])
    assert set(roles.values()) == set(ROLES) - {"admin"}  # the operator is the command line's
