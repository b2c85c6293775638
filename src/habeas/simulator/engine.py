"""The event-driven engine: a heap of timed steps, cases as processes, resources as queues.

Each case is a generator that yields what it does next: wait until a time, be served by a
pool of officials (investigators, investigating judges, judges of its region), or record a
fact. The scheduler resumes processes in time order, so every pool is served first come,
first served, and an understaffed pool makes cases wait: late registrations, petitions
that reach the judge after the detention limit, backlogs. Breaches emerge from load and
from the calibrated failures, not from a breach rate.

Facts come out as events of design §4, in time order, with actors of the right roles. The
law is asked, never copied: when a detention must end, how long custody may run, when an
investigation's term ends, all from the rules engine on the case's facts so far.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from habeas.domain.case import CaseState, fold, fold_all
from habeas.domain.events import Actor, Event
from habeas.law.offences import gravity_of
from habeas.law.package import Law
from habeas.law.rules import due, longest
from habeas.simulator.calibration import Calibration

KZ_TIME = timezone(timedelta(hours=5))
HOURS_PER_YEAR = 24 * 365


def _hours(n: float) -> timedelta:
    return timedelta(hours=n)


class Pool:
    """`size` officials, each free from some time on: a request is served by the first free."""

    def __init__(self, size: int, start: datetime):
        self.free = [start] * max(1, size)
        heapq.heapify(self.free)
        self.waited = timedelta(0)
        self.served = 0

    def serve(self, at: datetime, hours: float) -> tuple[datetime, datetime]:
        available = heapq.heappop(self.free)
        begin = max(at, available)
        end = begin + _hours(hours)
        heapq.heappush(self.free, end)
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
    prisoners: int = 0
    prison_at_end: int = 0  # serving a sentence on the period's last day
    custody_days: float = 0.0  # days in custody within the period (for the average population)
    registration_wait_hours: float = 0.0


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
        start: datetime = datetime(2024, 1, 1, tzinfo=KZ_TIME),
    ):
        self.law, self.cal, self.seed = law, calibration, seed
        self.rng = random.Random(seed)
        self.start, self.end = start, start + timedelta(days=365 * years)
        self.cases = cases
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
                self.pools[(kind, region)] = Pool(round(national * weights[region] / total), start)
        self.totals = Totals()
        self._ids = itertools.count(1)
        self._order = itertools.count()

    # --- the scheduler ----------------------------------------------------------------------
    #
    # A process yields ("at", time) to wait, ("serve", pool, hours) to be served (it resumes
    # when served, told when service began), or ("emit", kind, actor, data) to record a fact
    # now (it is handed the event). `self.now` is the scheduler's clock: every fact is
    # stamped with it, so the facts come out in time order.

    def __iter__(self) -> Iterator[dict]:
        heap: list[tuple[datetime, int, Any, Any]] = []
        arrival = self.start
        for number in range(1, self.cases + 1):
            arrival += _hours(self.rng.expovariate(self.rate))
            heapq.heappush(heap, (arrival, next(self._order), None, number))
        horizon = self.end + timedelta(days=365 * 3)
        while heap:
            self.now, _, process, value = heapq.heappop(heap)
            if self.now > horizon:
                break  # cases still running three years after the period are left open
            if process is None:
                process, value = self._ended(self._case(value)), None
            while True:
                try:
                    step = process.send(value)
                except StopIteration:
                    break
                if step[0] == "emit":
                    value = self._event(*step[1:])
                    self.totals.events += 1
                    yield value
                    continue
                if step[0] == "at":
                    heapq.heappush(heap, (max(step[1], self.now), next(self._order), process, None))
                else:
                    begin, finished = step[1].serve(self.now, step[2])
                    heapq.heappush(heap, (finished, next(self._order), process, begin))
                break
        self.totals.open_at_end = self.totals.cases - self.totals.ended_in_period

    def _ended(self, case):
        """A case's process, counting it as ended in the period when it ends by the period's end."""
        yield from case
        if self.now <= self.end:
            self.totals.ended_in_period += 1

    def _custody_ends(self, c: _Case) -> None:
        """Count the days this custody lay within the period."""
        if c.custody_from is not None:
            overlap = min(self.now, self.end) - max(c.custody_from, self.start)
            self.totals.custody_days += max(overlap.total_seconds(), 0) / 86400
        c.custody_from, c.held_until = None, None

    def _event(self, case: str, kind: str, actor: dict, data: dict) -> dict:
        return {
            "id": f"s{self.seed}-{next(self._ids)}",
            "kind": kind,
            "case": case,
            "occurred_at": self.now.replace(second=0, microsecond=0).isoformat(),
            "actor": actor,
            "data": data,
        }

    def _ask(self, code: str, c: _Case, start: dict, *, cap: bool = False) -> datetime | None:
        """When the law says the duty `code` that `start` opens falls due (or how long custody may
        run), on the case's facts so far (and `start`, when it is an act only considered)."""
        state, event = c.state, c.known.get(start["id"])
        if event is None:  # a considered act: judged on a copy of the facts with it
            event = _as_event(start)
            state = fold_all([*c.events, event])
        return (longest if cap else due)(self.law, code, state, event)

    # --- one case ---------------------------------------------------------------------------

    def _case(self, number: int):
        rng, cal = self.rng, self.cal
        prob, fail, dur = cal.probabilities, cal.failures, cal.durations
        mix = cal.arrivals["gravity_mix"].value
        region = rng.choices(self.regions, self.region_weights)[0]
        drawn = rng.choices(list(mix), list(mix.values()))[0]
        article, _, part = rng.choice(cal.arrivals["articles"].of(drawn)).partition(".")
        gravity = gravity_of(self.law, article, int(part) if part else None, self.now.date()) or drawn
        c = _Case(
            f"KZ-SIM-{self.seed}-{number:07d}",
            region,
            gravity,
            article,
            {
                "inv": {
                    "id": f"inv-{region}-{rng.randrange(1, 40)}",
                    "role": "investigator",
                    "agency": f"police-{region}",
                },
                "pros": {
                    "id": f"pr-{region}-{rng.randrange(1, 10)}",
                    "role": "prosecutor",
                    "agency": f"prosecutor-{region}",
                },
                "ij": {
                    "id": f"ij-{region}-{rng.randrange(1, 6)}",
                    "role": "investigating_judge",
                    "agency": f"court-{region}-investigating",
                },
                "judge": {
                    "id": f"j-{region}-{rng.randrange(1, 12)}",
                    "role": "judge",
                    "agency": f"court-{region}-district",
                },
                "clerk": {"id": f"cl-{region}", "role": "court_clerk", "agency": f"court-{region}-investigating"},
                "doctor": {"id": f"doc-{region}", "role": "doctor", "agency": f"ivs-{region}"},
                "officer": {"id": f"po-{region}", "role": "prison_officer", "agency": f"penitentiary-{region}"},
            },
        )
        self.totals.cases += 1
        yield from c.emit("report.received", "inv", {"channel": "in_person", "summary": f"a {gravity} offence"})
        reported = self.now
        begin = yield ("serve", self.pools[("investigators", region)], dur["registration_work"].draw(rng))
        self.totals.registration_wait_hours += (begin - reported).total_seconds() / 3600
        registration = {"erdr_number": f"{self.seed}{number:09d}"[-12:], "article": article, "region": region}
        if part:
            registration["part"] = int(part)
        yield from c.emit("case.registered", "inv", registration)
        registered = self.now
        if rng.random() >= prob["suspect_identified"].value:
            yield ("at", registered + _hours(dur["investigation"].draw(rng)))
            yield from c.emit("case.closed", "inv", {"ground": "no_evidence"})
            return
        yield ("at", registered + _hours(dur["identify_suspect"].draw(rng)))
        yield from c.emit(
            "party.added",
            "inv",
            {
                "person": "P1",
                "role": "suspect",
                "name": "Simulated Suspect",
                "birth_date": f"{self.now.year - rng.randrange(18, 60)}-06-01",
            },
        )
        if rng.random() < prob["detained"].of(gravity):
            yield from self._detention(c)
        # the investigation: an investigator's hours (queued), within a calendar duration; the
        # prosecutor extends it before its term ends (the term is the law's), as a rule
        yield ("serve", self.pools[("investigators", region)], dur["investigation_work"].draw(rng))
        end = max(self.now, registered + _hours(dur["investigation"].draw(rng)))
        term = self._ask("KZ-INVESTIGATION-TERM", c, c.facts[1])
        while term is not None and end > term and rng.random() >= fail["extension_missed"].value:
            yield ("at", term - _hours(dur["extension_lead"].median))
            term = term + _hours(dur["investigation_extension"].median)
            yield from c.emit("investigation.extended", "pros", {"until": term.isoformat()})
        while c.held_until is not None and c.held_until < end:  # custody extended within the ladder
            yield ("at", c.held_until - _hours(dur["extension_lead"].median))
            step = _hours(dur["custody_extension"].median)
            longest_until = (c.cap or c.held_until + step) - _hours(dur["order_margin"].median)
            extended = min(c.held_until + step, longest_until)
            if extended <= c.held_until:
                yield from c.emit("person.released", "inv", {"person": "P1", "ground": "custody term exhausted"})
                self._custody_ends(c)
                break
            c.held_until = extended
            yield from c.emit("custody.extended", "ij", {"person": "P1", "until": extended.isoformat()})
        yield ("at", end)
        if rng.random() < prob["sent_to_court"].value:
            self.totals.sent_to_court += 1
            yield from c.emit("case.sent_to_court", "pros", {"court": c.actors["judge"]["agency"]})
            yield from self._trial(c)
            return
        data: dict[str, Any] = {"ground": "no_evidence"}
        if gravity in ("minor", "medium", "misdemeanour") and rng.random() < 0.3:
            data = {
                "ground": "reconciliation",
                "victim_consent": rng.random() >= fail["reconciliation_without_consent"].value,
            }
        if c.held_until is not None:
            yield from c.emit("person.released", "inv", {"person": "P1", "ground": "case closed"})
            self._custody_ends(c)
        yield from c.emit("case.closed", "inv", data)

    def _detention(self, c: _Case):
        rng, cal = self.rng, self.cal
        fail, dur, prob = cal.failures, cal.durations, cal.probabilities
        self.totals.detentions += 1
        detained_at = self.now
        detention = yield from c.emit("person.detained", "inv", {"person": "P1", "place": "street"})
        limit = self._ask("KZ-DETENTION-LIMIT", c, detention)
        if rng.random() >= fail["rights_not_explained"].value:
            yield from c.emit(
                "rights.explained", "inv", {"person": "P1", "rights": ["counsel", "silence", "interpreter"]}
            )
        yield ("at", detained_at + _hours(0.5))
        delivery = yield from c.emit("person.delivered", "inv", {"person": "P1", "place": "police premises"})
        protocol_due = self._ask("KZ-DETENTION-PROTOCOL", c, delivery) or self.now + _hours(1)
        share = 1.3 if rng.random() < fail["protocol_late"].value else rng.uniform(0.2, 0.9)
        yield ("at", self.now + (protocol_due - self.now) * share)
        yield from c.emit("medical.examined", "doctor", {"person": "P1", "injuries": False})
        yield from c.emit("detention.protocol_drawn", "inv", {"person": "P1"})
        yield from c.emit("prosecutor.notified", "inv", {"person": "P1"})
        if rng.random() >= fail["relatives_not_told"].value:
            yield from c.emit("relatives.notified", "inv", {"person": "P1"})
        alone = rng.random() < fail["questioned_without_counsel"].value
        if not alone:
            yield from c.emit("counsel.admitted", "inv", {"person": "P1", "lawyer": f"adv-{c.region}"})
        yield from c.emit("person.questioned", "inv", {"person": "P1", "counsel_present": not alone})
        if rng.random() >= fail["qualification_late"].value:
            qualified = yield from c.emit("suspicion.qualified", "inv", {"person": "P1", "article": c.article})
            yield from c.emit("decision.approved", "pros", {"event": qualified["id"]})
        if rng.random() < fail["torture_complaint"].value:
            yield from c.emit(
                "complaint.filed", "inv", {"complaint": f"{c.case}-c1", "person": "P1", "about": "ill_treatment"}
            )
        if rng.random() < prob["custody_petition"].of(c.gravity):
            # preparing a petition takes its own time, whatever the limit: a short limit is missed
            yield ("at", detained_at + _hours(dur["petition_preparation"].draw(rng)))
            self.totals.petitions += 1
            yield from c.emit("custody.petitioned", "pros", {"person": "P1"})
            yield from c.emit("custody.petition_received", "clerk", {"person": "P1"})
            yield ("serve", self.pools[("investigating_judges", c.region)], dur["custody_decision_work"].draw(rng))
            if rng.random() < prob["petition_granted"].value:
                self.totals.granted += 1
                considered = {
                    "id": "considered",
                    "kind": "custody.ordered",
                    "case": c.case,
                    "occurred_at": self.now.isoformat(),
                    "actor": c.actors["ij"],
                    "data": {"person": "P1", "until": self.now.isoformat()},
                }
                allowed = self._ask("KZ-CUSTODY-MAXIMUM", c, considered)
                c.cap = self._ask("KZ-CUSTODY-MAXIMUM", c, considered, cap=True)
                first = allowed or self.now + _hours(dur["custody_extension"].median)
                c.held_until = first - _hours(dur["order_margin"].median)
                self.totals.detention_hours += (self.now - detained_at).total_seconds() / 3600
                self.totals.custody_orders += 1
                yield from c.emit("custody.ordered", "ij", {"person": "P1", "until": c.held_until.isoformat()})
                c.custody_from = self.now
                yield from c.emit("relatives.notified", "inv", {"person": "P1"})
                return
            yield from c.emit("custody.refused", "ij", {"person": "P1"})
        else:
            release = detained_at + _hours(dur["release_without_petition"].draw(rng))
            if limit is not None and rng.random() >= fail["release_late"].value:
                release = min(release, limit - _hours(0.5))  # released in time, as a rule
            yield ("at", release)
        self.totals.detention_hours += (self.now - detained_at).total_seconds() / 3600
        yield from c.emit("person.released", "inv", {"person": "P1", "ground": "no custody"})

    def _trial(self, c: _Case):
        rng, cal = self.rng, self.cal
        yield ("serve", self.pools[("judges", c.region)], cal.durations["trial"].draw(rng) / 10)
        yield from c.emit("trial.started", "judge", {"court": c.actors["judge"]["agency"]})
        verdict_at = self.now + _hours(cal.durations["trial"].draw(rng))
        while c.held_until is not None and c.held_until < verdict_at:
            yield ("at", c.held_until - _hours(cal.durations["extension_lead"].median))
            c.held_until = c.held_until + _hours(cal.durations["custody_extension"].median)
            yield from c.emit("custody.extended", "judge", {"person": "P1", "until": c.held_until.isoformat()})
        yield ("at", verdict_at)
        if rng.random() < cal.probabilities["acquitted"].value:
            yield from c.emit("verdict.delivered", "judge", {"person": "P1", "outcome": "acquitted"})
            if c.held_until is not None:
                yield from c.emit("person.released", "judge", {"person": "P1", "ground": "acquitted"})
                self._custody_ends(c)
            return
        imprisoned = rng.random() < cal.probabilities["imprisoned"].of(c.gravity)
        sentence = {
            "kind": "imprisonment" if imprisoned else "probation",
            "months": cal.durations["sentence_months"].of(c.gravity),
        }
        yield from c.emit("verdict.delivered", "judge", {"person": "P1", "outcome": "convicted", "sentence": sentence})
        if imprisoned:
            self.totals.prisoners += 1
            self._custody_ends(c)  # held under the verdict from here on
            yield ("at", self.now + _hours(cal.durations["to_prison"].median))
            yield from c.emit("prisoner.admitted", "officer", {"person": "P1", "facility": f"ec-{c.region}-1"})
            if self.now <= self.end < self.now + timedelta(days=30.44 * sentence["months"]):
                self.totals.prison_at_end += 1
        elif c.held_until is not None:
            yield from c.emit("person.released", "judge", {"person": "P1", "ground": "non-custodial sentence"})
            self._custody_ends(c)


@dataclass
class _Case:
    case: str
    region: str
    gravity: str
    article: str
    actors: dict[str, dict]
    facts: list[dict] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # the same facts as the law reads them
    known: dict[str, Event] = field(default_factory=dict)
    state: CaseState | None = None  # their fold, kept as they come
    held_until: datetime | None = None
    cap: datetime | None = None  # the latest `until` the custody ladder allows
    custody_from: datetime | None = None

    def emit(self, kind: str, actor: str, data: dict):
        """Record a fact now (`yield from`): the scheduler stamps it and hands it back."""
        raw = yield ("emit", self.case, kind, self.actors[actor], data)
        self.facts.append(raw)
        event = _as_event(raw)
        self.events.append(event)
        self.known[event.id] = event
        self.state = fold(self.state, event)
        return raw


def _as_event(raw: dict) -> Event:
    """A fact the simulator made as the law reads it: built, not parsed (the register parses
    and checks every one when it is recorded; `tests/simulator` proves it takes them all)."""
    return Event(
        id=raw["id"],
        kind=raw["kind"],
        case=raw["case"],
        occurred_at=datetime.fromisoformat(raw["occurred_at"]),
        actor=Actor.from_dict(raw["actor"]),
        data=raw["data"],
    )
