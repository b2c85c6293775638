"""The event-driven engine: a heap of timed steps, cases as processes, resources as queues.

Each case is a generator that yields what it waits for: a time (an hour count from the
period's start), or a pool of officials (investigators, investigating judges, judges of its
region) with the hours of work it needs. The scheduler resumes processes in time order, so
every pool is served first come, first served, and an understaffed pool makes cases wait:
late registrations, petitions that reach the judge after the detention limit, backlogs.
Breaches emerge from load and from the calibrated failures, not from a breach rate.

A process records a fact at the scheduler's time as a compact record (its number, time,
case, kind, actor and data); the records come out in time order and become design §4 events
only when a consumer asks for them (`iter(sim)`; `sim.records()` gives the records). Every
case's chances and durations are drawn with numpy in blocks of cases, in arrival order, so
the same seed gives the same log, byte for byte, and a what-if run on the same seed meets
the same draws case by case.

The law is asked, never copied: when a detention must end, how long custody may run, when an
investigation's term ends, all from the rules engine on the case's facts. Its answers are
remembered per class of case (the rule; the offence and its gravity when the rule may read
them; whether the suspect is a minor by the law's age of majority on the day; the law's version
period), and only in the form the engine itself showed: once two asks on
different days at different hours gave the same lapse, the answer moves with the time it
counts from; when they do not, the class is remembered per day, where two asks at different
hours must agree; otherwise every case is asked. `check_law=True` asks every case as well and
fails on any difference (`tests/simulator`).
"""

from __future__ import annotations

import gc
import heapq
import itertools
import json
import math
import random
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Any

import numpy as np

from habeas.domain.case import fold_all
from habeas.domain.events import Actor, Event
from habeas.law.calendar import age_on
from habeas.law.offences import gravity_of
from habeas.law.package import Law, MissingLaw
from habeas.law.rules import due, get_rule, longest
from habeas.law.rules.schema import Condition
from habeas.simulator.calibration import DEFAULT_START, Calibration

HOURS_PER_YEAR = 24 * 365
BLOCK = 4096  # cases drawn at once
CHUNK = 1024  # records handed out at once (the consumer's time apart from the engine's)
TRUSTED = 3  # days a class of case must have kept one answer all day before a day's first is taken

# the uniform draws of one case, by what they decide
(
    U_REGION, U_GROUP, U_ARTICLE, U_INV, U_PROS, U_IJ, U_JUDGE, U_FOUND, U_AGE, U_DETAINED,
    U_RIGHTS, U_PROTOCOL_LATE, U_PROTOCOL_SHARE, U_RELATIVES, U_COUNSEL, U_QUALIFICATION,
    U_TORTURE, U_PETITION, U_GRANTED, U_RELEASE_LATE, U_COURT, U_RECONCILE, U_CONSENT,
    U_ACQUITTED, U_PRISON, U_EXTENSION,
) = range(26)  # fmt: skip
EXTENSIONS = 6  # draws kept for missed extensions; more come from the run's spare stream
UNIFORMS = U_EXTENSION + EXTENSIONS
# the lognormal durations of one case (hours)
DURATIONS = (
    "registration_work",
    "identify_suspect",
    "investigation",
    "investigation_work",
    "petition_preparation",
    "custody_decision_work",
    "release_without_petition",
    "trial",  # the judge's work: a tenth of it
    "trial",  # the calendar time to the verdict
)
D_REGISTRATION, D_IDENTIFY, D_INVESTIGATION, D_WORK, D_PETITION, D_DECISION, D_RELEASE, D_TRIAL_WORK, D_TRIAL = range(9)


class Pool:
    """`size` officials, each free from some hour on: a request is served by the first free."""

    __slots__ = ("free", "served", "waited")

    def __init__(self, size: int, start: float = 0.0):
        self.free = [start] * max(1, size)
        self.waited = 0.0  # hours
        self.served = 0

    def serve(self, at: float, hours: float) -> tuple[float, float]:
        available = self.free[0]
        begin = at if at > available else available
        end = begin + hours
        heapq.heapreplace(self.free, end)
        self.waited += begin - at
        self.served += 1
        return begin, end


