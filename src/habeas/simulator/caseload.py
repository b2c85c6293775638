"""The simulator's detailed caseload: every case's path, as events in the import format (design §4).

For demos, tests and benchmarks, where the engine (`engine.py`: queues of officials, one
suspect, the calibrated failures) gives the national picture. Each case follows a full path
(report, ERDR registration, parties; several suspects; for some a detention with its protocol,
rights, notices, counsel and questioning, then a release or a custody petition and the
investigating judge's decision; extensions; closure or trial, verdict, appeal, prison), and the
National Preventive Mechanism visits places of detention. Every share and spread is a figure of
`calibration.yaml` (its `caseload` section, and the engine's probabilities where they overlap);
every limit is asked of the rules engine on the case's facts (`law.rules.due`, `longest`,
`finds`), and who must agree each extension of its ladders (`agreements`), under the law in force
on the day, so a start in 2017 or 2020 follows the acts then in force; the judge of a measure is
the one the law's competence names at the case's stage (`actors`). Lawful facts fall inside the
limit; `breach_rate` is the chance that each opportunity for a breach is taken, outside it (0: a
lawful caseload, with no finding at all).

Events come out in one global time order, interleaving the cases as a register would receive
them, with bounded memory: only the cases still running are held, each as a suspended generator
in a heap keyed by the time of its next event. The window is about `cases_per_day` times the
life of a case, whatever the number of events asked for; with neither `cases`, `events` nor
`until` the stream is endless.

    for raw in generate(events=10_000, seed=7):
        ...
    write_jsonl("sample.jsonl", cases=300)

Identifiers: events `g{seed}-{n}`, cases `KZ-{year}-{n:06d}` (numbered from `first_case`, by
default 1000, so the bundled `one-case.jsonl` never collides).
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from habeas.law.package import Law
from habeas.law.rules.loading import load_calendar
from habeas.simulator.actors import Actors
from habeas.simulator.arrivals import Arrivals
from habeas.simulator.calibration import DEFAULT_START, Calibration
from habeas.simulator.detailed.court import Court
from habeas.simulator.detailed.helpers import Helpers
from habeas.simulator.detailed.intake import Intake
from habeas.simulator.detailed.model import BENCHES
from habeas.simulator.detailed.suspects import Suspects


class Caseload(Intake, Suspects, Court, Helpers):
    """An iterable of sample events; `peak_active` is the largest window of running cases."""

    def __init__(
        self,
        cases: int | None = None,
        events: int | None = None,
        seed: int = 1,
        start: datetime = DEFAULT_START,
        breach_rate: float = 0.05,
        *,
        cases_per_day: float | None = None,
        until: datetime | None = None,
        first_case: int = 1000,
        law: Law | None = None,
        calibration: Calibration | None = None,
    ):
        if start.tzinfo is None:
            raise ValueError("start must carry a UTC offset")
        if not 0 <= breach_rate <= 1:
            raise ValueError("breach_rate is a share between 0 and 1")
        if law is None:
            from habeas.jurisdictions import load

            law = load("kz")
        if calibration is None:
            from habeas.simulator import calibration as read

            calibration = read("kz")
        self.law, self.cal = law, calibration
        self.calendar = load_calendar(law)  # the law's working days: unhurried acts fall on them
        self.roles = Actors(law, BENCHES)  # the law's competence: which judge decides a measure
        self.fig = {name: figure.value for name, figure in calibration.caseload.items()}
        prob = calibration.probabilities
        self.p_detained, self.p_petition = prob["detained"].value, prob["custody_petition"].value
        self.p_imprisoned = prob["imprisoned"].value
        self.p_granted, self.p_acquitted = prob["petition_granted"].value, prob["acquitted"].value
        self.per_year = calibration.arrivals["per_year"].value
        self.no_rule_pace = timedelta(hours=calibration.caseload["no_rule_pace"].median)
        self.custody_step = timedelta(hours=calibration.durations["custody_extension"].median)
        if cases_per_day is None:
            cases_per_day = self.per_year / 365
        self.cases = cases
        self.events = events
        self.seed = seed
        self.start = start
        self.breach_rate = breach_rate
        self.cases_per_day = cases_per_day
        self.until = until
        self.first_case = first_case
        self.rng = random.Random(seed)
        self.peak_active = 0
        self.cases_started = 0
        self.emitted = 0
        self._ids = itertools.count(1)
        self._actors: dict[tuple, dict] = {}
        self._gravities: dict[tuple, str | None] = {}
        self._offences = self.fig["offences"]
        self._shares = self.fig["shares_of_term"]
        self._paces = self.fig["paces"]
        self.arrivals = Arrivals(calibration, cases=1, years=1.0)  # where and for what cases come

    # --- the driver: a heap of running cases by the time of their next event ----------------

    def __iter__(self) -> Iterator[dict]:
        rng = self.rng
        heap: list[tuple[datetime, int, dict | None, Any]] = []
        order = itertools.count()
        arrival, visits = object(), self._visits()
        heapq.heappush(heap, (self.start, next(order), None, arrival))
        first_visit = next(visits)
        heapq.heappush(heap, (first_visit[0], next(order), first_visit[1], visits))
        active = 0
        arrivals_open = True
        per_day = self.cases_per_day
        while heap:
            moment, _, raw, source = heapq.heappop(heap)
            if self.until is not None and moment > self.until:
                return
            if source is arrival:
                if self.cases is not None and self.cases_started >= self.cases:
                    arrivals_open = False
                    continue
                self.cases_started += 1
                case = self._case(self.first_case + self.cases_started - 1, moment)
                head = next(case)
                heapq.heappush(heap, (head[0], next(order), head[1], case))
                active += 1
                self.peak_active = max(self.peak_active, active)
                gap = timedelta(days=rng.expovariate(per_day))
                heapq.heappush(heap, (moment + gap, next(order), None, arrival))
                continue
            if source is visits and active == 0 and not arrivals_open:
                return
            self.emitted += 1
            yield raw
            if self.events is not None and self.emitted >= self.events:
                return
            following = next(source, None)
            if following is None:
                active -= 1
            else:
                heapq.heappush(heap, (following[0], next(order), following[1], source))


def _time(item: tuple) -> datetime:
    return item[0]


def generate(
    cases: int | None = None,
    events: int | None = None,
    seed: int = 1,
    start: datetime = DEFAULT_START,
    breach_rate: float = 0.05,
    **options: Any,
) -> Iterator[dict]:
    """Sample events in the import format, in global time order (both limits None: endless)."""
    return iter(Caseload(cases, events, seed, start, breach_rate, **options))


def write_jsonl(
    path: str | Path,
    cases: int | None = None,
    events: int | None = None,
    seed: int = 1,
    start: datetime = DEFAULT_START,
    breach_rate: float = 0.05,
    **options: Any,
) -> int:
    """Write a sample caseload as JSONL; returns the number of events written."""
    count = 0
    dumps = json.dumps
    with open(path, "w", encoding="utf-8") as handle:
        write = handle.write
        for raw in generate(cases, events, seed, start, breach_rate, **options):
            write(dumps(raw, ensure_ascii=False) + "\n")
            count += 1
    return count
