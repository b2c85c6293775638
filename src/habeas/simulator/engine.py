"""The event-driven engine: a heap of timed steps, cases as processes, resources as queues.

Each case is a generator (`cases`) that yields what it waits for: a time (an hour count from
the period's start), or a pool of officials (investigators, investigating judges, judges of its
region) with the hours of work it needs. The scheduler resumes processes in time order, so
every pool is served first come, first served, and an understaffed pool makes cases wait:
late registrations, petitions that reach the judge after the detention limit, backlogs.
Breaches emerge from load and from the calibrated failures, not from a breach rate. The
period starts with its stock of prisoners and remand prisoners (`stock`).

A process records a fact at the scheduler's time as a compact record (its number, time,
case, kind, actor and data); the records come out in time order and become design §4 events
only when a consumer asks for them (`iter(sim)`; `sim.records()` gives the records). Every
case's chances and durations are drawn with numpy in blocks of cases, in arrival order
(`arrivals`), so the same seed gives the same log, byte for byte, and a what-if run on the
same seed meets the same draws case by case. Who records each fact is the law's answer
(`actors`), every term too, the days courts sit (its calendar) and who must agree each
extension (`asking`, `agreements`).
"""

from __future__ import annotations

import gc
import heapq
import itertools
import math
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import numpy as np

from habeas.domain.events import Actor, Event
from habeas.law.package import Law
from habeas.simulator.actors import Actors
from habeas.simulator.agreed import RememberedAgreements
from habeas.simulator.arrivals import Arrivals
from habeas.simulator.asking import AskingTheLaw
from habeas.simulator.calibration import DEFAULT_START, Calibration
from habeas.simulator.cases import CaseProcesses
from habeas.simulator.model import (
    HOURS_PER_YEAR,
    NO_ROLES,
    U_IJ,
    U_INV,
    U_JUDGE,
    U_PROS,
    CaseRun,
    LawMismatch,
    Pool,
    Totals,
)
from habeas.simulator.stock import Stock

CHUNK = 1024  # records handed out at once (the consumer's time apart from the engine's)
WINDOW = 24.0  # hours of the agenda's near heap (a power of two times 3: exact multiples)
POOLS = ("investigators", "investigating_judges", "judges")
DRAW_OF_ROLE = {"investigator": U_INV, "prosecutor": U_PROS, "investigating_judge": U_IJ, "judge": U_JUDGE}

__all__ = ["HOURS_PER_YEAR", "LawMismatch", "Simulation"]