@dataclass
class Totals:
    """What a run did, counted as it went (the register judges the rest)."""

    cases: int = 0
    events: int = 0
    detentions: int = 0
    detention_hours: float = 0.0
    custody_orders: int = 0
    petitions: int = 0
    granted: int = 0
    sent_to_court: int = 0
    open_at_end: int = 0  # cases reported in the period and not ended by its end
    ended_in_period: int = 0
    prisoners: int = 0  # admitted to prison (cases of the period, whenever admitted)
    served_years: float = 0.0  # the time those admitted serve, in all
    prison_at_start: int = 0  # serving a sentence when the period starts (the calibrated stock)
    prison_at_end: int = 0  # serving a sentence on the period's last day (of the stock, and admitted)
    prison_by_region: dict[str, int] = field(default_factory=dict)  # at the end
    prison_places: dict[str, int] = field(default_factory=dict)
    custody_days: float = 0.0  # days in custody within the period (for the average population)
    registration_wait_hours: float = 0.0


def _split(offence: str) -> tuple[str, str, str]:
    return offence.partition(".")


class _Case:
    __slots__ = (
        "number", "case", "region", "gravity", "article", "part", "who", "ident", "birth", "records",
        "held_until", "cap", "custody_from", "u", "d",
    )  # fmt: skip

    def __init__(self, number: int, case: str, u: list[float], d: list[float]):
        self.number, self.case, self.u, self.d = number, case, u, d
        self.records: list[tuple] = []
        self.birth: date | None = None
        self.held_until: float | None = None  # hours, as every time of the engine
        self.cap: float | None = None  # the latest `until` the custody ladder allows
        self.custody_from: float | None = None


class LawMismatch(AssertionError):
    """A remembered answer of the law differs from the law's answer for the case (a bug)."""


