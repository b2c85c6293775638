"""Locust profiles of the national peak (`python -m bench.load` runs them headless).

Not run by hand: `bench/load.py` seeds a register, serves it, signs the users in and writes
the plan (tokens, the seeded cases, each profile's users and rate) to the JSON file named by
$HABEAS_LOAD_PLAN. One class per profile; each user of a profile sends a Poisson stream of
requests at its rate (`_Profile.wait_time`), so the offered load is the plan's, not what the
server can take.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gevent
from locust import HttpUser, task

PLAN = json.loads(Path(os.environ["HABEAS_LOAD_PLAN"]).read_text(encoding="utf-8"))
RATE = PLAN["per_user_rate"]
_numbers = itertools.count()  # a new case per recorded report, unique in this process


def _users(profile: str) -> int:
    return PLAN["profiles"][profile]["users"]


class _Profile(HttpUser):
    """A user who sends requests at the plan's rate as a Poisson stream: independent users
    at a mean rate, as a country's officials are. (`constant_throughput` started every user
    of a step at the same instant and kept them in step: all of them asked at once, once a
    second, and the last of each burst waited for the whole burst.)"""

    abstract = True
    login = "reader"

    def on_start(self) -> None:
        if self.login:
            self.client.headers["Authorization"] = f"Bearer {PLAN['tokens'][self.login]}"
        self.pick = random.Random(PLAN["seed"] + id(self))
        gevent.sleep(self.pick.expovariate(RATE))  # the first arrival too: users spawned together start apart

    def wait_time(self) -> float:
        """Until this user's next arrival: arrivals a Poisson stream of rate RATE, whatever
        each request took (so the offered rate is the plan's while the server keeps up)."""
        now = time.monotonic()
        self.next_at = max(getattr(self, "next_at", now), now - 1 / RATE) + self.pick.expovariate(RATE)
        return max(0.0, self.next_at - now)


class Investigator(_Profile):
    """Records facts: a new report (`report.received`) opens a case (the group committer takes it)."""

    fixed_count = _users("investigators")
    login = "writer"

    @task
    def record(self) -> None:
        n = next(_numbers)
        occurred = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
        self.client.post(
            "/api/v1/events",
            json={
                "id": f"load-{PLAN['run']}-{os.getpid()}-{n}",
                "kind": "report.received",
                "case": f"LOAD-{PLAN['run']}-{os.getpid()}-{n:07d}",
                "occurred_at": occurred,
                "actor": PLAN["investigator"],
                "data": {"channel": "written", "summary": "theft from a flat by breaking in", "victim": "V1"},
            },
            name="POST /events",
        )


class CaseReader(_Profile):
    """Prosecutors and judges reading case files (the policy asked, the read logged)."""

    fixed_count = _users("case_readers")

    @task
    def read(self) -> None:
        case = self.pick.choice(PLAN["cases"])
        self.client.get(f"/api/v1/cases/{case}?purpose=case%20review", name="GET /cases/{case}")


class Monitor(_Profile):
    """Supervising prosecutors and monitors on the board: the most urgent alerts."""

    fixed_count = _users("monitors")

    @task
    def board(self) -> None:
        self.client.get("/api/v1/alerts?limit=100", name="GET /alerts")


class Public(_Profile):
    """The public on the statistics (no sign-in: no token sent)."""

    fixed_count = _users("public")
    login = None

    @task
    def statistics(self) -> None:
        year = self.pick.choice(PLAN["statistics_years"])
        self.client.get(f"/api/v1/statistics?years={year}", name="GET /statistics")