class Simulation(CaseProcesses, Stock, RememberedAgreements, AskingTheLaw):
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
        stock: bool = True,
    ):
        self.law, self.cal, self.seed, self.check_law = law, calibration, seed, check_law
        self.rng = np.random.default_rng(seed)
        self.spare = random.Random(seed)  # for the rare draw beyond a case's block
        self.start, self.end = start, start + timedelta(days=365 * years)
        self.end_h = (self.end - start).total_seconds() / 3600
        self.now = 0.0
        self.cases, self.years = cases, years
        self.arrivals = Arrivals(calibration, cases=cases, years=years)
        self.actors = Actors(law)
        self._stage_kinds, self._roles_at = self.actors.stage_kinds, {}
        self.totals, self._outside = Totals(), Totals()  # the period's, and the stock's before it
        self._in_prison = dict.fromkeys(self.arrivals.regions, 0)  # now, by region
        self._held = {"remand": 0, "sentenced": 0, "prison": 0}
        self._init_asking()
        self._init_agreed()
        self._gravity: dict[tuple, str | None] = {}
        self._stamps: dict[int, str] = {}
        self._moments: dict[int, datetime] = {}
        self._seq = 0
        self._out: list[tuple] = []
        self._stocked = self._stock() if stock else []  # without: prisons and custody start empty
        self.stock_cases = frozenset(c.case for _, c, _ in self._stocked)
        # resources scaled to the share of the national caseload simulated, free from the stock's start
        opens = min((at for at, _, _ in self._stocked), default=0.0)
        duty, scale = calibration.resources["duty"].value, self.arrivals.scale
        self._pools_of = {
            region: tuple(
                Pool(round(calibration.resources[kind].value * duty * scale * weight), start=min(opens, 0.0))
                for kind in POOLS
            )
            for region, weight in zip(self.arrivals.regions, self.arrivals.region_weights, strict=True)
        }

    # --- what a process does --------------------------------------------------------------

    def _totals(self, c: CaseRun) -> Totals:
        """Where a case's acts are counted: the period's totals, or (the stock's) apart."""
        return self.totals if c.number > 0 else self._outside

    def _ended(self, c: CaseRun) -> None:
        if c.number > 0 and self.now <= self.end_h:
            self.totals.ended_in_period += 1

    def _actor_of(self, c: CaseRun, kind: str) -> dict:
        roles = self._roles_at.get(c.stage)
        if roles is None:
            roles = self._roles_at[c.stage] = {}
        c.roles = roles  # the roles by kind at the case's stage, until the stage moves
        role = roles.get(kind)
        if role is None:  # the law's competence, once per kind and stage in a run
            role = roles[kind] = self.actors.at_stage(kind, c.stage or self.actors.stages.initial)
        actor = c.who.get(role)
        if actor is None:  # a case's official of a role is drawn once: its region and draw are its own
            draw = c.u[DRAW_OF_ROLE[role]] if role in DRAW_OF_ROLE and c.u else 0.0
            actor = c.who[role] = self.actors.of(role, c.region, draw)
        return actor

    def _emit(self, c: CaseRun, kind: str, data: dict, actor: dict | None = None) -> tuple:
        """Record a fact of case `c` now, by the official the law lets record it (or `actor`)."""
        self._seq += 1
        if actor is None:
            actor = c.who.get(c.roles.get(kind))  # as `_actor_of`, without a call
            if actor is None:
                actor = self._actor_of(c, kind)
        record = (self._seq, self.now, c.case, kind, actor, data)  # not `c`: no cycle
        self._out.append(record)
        c.records.append(record)
        if kind in self._stage_kinds:  # the case's stage moves only with these
            c.kinds.add(kind)
            c.stage, c.roles = self.actors.stage(c.kinds), NO_ROLES
        return record

    def _custody_begins(self, c: CaseRun) -> None:
        c.custody_from = self.now
        self._held["remand"] += 1

    def _sentenced(self, c: CaseRun) -> None:
        """A verdict: custody from now on holds a sentenced person (UNODC: final or not)."""
        c.sentenced = True
        if c.held_until is not None:
            self._held["remand"] -= 1
            self._held["sentenced"] += 1

    def _custody_ends(self, c: CaseRun) -> None:
        """Count the days this custody lay within the period."""
        if c.custody_from is not None:
            overlap = min(self.now, self.end_h) - max(c.custody_from, 0.0)
            self._totals(c).custody_days += max(overlap, 0.0) / 24
            self._held["sentenced" if c.sentenced else "remand"] -= 1
        c.custody_from, c.held_until = None, None

    def _gauge(self, place: str, region: str, change: int) -> None:
        self._held[place] += change
        self._in_prison[region] += change

    def _census(self) -> None:
        """Who is held at the period's end (the stock day)."""
        t, held = self.totals, self._held
        t.prison_at_end = held["prison"] + held["sentenced"]
        t.remand_at_end = held["remand"]
        t.prison_by_region = dict(self._in_prison)
        self._counted = True

    def _date(self, text: str) -> date:
        return date.fromisoformat(text)

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
        # The agenda: the steps of the current window of hours in a small heap (`near`), later
        # ones by window (`far`, the windows' numbers in their own heap) until their window
        # comes; the same order as one heap of (hour, order), with far fewer entries to sift.
        near: list[tuple[float, int, object, object]] = []
        far: dict[float, list] = {}
        windows: list[float] = []
        current = -math.inf  # the window `near` holds (and every one before it)
        for order, (at, _, process) in enumerate(self._stocked):
            _later(far, windows, (at, order, process, None))
        order = len(self._stocked)  # ties in time go first come, first served
        push, pop, heapify = heapq.heappush, heapq.heappop, heapq.heapify
        arrivals = self.arrivals.stream(self.rng, self.seed)
        next_at, case = next(arrivals, (math.inf, None))
        horizon, end_h = self.end_h + 3 * HOURS_PER_YEAR, self.end_h
        self._counted = False
        out: list[tuple] = []
        self._out = out
        while True:
            if not near and windows and (case is None or windows[0] <= next_at // WINDOW):
                current = pop(windows)
                near = far.pop(current)
                heapify(near)
            if near and near[0][0] <= next_at:
                now, _, process, value = pop(near)
            elif case is not None:
                now, process, value = next_at, self._case(case), None
                next_at, case = next(arrivals, (math.inf, None))
            else:
                break  # nothing left before the horizon
            if now > end_h and not self._counted:
                self._census()
            self.now = now
            try:
                step = process.send(value)
            except StopIteration:
                step = None
            if step is not None:
                order += 1
                if step.__class__ is float:
                    entry = (step if step > now else now, order, process, None)
                else:
                    begin, finished = step[0].serve(now, step[1])
                    entry = (finished, order, process, begin)
                if entry[0] > horizon:
                    pass  # cases still running three years after the period are left open
                elif entry[0] // WINDOW <= current:
                    push(near, entry)
                else:
                    _later(far, windows, entry)
            if len(out) >= CHUNK:
                yield out
                out = []
                self._out = out
        if not self._counted:
            self._census()
        if out:
            yield out
        self.totals.events = self._seq
        self.totals.open_at_end = self.totals.cases - self.totals.ended_in_period

    # --- records as events ----------------------------------------------------------------

    def _stamp(self, hours: float) -> str:
        minute = math.floor(hours * 60)  # to the minute, as an official writes the time
        stamp = self._stamps.get(minute)
        if stamp is None:
            stamp = (self.start + timedelta(minutes=minute)).isoformat()
            self._stamps[minute] = stamp
        return stamp

    def _raw(self, record: tuple) -> dict:
        """A record as the design §4 event it is."""
        seq, hours, case, kind, actor, data = record
        return {"id": f"s{self.seed}-{seq}", "kind": kind, "case": case, "occurred_at": self._stamp(hours),
                "actor": actor, "data": data}  # fmt: skip

    def _event(self, record: tuple) -> Event:
        """A record as the law reads it: built, not parsed (the register parses and checks every
        one when it is recorded; `tests/simulator` proves it takes them all)."""
        seq, hours, case, kind, actor, data = record
        minute = math.floor(hours * 60)
        moment = self._moments.get(minute)
        if moment is None:  # the time as stamped, read back: once per minute
            moment = self._moments[minute] = datetime.fromisoformat(self._stamp(hours))
        return Event(id=f"s{self.seed}-{seq}", kind=kind, case=case, occurred_at=moment,
                     actor=Actor.from_dict(actor), data=data)  # fmt: skip

    def _iso(self, hours: float) -> str:
        return (self.start + timedelta(hours=hours)).isoformat()


def _later(far: dict[float, list], windows: list[float], entry: tuple) -> None:
    """File a step of a window after the current one (`Simulation._steps`)."""
    window = entry[0] // WINDOW
    bucket = far.get(window)
    if bucket is None:
        far[window] = [entry]
        heapq.heappush(windows, window)
    else:
        bucket.append(entry)