class Simulation:
    """A seeded caseload: the same seed, calibration and law give the same events, byte for byte."""

    def __init__(
        self,
        law: Law,
        calibration: Calibration,
        *,
        cases: int,
        years: float = 1.0,
        seed: int = 1,
        start: datetime = DEFAULT_START,
        check_law: bool = False,
    ):
        self.law, self.cal, self.seed, self.check_law = law, calibration, seed, check_law
        self.rng = np.random.default_rng(seed)
        self.spare = random.Random(seed)  # for the rare draw beyond a case's block
        self.start, self.end = start, start + timedelta(days=365 * years)
        self.end_h = (self.end - start).total_seconds() / 3600
        self.now = 0.0
        self.cases, self.years = cases, years
        self.rate = cases / (years * HOURS_PER_YEAR)  # arrivals per hour
        # resources scaled to the share of the national caseload simulated
        scale = (cases / years) / calibration.arrivals["per_year"].value
        duty = calibration.resources["duty"].value
        weights = calibration.regions.value
        total = sum(weights.values())
        self.regions = list(weights)
        self.region_weights = [weights[r] / total for r in self.regions]
        self.pools: dict[tuple[str, str], Pool] = {}
        for kind in ("investigators", "investigating_judges", "judges"):
            national = calibration.resources[kind].value * duty * scale
            for region in self.regions:
                self.pools[(kind, region)] = Pool(round(national * weights[region] / total))
        self._pools_of = {
            region: tuple(self.pools[(kind, region)] for kind in ("investigators", "investigating_judges", "judges"))
            for region in self.regions
        }
        self.totals = Totals()
        self._scale = scale
        mix = calibration.arrivals["gravity_mix"].value
        self._groups = list(mix)
        self._group_cum = list(accumulate(mix[g] for g in self._groups))
        self._region_cum = list(accumulate(self.region_weights))
        self._articles = {  # each group's articles as (article, part)
            g: [(a, int(p) if p else None) for a, _, p in map(_split, calibration.arrivals["articles"].of(g))]
            for g in self._groups
        }
        durations = calibration.durations
        self._medians = np.array([durations[n].median for n in DURATIONS])
        self._spreads = np.array([durations[n].spread or 0.0 for n in DURATIONS])
        # every date on which a parameter of the law changes: answers are remembered within a period
        changes: set[date] = set()
        for parameter in law.parameters.values():
            for version in parameter.versions:
                changes.add(version.valid_from)
                if version.valid_until is not None:
                    changes.add(version.valid_until + timedelta(days=1))
        self._law_changes = sorted(changes)
        self._answers: dict[tuple, Any] = {}
        self._reads_age: dict[str, bool] = {}
        self._reads_case: dict[str, bool] = {}
        self._majority: dict[date, int | None] = {}
        self._dates: list[date] = []
        self._offset = start.hour * 60 + start.minute  # the start's minutes into its local day
        self._gravity: dict[tuple, str | None] = {}
        self._stamps: dict[int, str] = {}
        self._actors: dict[tuple, dict] = {}
        self.law_asked = 0  # how many times the rules engine was asked (the rest were remembered)
        self._seq = 0
        self._folded: tuple | None = None  # the facts of the last ask, folded
        self._prison_stock()

    def _served_hours(self, gravity: str) -> float:
        """How long a prison sentence for an offence of this gravity is served (hours)."""
        durations = self.cal.durations
        share = durations["served_share"].value if "served_share" in durations else 1.0
        return 24 * 30.44 * durations["sentence_months"].of(gravity) * share

    def _prison_stock(self) -> None:
        """The convicts serving when the period starts (`stock.prisoners`, scaled like the
        arrivals): each in a region by its weight, serving a sentence of the simulated mix (a
        longer one the likelier, as in any standing population), part of it already served."""
        totals, cal = self.totals, self.cal
        places = cal.resources["prison_places"].value * self._scale if "prison_places" in cal.resources else 0
        totals.prison_places = {r: round(places * w) for r, w in zip(self.regions, self.region_weights, strict=True)}
        totals.prison_by_region = dict.fromkeys(self.regions, 0)
        stock = cal.stock.get("prisoners")
        count = round(stock.value * self._scale) if stock else 0
        totals.prison_at_start = count
        if not count:
            return
        rng = np.random.default_rng([self.seed, 1])  # apart from the cases' draws
        prob, mix = cal.probabilities, cal.arrivals["gravity_mix"].value
        served = np.array([self._served_hours(g) for g in self._groups])
        admitted = np.array([mix[g] * prob["imprisoned"].of(g) for g in self._groups])
        weights = admitted * served
        group = rng.choice(len(self._groups), size=count, p=weights / weights.sum())
        left = rng.random(count) * served[group]
        region = rng.choice(len(self.regions), size=count, p=np.array(self.region_weights))
        serving = left > self.end_h
        # and those reported before the period who reach prison within it (the period starts with
        # cases under way, not with none): drawn as the fast path draws, officials taken to be free
        before = 2 * HOURS_PER_YEAR
        n = int(rng.poisson(self.rate * before))
        group = rng.choice(len(self._groups), size=n, p=np.array([mix[g] for g in self._groups]) / sum(mix.values()))
        imprisoned = (
            (rng.random(n) < prob["suspect_identified"].value)
            & (rng.random(n) < prob["sent_to_court"].value)
            & (rng.random(n) >= prob["acquitted"].value)
            & (rng.random(n) < np.array([prob["imprisoned"].of(g) for g in self._groups])[group])
        )
        durations = self.cal.durations

        def drawn(name: str) -> np.ndarray:
            return durations[name].median * np.exp(rng.normal(0.0, durations[name].spread or 0.0, n))

        reported = -rng.random(n) * before
        # the investigation, the judge's work (a tenth of a trial's time: one draw for both) and the trial
        admitted = reported + drawn("investigation") + 1.1 * drawn("trial") + durations["to_prison"].median
        late = imprisoned & (admitted >= 0) & (admitted <= self.end_h) & (admitted + served[group] > self.end_h)
        late_region = rng.choice(len(self.regions), size=n, p=np.array(self.region_weights))
        totals.prison_at_end += int(serving.sum()) + int(late.sum())
        regions = np.concatenate([region[serving], late_region[late]])
        for k, m in zip(*np.unique(regions, return_counts=True), strict=True):
            totals.prison_by_region[self.regions[k]] += int(m)

    # --- the scheduler ----------------------------------------------------------------------
    #
    # A process yields a float to wait until that hour, or (pool, hours) to be served (it
    # resumes when served, told the hour service began). It records facts (`_emit`) at
    # `self.now`, the scheduler's clock, so the records come out in time order.

    def __iter__(self) -> Iterator[dict]:
        return itertools.chain.from_iterable(self._chunks(self._raw))  # made while the collector is off

    def as_of(self, moment: datetime) -> Iterator[dict]:
        """The facts that had occurred by `moment`: what a register whose clock reads `moment`
        can hold (it refuses a fact dated after its clock). The cases still running then go on
        past it in the simulation, not in the register."""
        parse = datetime.fromisoformat
        for raw in self:
            if parse(raw["occurred_at"]) <= moment:
                yield raw

    def records(self) -> Iterator[tuple]:
        """The facts as compact records `(number, hour, case, kind, actor, data)`, in time order."""
        return itertools.chain.from_iterable(self._chunks())  # no Python step per record

    def _chunks(self, made=None) -> Iterator[list]:
        # The collector is off while the engine runs and on while the consumer holds a chunk:
        # the engine's records, cases and heap form no cycles, and a full collection walking
        # the growing set of running cases took about half the engine's time.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for chunk in self._steps():
                if made is not None:
                    chunk = list(map(made, chunk))
                if collecting:
                    gc.enable()
                yield chunk
                gc.disable()
        finally:
            if collecting:
                gc.enable()

    def _steps(self) -> Iterator[list[tuple]]:
        heap: list[tuple[float, int, Any, Any]] = []
        push, pop = heapq.heappush, heapq.heappop
        order = itertools.count()
        arrivals = self._arrivals()
        next_at, case = next(arrivals, (math.inf, None))
        horizon = self.end_h + 3 * HOURS_PER_YEAR
        end_h = self.end_h
        totals = self.totals
        out: list[tuple] = []
        self._out = out
        while True:
            if heap and heap[0][0] <= next_at:
                now, _, process, value = pop(heap)
            elif case is not None:
                now, process, value = next_at, self._case(case), None
                next_at, case = next(arrivals, (math.inf, None))
            else:
                break
            if now > horizon:
                break  # cases still running three years after the period are left open
            self.now = now
            try:
                step = process.send(value)
            except StopIteration:
                if now <= end_h:
                    totals.ended_in_period += 1
                step = None
            if step is not None:
                if step.__class__ is float:
                    push(heap, (step if step > now else now, next(order), process, None))
                else:
                    begin, finished = step[0].serve(now, step[1])
                    push(heap, (finished, next(order), process, begin))
            if len(out) >= CHUNK:
                yield out
                out = []
                self._out = out
        if out:
            yield out
        totals.events = self._seq
        totals.open_at_end = totals.cases - totals.ended_in_period

    def _arrivals(self) -> Iterator[tuple[float, _Case]]:
        """The cases in arrival order, each with its draws (numpy, a block of cases at a time)."""
        rng, at, number = self.rng, 0.0, 0
        seed = self.seed
        while number < self.cases:
            n = min(BLOCK, self.cases - number)
            times = (at + np.cumsum(rng.exponential(1 / self.rate, n))).tolist()
            uniforms = rng.random((n, UNIFORMS)).tolist()
            durations = (self._medians * np.exp(self._spreads * rng.standard_normal((n, len(DURATIONS))))).tolist()
            for k in range(n):
                number += 1
                yield times[k], _Case(number, f"KZ-SIM-{seed}-{number:07d}", uniforms[k], durations[k])
            at = times[-1]

    def _custody_ends(self, c: _Case) -> None:
        """Count the days this custody lay within the period."""
        if c.custody_from is not None:
            overlap = min(self.now, self.end_h) - max(c.custody_from, 0.0)
            self.totals.custody_days += max(overlap, 0.0) / 24
        c.custody_from, c.held_until = None, None

    def _emit(self, c: _Case, kind: str, who: str, data: dict) -> tuple:
        """Record a fact of case `c` now, by its official `who` (inv, pros, ij, judge, ...)."""
        self._seq += 1
        record = (self._seq, self.now, c.ident, kind, who, data)  # not `c`: no cycle to collect
        self._out.append(record)
        c.records.append(record)
        return record

    # --- records as events ----------------------------------------------------------------

    def _stamp(self, hours: float) -> str:
        minute = int(hours * 60)  # to the minute, as an official writes the time
        stamp = self._stamps.get(minute)
        if stamp is None:
            stamp = (self.start + timedelta(minutes=minute)).isoformat()
            self._stamps[minute] = stamp
        return stamp

    def _actor(self, ident: tuple, who: str) -> dict:
        """The official `who` of a case (`ident`: its number, region and officials)."""
        _, region, officials = ident
        n = officials.get(who)
        key = (who, region, n)
        actor = self._actors.get(key)
        if actor is None:
            actor = {
                "inv": {"id": f"inv-{region}-{n}", "role": "investigator", "agency": f"police-{region}"},
                "pros": {"id": f"pr-{region}-{n}", "role": "prosecutor", "agency": f"prosecutor-{region}"},
                "ij": {
                    "id": f"ij-{region}-{n}",
                    "role": "investigating_judge",
                    "agency": f"court-{region}-investigating",
                },
                "judge": {"id": f"j-{region}-{n}", "role": "judge", "agency": f"court-{region}-district"},
                "clerk": {"id": f"cl-{region}", "role": "court_clerk", "agency": f"court-{region}-investigating"},
                "doctor": {"id": f"doc-{region}", "role": "doctor", "agency": f"ivs-{region}"},
                "officer": {"id": f"po-{region}", "role": "prison_officer", "agency": f"penitentiary-{region}"},
            }[who]
            self._actors[key] = actor
        return actor

    def _raw(self, record: tuple) -> dict:
        """A record as the design §4 event it is."""
        seq, hours, ident, kind, who, data = record
        return {
            "id": f"s{self.seed}-{seq}",
            "kind": kind,
            "case": ident[0],
            "occurred_at": self._stamp(hours),
            "actor": self._actor(ident, who),
            "data": data,
        }

    def _event(self, record: tuple) -> Event:
        """A record as the law reads it: built, not parsed (the register parses and checks every
        one when it is recorded; `tests/simulator` proves it takes them all)."""
        raw = self._raw(record)
        return Event(
            id=raw["id"],
            kind=raw["kind"],
            case=raw["case"],
            occurred_at=datetime.fromisoformat(raw["occurred_at"]),
            actor=Actor.from_dict(raw["actor"]),
            data=raw["data"],
        )

    def _iso(self, hours: float) -> str:
        return (self.start + timedelta(hours=hours)).isoformat()

    # --- asking the law ---------------------------------------------------------------------

    def _ask(self, code: str, c: _Case, start: tuple, *, considered: dict | None = None,
             cap: bool = False, counted_from: tuple | None = None) -> float | None:  # fmt: skip
        """The hour the duty `code` that `start` opens falls due (or, with `cap`, the longest
        custody may run), as the law says on the case's facts; `considered` is an act judged
        as if done now; `counted_from` is the fact the term is expected to run from (the
        answer is remembered only when the law's answers bear that out)."""
        at = int(start[1] * 60) if considered is None else int(self.now * 60)  # minutes
        base = int((counted_from or start)[1] * 60)
        day, base_day = self._day(at), self._day(base)
        age = self._minor(c.birth, day) if c.birth is not None and self._reads(code) else None
        epoch, base_epoch = bisect_right(self._law_changes, day), bisect_right(self._law_changes, base_day)
        offence = (c.article, c.part, c.gravity) if self._reads_offence(code) else None
        key = (code, cap, offence, age, epoch, base_epoch)
        form = self._answers.get(key)
        parent = None
        if form is not None and form[0] == "daily":
            parent, key = key, (*key, base_day)
            form = self._answers.get(key)
        if form is not None and form[0] in ("shift", "same"):
            answer = base + form[1] if form[0] == "shift" else form[1]
            if self.check_law and answer != self._asked(code, c, start, considered, cap):
                raise LawMismatch(f"{code} for {c.case}: remembered {answer}, the law says otherwise")
            return None if answer is None else answer / 60
        answer = self._asked(code, c, start, considered, cap)
        if form is None or form[0] == "seen":
            self._learn(key, form, parent, base, base_day, answer)
        return None if answer is None else answer / 60

    def _learn(self, key: tuple, form: tuple | None, parent: tuple | None, base: int, day: date,
               answer: float | None) -> None:  # fmt: skip
        """What two answers of the law for a class show: that they move with the time counted
        from (`shift`), or, within a day, that they stay the `same`; else the class is asked
        per day (`daily`) or per case (`ask`). A class whose days have stayed the same on
        `TRUSTED` days takes a new day's first answer for the day."""
        answers = self._answers
        if form is None:
            if parent is not None and answers[parent][1] >= TRUSTED:
                answers[key] = ("same", answer)
            else:
                answers[key] = ("seen", base, day, answer)
            return
        _, base1, day1, answer1 = form
        if base1 == base or (parent is None and (day1 == day or (base - base1) % 1440 == 0)):
            return  # no telling yet
        if answer is None or answer1 is None:
            shape = ("same", None) if answer is None and answer1 is None else None
        elif answer - answer1 == base - base1:
            shape = ("shift", answer1 - base1)
        elif parent is not None and answer == answer1:
            shape = ("same", answer1)
        else:
            shape = None
        if parent is None:
            answers[key] = shape or ("daily", 0)
            return
        answers[key] = shape or ("ask",)
        trusted = answers[parent][1]
        answers[parent] = ("daily", trusted + 1 if shape is not None and shape[0] == "same" else -math.inf)

    def _asked(self, code: str, c: _Case, start: tuple, considered: dict | None, cap: bool) -> float | None:
        """The rules engine's answer on the case's facts so far (minutes from the period's start)."""
        self.law_asked += 1
        key = (c.number, len(c.records), considered is not None, self.now)
        if self._folded is not None and self._folded[0] == key:  # the same facts, asked another rule
            _, state, events = self._folded
        else:
            events = [self._event(r) for r in c.records]
            if considered is not None:
                events.append(
                    Event(
                        id="considered",
                        kind=considered["kind"],
                        case=c.case,
                        occurred_at=datetime.fromisoformat(self._stamp(self.now)),
                        actor=Actor.from_dict(self._actor(c.ident, considered["who"])),
                        data=considered["data"],
                    )
                )
            state = fold_all(events)
            self._folded = (key, state, events)
        event = events[-1] if considered is not None else events[c.records.index(start)]
        answer = (longest if cap else due)(self.law, code, state, event)
        return None if answer is None else (answer - self.start).total_seconds() / 60

    def _minor(self, birth: date, day: date) -> bool | int:
        """Whether the person is a minor on `day`, by the law's age of majority then: a rule
        reads the age only through `minor`, so the classes of case need no finer age (without
        that parameter, the age itself)."""
        if day not in self._majority:
            try:
                self._majority[day] = self.law.value(Condition.AGE_OF_MAJORITY, day)
            except MissingLaw:
                self._majority[day] = None
        majority = self._majority[day]
        age = age_on(birth, day)
        return age if majority is None else age < majority

    def _reads_offence(self, code: str) -> bool:
        """Whether rule `code` may read what differs between the engine's cases besides the
        times and the age: the offence (article, part, gravity), the region or the ERDR number
        (any mention of them, or of another rule, counts: when in doubt, it reads them)."""
        if code not in self._reads_case:
            text = json.dumps(get_rule(self.law, code).model_dump(mode="json", exclude_none=True))
            self._reads_case[code] = any(
                word in text for word in ("gravity", "article", "part", "region", "erdr", "from_rule", "recorded")
            )
        return self._reads_case[code]

    def _reads(self, code: str) -> bool:
        """Whether rule `code` reads the person's age (a `minor` condition; a rule that borrows
        another's term is taken to read everything)."""
        if code not in self._reads_age:
            text = json.dumps(get_rule(self.law, code).model_dump(mode="json", exclude_none=True))
            self._reads_age[code] = '"minor"' in text or '"from_rule"' in text
        return self._reads_age[code]

    def _day(self, minutes: int) -> date:
        """The local date `minutes` after the period's start."""
        n = (minutes + self._offset) // 1440
        dates = self._dates
        while len(dates) <= n:
            dates.append((self.start + timedelta(minutes=len(dates) * 1440 - self._offset)).date())
        return dates[n]

    # --- one case ---------------------------------------------------------------------------

    def _case(self, c: _Case):
        cal, u, d = self.cal, c.u, c.d
        prob, fail, dur = cal.probabilities, cal.failures, cal.durations
        region = self.regions[min(bisect_right(self._region_cum, u[U_REGION]), len(self.regions) - 1)]
        groups = self._groups
        drawn = groups[min(bisect_right(self._group_cum, u[U_GROUP] * self._group_cum[-1]), len(groups) - 1)]
        articles = self._articles[drawn]
        article, part = articles[int(u[U_ARTICLE] * len(articles))]
        today = self._day(int(self.now * 60))
        key = (article, part, today)
        if key not in self._gravity:
            self._gravity[key] = gravity_of(self.law, article, part, today)
        gravity = self._gravity[key] or drawn
        c.region, c.gravity, c.article, c.part = region, gravity, article, part
        c.who = {
            "inv": 1 + int(u[U_INV] * 39),
            "pros": 1 + int(u[U_PROS] * 9),
            "ij": 1 + int(u[U_IJ] * 5),
            "judge": 1 + int(u[U_JUDGE] * 11),
        }
        c.ident = (c.case, region, c.who)
        investigators = self._pools_of[region][0]
        emit = self._emit
        self.totals.cases += 1
        emit(c, "report.received", "inv", {"channel": "in_person", "summary": f"a {gravity} offence"})
        reported = self.now
        begin = yield (investigators, d[D_REGISTRATION])
        self.totals.registration_wait_hours += begin - reported
        registration: dict[str, Any] = {
            "erdr_number": f"{self.seed}{c.number:09d}"[-12:],
            "article": article,
            "region": region,
        }
        if part is not None:
            registration["part"] = part
        registered_fact = emit(c, "case.registered", "inv", registration)
        registered = self.now
        if u[U_FOUND] >= prob["suspect_identified"].value:
            yield registered + d[D_INVESTIGATION]
            emit(c, "case.closed", "inv", {"ground": "no_evidence"})
            return
        # the investigation's term, as the law gives it on the registration (asked now: the
        # prosecutor plans by it)
        term = self._ask("KZ-INVESTIGATION-TERM", c, registered_fact)
        yield registered + d[D_IDENTIFY]
        born = f"{self._day(int(self.now * 60)).year - (18 + int(u[U_AGE] * 42))}-06-01"
        c.birth = date.fromisoformat(born)
        suspect = {"person": "P1", "role": "suspect", "name": "Simulated Suspect", "birth_date": born}
        emit(c, "party.added", "inv", suspect)
        if u[U_DETAINED] < prob["detained"].of(gravity):
            yield from self._detention(c)
        # the investigation: an investigator's hours (queued), within a calendar duration; the
        # prosecutor extends it before its term ends (the term is the law's), as a rule
        yield (investigators, d[D_WORK])
        end = max(self.now, registered + d[D_INVESTIGATION])
        lead = dur["extension_lead"].median
        extensions = 0
        while term is not None and end > term:
            chance = u[U_EXTENSION + extensions] if extensions < EXTENSIONS else self.spare.random()
            extensions += 1
            if chance < fail["extension_missed"].value:
                break
            yield term - lead
            term = term + dur["investigation_extension"].median
            emit(c, "investigation.extended", "pros", {"until": self._iso(term)})
        while c.held_until is not None and c.held_until < end:  # custody extended within the ladder
            yield c.held_until - lead
            step = dur["custody_extension"].median
            longest_until = (c.cap if c.cap is not None else c.held_until + step) - dur["order_margin"].median
            extended = min(c.held_until + step, longest_until)
            if extended <= c.held_until:
                emit(c, "person.released", "inv", {"person": "P1", "ground": "custody term exhausted"})
                self._custody_ends(c)
                break
            c.held_until = extended
            emit(c, "custody.extended", "ij", {"person": "P1", "until": self._iso(extended)})
        yield end
        if u[U_COURT] < prob["sent_to_court"].value:
            self.totals.sent_to_court += 1
            emit(c, "case.sent_to_court", "pros", {"court": f"court-{region}-district"})
            yield from self._trial(c)
            return
        data: dict[str, Any] = {"ground": "no_evidence"}
        if gravity in ("minor", "medium", "misdemeanour") and u[U_RECONCILE] < 0.3:
            data = {
                "ground": "reconciliation",
                "victim_consent": u[U_CONSENT] >= fail["reconciliation_without_consent"].value,
            }
        if c.held_until is not None:
            emit(c, "person.released", "inv", {"person": "P1", "ground": "case closed"})
            self._custody_ends(c)
        emit(c, "case.closed", "inv", data)

    def _detention(self, c: _Case):
        cal, u, d, emit = self.cal, c.u, c.d, self._emit
        fail, dur, prob = cal.failures, cal.durations, cal.probabilities
        self.totals.detentions += 1
        detained_at = self.now
        detention = emit(c, "person.detained", "inv", {"person": "P1", "place": "street"})
        limit = self._ask("KZ-DETENTION-LIMIT", c, detention)
        if u[U_RIGHTS] >= fail["rights_not_explained"].value:
            emit(c, "rights.explained", "inv", {"person": "P1", "rights": ["counsel", "silence", "interpreter"]})
        yield detained_at + 0.5
        delivery = emit(c, "person.delivered", "inv", {"person": "P1", "place": "police premises"})
        protocol_due = self._ask("KZ-DETENTION-PROTOCOL", c, delivery)
        if protocol_due is None:
            protocol_due = self.now + 1
        late = u[U_PROTOCOL_LATE] < fail["protocol_late"].value
        share = 1.3 if late else 0.2 + 0.7 * u[U_PROTOCOL_SHARE]
        yield self.now + (protocol_due - self.now) * share
        emit(c, "medical.examined", "doctor", {"person": "P1", "injuries": False})
        emit(c, "detention.protocol_drawn", "inv", {"person": "P1"})
        emit(c, "prosecutor.notified", "inv", {"person": "P1"})
        if u[U_RELATIVES] >= fail["relatives_not_told"].value:
            emit(c, "relatives.notified", "inv", {"person": "P1"})
        alone = u[U_COUNSEL] < fail["questioned_without_counsel"].value
        if not alone:
            emit(c, "counsel.admitted", "inv", {"person": "P1", "lawyer": f"adv-{c.region}"})
        emit(c, "person.questioned", "inv", {"person": "P1", "counsel_present": not alone})
        if u[U_QUALIFICATION] >= fail["qualification_late"].value:
            qualified = emit(c, "suspicion.qualified", "inv", {"person": "P1", "article": c.article})
            emit(c, "decision.approved", "pros", {"event": f"s{self.seed}-{qualified[0]}"})
        if u[U_TORTURE] < fail["torture_complaint"].value:
            emit(c, "complaint.filed", "inv", {"complaint": f"{c.case}-c1", "person": "P1", "about": "ill_treatment"})
        if u[U_PETITION] < prob["custody_petition"].of(c.gravity):
            # preparing a petition takes its own time, whatever the limit: a short limit is missed
            yield detained_at + d[D_PETITION]
            self.totals.petitions += 1
            emit(c, "custody.petitioned", "pros", {"person": "P1"})
            emit(c, "custody.petition_received", "clerk", {"person": "P1"})
            yield (self._pools_of[c.region][1], d[D_DECISION])
            if u[U_GRANTED] < prob["petition_granted"].value:
                self.totals.granted += 1
                considered = {
                    "kind": "custody.ordered",
                    "who": "ij",
                    "data": {"person": "P1", "until": self._stamp(self.now)},
                }
                allowed = self._ask("KZ-CUSTODY-MAXIMUM", c, detention, considered=considered, counted_from=detention)
                c.cap = self._ask(
                    "KZ-CUSTODY-MAXIMUM", c, detention, considered=considered, cap=True, counted_from=detention
                )
                first = allowed if allowed is not None else self.now + dur["custody_extension"].median
                c.held_until = first - dur["order_margin"].median
                self.totals.detention_hours += self.now - detained_at
                self.totals.custody_orders += 1
                emit(c, "custody.ordered", "ij", {"person": "P1", "until": self._iso(c.held_until)})
                c.custody_from = self.now
                emit(c, "relatives.notified", "inv", {"person": "P1"})
                return
            emit(c, "custody.refused", "ij", {"person": "P1"})
        else:
            release = detained_at + d[D_RELEASE]
            if limit is not None and u[U_RELEASE_LATE] >= fail["release_late"].value:
                release = min(release, limit - 0.5)  # released in time, as a rule
            yield release
        self.totals.detention_hours += self.now - detained_at
        emit(c, "person.released", "inv", {"person": "P1", "ground": "no custody"})

    def _trial(self, c: _Case):
        cal, u, d, emit = self.cal, c.u, c.d, self._emit
        court = f"court-{c.region}-district"
        yield (self._pools_of[c.region][2], d[D_TRIAL_WORK] / 10)
        emit(c, "trial.started", "judge", {"court": court})
        verdict_at = self.now + d[D_TRIAL]
        lead, step = cal.durations["extension_lead"].median, cal.durations["custody_extension"].median
        while c.held_until is not None and c.held_until < verdict_at:
            yield c.held_until - lead
            c.held_until = c.held_until + step
            emit(c, "custody.extended", "judge", {"person": "P1", "until": self._iso(c.held_until)})
        yield verdict_at
        if u[U_ACQUITTED] < cal.probabilities["acquitted"].value:
            emit(c, "verdict.delivered", "judge", {"person": "P1", "outcome": "acquitted"})
            if c.held_until is not None:
                emit(c, "person.released", "judge", {"person": "P1", "ground": "acquitted"})
                self._custody_ends(c)
            return
        imprisoned = u[U_PRISON] < cal.probabilities["imprisoned"].of(c.gravity)
        sentence = {
            "kind": "imprisonment" if imprisoned else "probation",
            "months": cal.durations["sentence_months"].of(c.gravity),
        }
        emit(c, "verdict.delivered", "judge", {"person": "P1", "outcome": "convicted", "sentence": sentence})
        if imprisoned:
            self.totals.prisoners += 1
            self._custody_ends(c)  # held under the verdict from here on
            yield self.now + cal.durations["to_prison"].median
            emit(c, "prisoner.admitted", "officer", {"person": "P1", "facility": f"ec-{c.region}-1"})
            served = self._served_hours(c.gravity)
            self.totals.served_years += served / HOURS_PER_YEAR
            if self.now <= self.end_h < self.now + served:
                self.totals.prison_at_end += 1
                self.totals.prison_by_region[c.region] += 1
        elif c.held_until is not None:
            emit(c, "person.released", "judge", {"person": "P1", "ground": "non-custodial sentence"})
            self._custody_ends(c)
