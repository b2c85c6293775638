"""The simulator's detailed caseload: every case's path, as events in the import format (design §4).

For demos, tests and benchmarks, where the engine (`engine.py`: queues of officials, one
suspect, the calibrated failures) gives the national picture. Each case follows a full path
(report, ERDR registration, parties; several suspects; for some a detention with its protocol,
rights, notices, counsel and questioning, then a release or a custody petition and the
investigating judge's decision; extensions; closure or trial, verdict, appeal, prison), and the
National Preventive Mechanism visits places of detention. Every share and spread is a figure of
`calibration.yaml` (its `caseload` section, and the engine's probabilities where they overlap);
every limit is asked of the rules engine on the case's facts (`law.rules.due`, `longest`,
`finds`), under the law in force on the day, so a start in 2017 or 2020 follows the acts then in
force. Lawful facts fall inside the limit; `breach_rate` is the chance that each opportunity
for a breach is taken, outside it (0: a lawful caseload, with no finding at all).

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
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from habeas.domain.case import CaseState, fold_all
from habeas.domain.events import Event, parse_event
from habeas.law.offences import gravity_of
from habeas.law.package import Law
from habeas.law.rules import due, finds, longest
from habeas.simulator.calibration import DEFAULT_START, Calibration

MALE = (
    "Aidar",
    "Nurlan",
    "Yerlan",
    "Daniyar",
    "Askar",
    "Marat",
    "Serik",
    "Timur",
    "Arman",
    "Dmitry",
    "Sergey",
    "Alexey",
    "Ruslan",
    "Bauyrzhan",
    "Yerzhan",
    "Azamat",
    "Olzhas",
)
FEMALE = (
    "Aigerim",
    "Dana",
    "Saule",
    "Gulnara",
    "Madina",
    "Aliya",
    "Elena",
    "Olga",
    "Zhanna",
    "Asel",
    "Dinara",
    "Kamila",
)
SURNAMES = (
    "Akhmetov",
    "Nurpeisov",
    "Bekov",
    "Omarov",
    "Ivanov",
    "Petrov",
    "Tulegenov",
    "Zhakupov",
    "Suleimenov",
    "Abenov",
    "Smagulov",
    "Karimov",
    "Sadykov",
    "Ismailov",
    "Kuznetsov",
    "Baimukhanov",
    "Yessenov",
    "Mukanov",
)
SURNAMES_PLAIN = ("Kim", "Li", "Tsoi", "Seitkali", "Nurmukhambet")
CHANNELS = ("in_person", "phone_102", "online", "written", "police_initiative")
DETAINED_AT = ("street", "home", "workplace", "scene of the offence", "shopping centre")
FACILITY_KINDS = ("ivs", "sizo", "ec")


def _h(hours: float) -> timedelta:
    return timedelta(minutes=max(1, round(hours * 60)))


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(
        moment.day,
        [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
            month - 1
        ],
    )
    return moment.replace(year=year, month=month, day=day)


def _office(moment: datetime, rng: random.Random) -> datetime:
    """The same or the next working day, during office hours (for unhurried acts)."""
    if moment.hour >= 17:
        moment += timedelta(days=1)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    if not 9 <= moment.hour < 17:
        moment = datetime.combine(moment.date(), time(9), moment.tzinfo) + timedelta(minutes=rng.randrange(0, 420))
    return moment


@dataclass(slots=True)
class _Suspect:
    person: str
    minor: bool
    language: str
    detained: bool = False
    in_custody: bool = False
    custody_from: datetime | None = None
    until: datetime | None = None
    lawyer: dict | None = None
    done: bool = False  # released for good, or the flow ended
    party: dict | None = None  # the party.added of this suspect (the facts the law asks about)
    detention: dict | None = None  # the person.detained, while it counts
    cap: datetime | None = None  # the latest `until` the custody ladder allows


@dataclass(slots=True)
class _Case:
    case: str
    region: str
    article: str
    part: int
    gravity: str | None
    investigator: dict
    prosecutor: dict
    suspects: list[_Suspect] = field(default_factory=list)
    victim: bool = False
    in_court: bool = False
    registration: dict | None = None  # the case.registered (its article and part)


class Caseload:
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
        self._offence_weights = [o["weight"] for o in self._offences]
        self._region_ids = list(calibration.regions.value)
        self._region_weights = list(calibration.regions.value.values())

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

    # --- helpers ----------------------------------------------------------------------------

    def _event(self, moment: datetime, kind: str, case: str | None, actor: dict, data: dict):
        moment = moment.replace(second=0, microsecond=0)  # records are kept to the minute
        raw = {"id": f"g{self.seed}-{next(self._ids)}", "kind": kind}
        if case is not None:
            raw["case"] = case
        raw["occurred_at"] = moment.isoformat()
        raw["actor"] = actor
        raw["data"] = data
        return moment, raw

    def _actor(self, role: str, prefix: str, region: str, agency: str, pool: int) -> dict:
        k = self.rng.randrange(1, pool + 1)
        key = (role, region, agency, k)
        actor = self._actors.get(key)
        if actor is None:
            actor = {"id": f"{prefix}-{region}-{k}", "role": role, "agency": agency}
            self._actors[key] = actor
        return actor

    # The law is asked, never copied: when a duty falls due, how long custody may run,
    # whether an act would breach a rule, all come from the rules engine on the facts.

    def _facts(self, *raws: dict | None) -> tuple[CaseState, list[Event]]:
        events = [parse_event(raw) for raw in raws if raw is not None]
        return fold_all(events), events

    def _until(self, code: str, start: dict, *context: dict | None) -> datetime | None:
        """When the law makes the duty of `code` that `start` opens fall due (None: no such duty)."""
        state, events = self._facts(*context, start)
        return due(self.law, code, state, events[-1])

    def _term(self, code: str, start: dict, *context: dict | None) -> timedelta:
        """How long the law gives from `start` (a neutral pace when it gives no term)."""
        until = self._until(code, start, *context)
        moment = datetime.fromisoformat(start["occurred_at"])
        return until - moment if until is not None else self.no_rule_pace

    def _longest(self, order: dict, *context: dict | None) -> datetime | None:
        """The latest `until` the custody ladder allows a series that `order` opens."""
        state, events = self._facts(*context, order)
        return longest(self.law, "KZ-CUSTODY-MAXIMUM", state, events[-1])

    def _breaches(self, code: str, *raws: dict | None) -> bool:
        """Whether these facts would breach rule `code`."""
        return finds(self.law, code, self._facts(*raws)[0])

    def _hypothetical(self, moment: datetime, kind: str, case: str, actor: dict, data: dict) -> dict:
        """An act the generator considers, asked about before it is decided (its id is not used)."""
        return {
            "id": "considered",
            "kind": kind,
            "case": case,
            "occurred_at": moment.isoformat(),
            "actor": actor,
            "data": data,
        }

    def _gravity(self, article: str, part: int, moment: datetime) -> str | None:
        key = (article, part, moment.year)
        if key not in self._gravities:
            self._gravities[key] = gravity_of(self.law, article, part, moment.date())
        return self._gravities[key]

    def _of(self, shares: dict, gravity: str | None):
        """A figure given by gravity, for an offence of this gravity (or of the assumed one)."""
        return shares[gravity if gravity is not None else self.fig["unknown_gravity"]]

    def _pace(self, name: str) -> float:
        """A routine act's delay (hours or days, as its name says), drawn evenly."""
        low, high = self._paces[name]
        return self.rng.uniform(low, high)

    def _share(self, act: str, breach: bool) -> float:
        """Where within the law's term for `act` it falls (or, as a breach, how far past it)."""
        low, high = self._shares[act]["breach" if breach else "lawful"]
        return self.rng.uniform(low, high)

    def _breach(self, scale: float = 1.0) -> bool:
        return self.rng.random() < self.breach_rate * scale

    def _name(self) -> str:
        rng = self.rng
        female = rng.random() < self.fig["female"]
        first = rng.choice(FEMALE if female else MALE)
        plain = rng.random() < self.fig["plain_surname"]
        last = rng.choice(SURNAMES_PLAIN) if plain else rng.choice(SURNAMES) + ("a" if female else "")
        return f"{first} {last}"

    def _birth(self, moment: datetime, age: int) -> str:
        rng = self.rng
        born = date(moment.year - age - 1, rng.randrange(1, 13), rng.randrange(1, 29))
        if (moment.date() - born).days // 365.25 > age:
            born = born.replace(year=born.year + 1)
        return born.isoformat()

    # --- NPM visits (caseless events) ------------------------------------------------------

    def _visits(self):
        rng = self.rng
        moment = self.start
        rate = max(self.cases_per_day * self.fig["visits"] / self.per_year, 1e-6)
        while True:
            moment = _office(moment + timedelta(days=rng.expovariate(rate)), rng)
            region = rng.choices(self._region_ids, self._region_weights)[0]
            kind = rng.choice(FACILITY_KINDS)
            facility = f"{kind}-{region}-{rng.randrange(1, 4)}"
            actor = self._actor("ombudsman", "npm", region, f"ombudsman-{region}", 5)
            findings = rng.choice(
                (
                    "no violations found",
                    "overcrowded cells; ventilation insufficient",
                    "detainee register incomplete",
                    "no access to drinking water in two cells",
                    "video surveillance gaps in the corridor",
                )
            )
            yield self._event(moment, "facility.visited", None, actor, {"facility": facility, "findings": findings})

    # --- one case ----------------------------------------------------------------------------
    #
    # A case is a generator of (time, event) in its own time order. Each phase (intake, the
    # suspects, the end of the investigation, the court) builds its few events as a list,
    # sorts it by time (stable: a fact and what depends on it keep their order) and yields
    # it, so concurrent acts (two suspects, a custody extension and an investigation
    # extension) interleave truly while the case holds at most one phase in memory.

    def _case(self, number: int, reported: datetime):
        rng = self.rng
        reported = reported.replace(second=0, microsecond=0)
        region = rng.choices(self._region_ids, self._region_weights)[0]
        offence = rng.choices(self._offences, self._offence_weights)[0]
        article, part, summary = offence["article"], offence["part"], offence["summary"]
        gravity = self._gravity(article, part, reported)
        case_id = f"KZ-{reported.year}-{number:06d}"
        if offence.get("body") == "anticorruption":
            body, role = f"anticorruption-{region}", "investigator"
        elif offence.get("body") == "prosecutor":
            body, role = f"prosecutor-{region}-investigations", "investigator"
        else:
            body = f"police-{region}-d{rng.randrange(1, 9)}"
            light = gravity in ("misdemeanour", "minor")
            role = "inquiry_officer" if light and rng.random() < self.fig["inquiry_officer"] else "investigator"
        inv = self._actor(role, "inv" if role == "investigator" else "inq", region, body, 60)
        pros = self._actor("prosecutor", "pr", region, f"prosecutor-{region}", 20)
        c = _Case(case_id, region, article, part, gravity, inv, pros)
        c.victim = offence["victim"]

        # Intake: the report, its registration in the ERDR (late, as a breach), the victim.
        report = {"channel": rng.choice(CHANNELS), "summary": summary}
        if c.victim:
            report["victim"] = "V1"
        received = self._event(reported, "report.received", case_id, inv, report)
        yield received
        limit = self._term("KZ-REPORT-REGISTRATION", received[1])
        share = self._share("registration", self._breach())
        registered = (reported + limit * share).replace(second=0, microsecond=0)
        erdr = f"{registered:%y}{self._region_ids.index(region):02d}{number:08d}"
        registration = self._event(
            registered,
            "case.registered",
            case_id,
            inv,
            {"erdr_number": erdr, "article": article, "part": part, "region": region},
        )
        c.registration = registration[1]
        yield registration
        t = registered
        if c.victim:
            t += _h(self._pace("victim_named_hours"))
            yield self._event(t, "party.added", case_id, inv, {"person": "V1", "role": "victim", "name": self._name()})

        # No crime after all, or no one identified: closed (the term extended meanwhile).
        roll = rng.random()
        if roll < self.fig["no_crime"]:
            closed = _office(t + timedelta(days=self._pace("closed_no_crime_days")), rng)
            yield from self._sorted(self._close(c, closed, "no_crime"))
            return
        unknown = self.fig["offender_unknown"]
        if roll < self.fig["no_crime"] + unknown.get(article, unknown["other"]):
            end = _office(registered + timedelta(days=self._pace("closed_unknown_offender_days")), rng)
            acts = self._extend_investigation(c, registered, end, t)
            yield from self._sorted(acts + self._close(c, end, "no_evidence"))
            return

        # Suspects, identified within days; their flows run concurrently.
        count = 1 + sum(rng.random() < chance for chance in self.fig["more_suspects"])
        found = t + _h(
            self._pace(
                "identified_slowly_hours"
                if rng.random() < self.fig["identified_slowly"]
                else "identified_quickly_hours"
            )
        )
        acts = []
        for k in range(1, count + 1):
            acts += self._suspect(c, f"P{k}", found + _h(self._pace("each_suspect_hours")))
        last = max(m for m, _ in acts)
        if rng.random() < self.fig["witness"]:
            last += _h(self._pace("witness_hours"))
            acts.append(
                self._event(
                    last, "party.added", case_id, inv, {"person": "W1", "role": "witness", "name": self._name()}
                )
            )
        yield from self._sorted(acts)

        # The end of the investigation: closure, or the indictment sent to court.
        held = any(s.in_custody for s in c.suspects)
        days = self._pace("investigation_held_days") if held else self._pace("investigation_free_days")
        end = _office(max(last + _h(self._pace("after_last_act_hours")), registered + timedelta(days=days)), rng)
        reconciled = self._hypothetical(
            end, "case.closed", case_id, inv, {"ground": "reconciliation", "victim_consent": True}
        )
        if (
            c.victim
            and not self._breaches("KZ-RECONCILIATION-GRAVITY", c.registration, reconciled)
            and rng.random() < self.fig["reconciled"]
        ):
            end = _office(max(last + _h(2), registered + timedelta(days=self._pace("reconciliation_days"))), rng)
            ground = "reconciliation"
        elif rng.random() < self.fig["closed_no_evidence"]:
            ground = "no_evidence"
        else:
            ground = None
        acts = self._extend_investigation(c, registered, end, last)
        acts += self._custody_until(c, end + timedelta(days=1), last)
        if ground is not None:
            acts += self._close(c, end, ground, consent=not self._breach())
            yield from self._sorted(acts)
            return
        yield from self._sorted(acts)
        yield from self._sorted(self._court(c, end))

    @staticmethod
    def _sorted(acts: list) -> list:
        acts.sort(key=_time)
        return acts

    def _suspect(self, c: _Case, person: str, t: datetime) -> list:
        """One suspect from being identified to the pre-trial decision on his liberty."""
        rng = self.rng
        inv, pros = c.investigator, c.prosecutor
        acts: list = []

        def add(moment, kind, actor, data):
            item = self._event(moment, kind, c.case, actor, data)
            acts.append(item)
            return item[1]

        t = t.replace(second=0, microsecond=0)
        minor = rng.random() < self.fig["minor_suspect"]
        foreign = rng.random() < self.fig["foreign_suspect"]
        language = rng.choice(("uz", "ky", "tg")) if foreign else rng.choice(("kk", "kk", "ru"))
        s = _Suspect(person, minor, language)
        c.suspects.append(s)
        low, high = self.fig["suspect_age"]["minor" if minor else "adult"]
        age = rng.randint(low, high)
        party = {
            "person": person,
            "role": "suspect",
            "name": self._name(),
            "birth_date": self._birth(t, age),
            "language": language,
        }
        if foreign:
            party["citizenship"] = rng.choice(("UZ", "KG", "TJ", "RU"))
        s.party = add(t, "party.added", inv, party)
        alone = self._hypothetical(
            t + _h(1), "person.questioned", c.case, inv, {"person": person, "counsel_present": False}
        )
        mandatory = self._breaches("KZ-COUNSEL", c.registration, s.party, alone)
        if rng.random() >= self._of(self.p_detained, c.gravity):
            # Summoned, not detained: questioned with counsel or after a valid waiver.
            t += timedelta(days=self._pace("summoned_days"))
            counsel = mandatory or rng.random() < self.fig["counsel_summoned"]
            if counsel:
                add(t, "counsel.admitted", inv, {"person": person, "lawyer": f"adv-{c.region}-{rng.randrange(1, 81)}"})
            else:
                add(t, "counsel.waived", inv, {"person": person})
            t += _h(self._pace("questioned_hours"))
            add(t, "person.questioned", inv, {"person": person, "counsel_present": counsel})
            self._qualify(c, s, t + _h(self._pace("qualified_summoned_hours")), add)
            return acts

        # Detention: the clock of the detention limit runs from here.
        s.detained = True
        detained = t
        s.detention = add(t, "person.detained", inv, {"person": person, "place": rng.choice(DETAINED_AT)})
        delivered = t + _h(self._pace("delivered_hours"))
        delivery = add(delivered, "person.delivered", inv, {"person": person, "place": f"{inv['agency']} premises"})
        t = delivered + _h(self._pace("after_delivery_hours"))
        if not self._breach():
            rights = ["counsel", "silence", "interpreter", "notify_relatives"]
            add(t, "rights.explained", inv, {"person": person, "rights": rights})
        if not self._breach():  # examined before the protocol
            doctor = self._actor("doctor", "doc", c.region, f"ivs-{c.region}-1", 6)
            add(
                t + _h(self._pace("examined_hours")),
                "medical.examined",
                doctor,
                {"person": person, "injuries": rng.random() < self.fig["injuries"]},
            )
        consulate = self._until("KZ-CONSULAR-NOTICE", s.detention, c.registration, s.party)
        if consulate is not None and not self._breach():  # a foreigner's consulate is told
            add(
                detained + (consulate - detained) * self._share("consulate", False),
                "consulate.notified",
                inv,
                {"person": person},
            )
        protocol_limit = self._term("KZ-DETENTION-PROTOCOL", delivery)
        share = self._share("protocol", self._breach())
        protocol = max(delivered + protocol_limit * share, t + _h(0.1))
        drawn = add(protocol, "detention.protocol_drawn", inv, {"person": person})
        relatives_limit = self._term("KZ-RELATIVES-NOTICE", s.detention)
        share = self._share("relatives", self._breach())
        add(max(detained + relatives_limit * share, t), "relatives.notified", inv, {"person": person})
        prosecutor_limit = self._term("KZ-PROSECUTOR-NOTICE", drawn)
        share = self._share("prosecutor_notice", self._breach())
        add(protocol + prosecutor_limit * share, "prosecutor.notified", inv, {"person": person})
        # Counsel: requested and admitted, or (where the law allows it) waived.
        requested = mandatory or rng.random() < self.fig["counsel_requested"]
        asked = t + _h(self._pace("counsel_asked_hours"))
        if requested:
            lawyer = self._actor("defence_lawyer", "adv", c.region, f"bar-{c.region}", 80)
            s.lawyer = lawyer
            admitted = asked + _h(self._pace("counsel_admitted_hours"))
            add(asked, "counsel.requested", inv, {"person": person})
            add(admitted, "counsel.admitted", inv, {"person": person, "lawyer": lawyer["id"]})
            if self._breach():  # questioned before the lawyer came
                questioned, present = asked + _h(self._pace("questioned_before_counsel_hours")), False
            else:
                questioned, present = admitted + _h(self._pace("questioned_hours")), True
        else:
            add(asked, "counsel.waived", inv, {"person": person})
            questioned, present = asked + _h(self._pace("questioned_hours")), False
        questioned = max(questioned, protocol + _h(0.05))
        add(questioned, "person.questioned", inv, {"person": person, "counsel_present": present})
        t = self._qualify(c, s, questioned + _h(self._pace("qualified_detained_hours")), add)
        if rng.random() < self.fig["record_corrected"]:
            add(
                questioned + _h(self._pace("corrected_hours")),
                "record.corrected",
                inv,
                {
                    "event": delivery["id"],
                    "reason": "the place of delivery was mistyped",
                    "data": {"place": f"{c.region} city police department"},
                },
            )
        t = max(t, questioned)
        if rng.random() < self.cal.failures["torture_complaint"].value:
            self._torture_complaint(c, s, questioned + _h(self._pace("complaint_hours")), add)

        # The detention ends within its limit (or, as a breach, after it).
        limit = self._term("KZ-DETENTION-LIMIT", s.detention, c.registration, s.party)
        over = self._breach()
        if rng.random() < self._of(self.p_petition, c.gravity):
            petitioner = inv if inv["role"] == "investigator" else pros
            petition = max(questioned + _h(0.5), detained + limit * self._share("petition", False))
            petitioned = add(petition, "custody.petitioned", petitioner, {"person": person})
            decide = self._term("KZ-CUSTODY-DECISION", petitioned)
            if over:
                decided = max(petition + _h(0.5), detained + limit * self._share("detention_with_petition", True))
            elif self._breach():
                decided = petition + decide * self._share("custody_decision", True)
            else:
                decided = min(petition + decide * self._share("custody_decision", False), detained + limit - _h(1.5))
                decided = max(decided, petition + _h(0.2))
            judge = self._actor("investigating_judge", "ij", c.region, f"court-{c.region}-investigating", 8)
            if rng.random() < self.p_granted:
                considered = self._hypothetical(
                    decided, "custody.ordered", c.case, judge, {"person": person, "until": decided.isoformat()}
                )
                allowed = self._until("KZ-CUSTODY-MAXIMUM", considered, c.registration, s.party, s.detention)
                s.cap = self._longest(considered, c.registration, s.party, s.detention)
                allowed = allowed or decided + self.custody_step
                margin = rng.choice(self.fig["order_margin_days"])
                until = allowed - timedelta(days=margin, hours=self._pace("order_margin_hours"))
                order = add(decided, "custody.ordered", judge, {"person": person, "until": until.isoformat()})
                relatives = self._term("KZ-RELATIVES-NOTICE", order)
                share = self._share("relatives", self._breach())
                add(decided + relatives * share, "relatives.notified", inv, {"person": person})
                s.in_custody, s.custody_from, s.until = True, detained, until
                if rng.random() < self.fig["examined_in_custody"]:
                    doctor = self._actor("doctor", "doc", c.region, f"sizo-{c.region}-1", 6)
                    add(
                        decided + _h(self._pace("examined_in_custody_hours")),
                        "medical.examined",
                        doctor,
                        {"person": person, "injuries": rng.random() < self.fig["injuries"]},
                    )
                if rng.random() < self.fig["death_in_custody"]:
                    officer = self._actor("prison_officer", "po", c.region, f"sizo-{c.region}-1", 30)
                    add(
                        decided + timedelta(days=self._pace("death_days")),
                        "death.recorded",
                        officer,
                        {"person": person, "place": f"sizo-{c.region}-1", "cause": "illness"},
                    )
                    s.in_custody, s.done = False, True
            else:
                add(decided, "custody.refused", judge, {"person": person})
                add(
                    decided + _h(self._pace("released_after_refusal_hours")),
                    "person.released",
                    inv,
                    {"person": person, "ground": "custody refused by the court"},
                )
        else:
            share = self._share("detention_without_petition", over)
            released = max(detained + limit * share, questioned + _h(0.2))
            if not over:
                released = min(released, detained + limit - _h(0.1))
            ground = rng.choice(("no grounds for custody", "undertaking not to leave", "bail"))
            add(released, "person.released", inv, {"person": person, "ground": ground})
        return acts

    def _qualify(self, c: _Case, s: _Suspect, t: datetime, add) -> datetime:
        """The investigator's suspicion and, where the law needs it, the prosecutor's approval."""
        qualified = add(
            t, "suspicion.qualified", c.investigator, {"person": s.person, "article": c.article, "part": c.part}
        )
        approval = self._until("KZ-SUSPECT-APPROVAL", qualified)
        if approval is None:  # no approval needed before the three-tier model
            return t
        term = approval - t
        share = self._share("approval", self._breach())
        kind = "decision.rejected" if self.rng.random() < self.fig["approval_rejected"] else "decision.approved"
        add(t + term * share, kind, c.prosecutor, {"event": qualified["id"]})
        return t + term * share

    def _torture_complaint(self, c: _Case, s: _Suspect, t: datetime, add) -> None:
        rng = self.rng
        number = rng.randrange(1, 10_000)
        complaint = f"C-{c.case}-{s.person}-{number}"
        by_lawyer = s.lawyer and rng.random() < self.fig["complaint_by_lawyer"]
        by = s.lawyer if by_lawyer else {"id": f"{c.case}-{s.person}", "role": "person"}
        about = rng.choice(("torture", "ill_treatment", "ill_treatment"))
        filed = add(t, "complaint.filed", by, {"complaint": complaint, "person": s.person, "about": about})
        registration = self._term("KZ-TORTURE-REGISTRATION", filed)
        medical = self._term("KZ-TORTURE-MEDICAL", filed)
        # Such complaints often go unregistered or unexamined: breaches are likelier here.
        weights = self.fig["breach_weights"]
        if not self._breach(weights["complaint_not_registered"]):
            late = self._breach(weights["complaint_registered_late"])
            share = self._share("complaint_registration", late)
            add(
                t + registration * share,
                "complaint.registered",
                c.prosecutor,
                {"complaint": complaint, "erdr_number": f"T{c.case[-6:]}{number:04d}"},
            )
        if not self._breach(weights["complaint_not_examined"]):
            doctor = self._actor("doctor", "doc", c.region, f"ivs-{c.region}-1", 6)
            add(
                t + medical * self._share("complaint_examination", False),
                "medical.examined",
                doctor,
                {
                    "person": s.person,
                    "injuries": rng.random() < self.fig["injuries_after_complaint"],
                    "notes": "examined after a complaint",
                },
            )

    def _extend_investigation(self, c: _Case, registered: datetime, end: datetime, after: datetime) -> list:
        """The prosecutor extends the term before it runs out (rarely not: a breach)."""
        rng = self.rng
        due = self._until("KZ-INVESTIGATION-TERM", c.registration)
        if due is None:
            return []
        acts = []
        while end > due:
            if self._breach(self.fig["breach_weights"]["extension_missed"]):
                break
            at = max(_office(due - timedelta(days=self._pace("investigation_extension_lead_days")), rng), after + _h(1))
            if at >= due:
                break
            due = _add_months(due, rng.choice(self.fig["extension_months"]["investigation"]))
            acts.append(self._event(at, "investigation.extended", c.case, c.prosecutor, {"until": due.isoformat()}))
        return acts

    def _custody_until(self, c: _Case, end: datetime, after: datetime) -> list:
        """Custody extended for those held until `end`, by the judge of the stage."""
        rng = self.rng
        acts: list = []
        if c.in_court:
            judge = self._actor("judge", "j", c.region, f"court-{c.region}-district-1", 6)
        else:
            judge = self._actor("investigating_judge", "ij", c.region, f"court-{c.region}-investigating", 8)
        for s in c.suspects:
            while s.in_custody and s.until < end:
                at = max(s.until - timedelta(days=self._pace("custody_extension_lead_days")), after + _h(1))
                new = _add_months(s.until, rng.choice(self.fig["extension_months"]["custody"]))
                if not c.in_court and s.cap is not None and new > s.cap:
                    # the ladder is exhausted: released before the term ends
                    acts.append(
                        self._event(
                            at,
                            "person.released",
                            c.case,
                            c.investigator,
                            {"person": s.person, "ground": "custody term exhausted"},
                        )
                    )
                    s.in_custody = False
                    break
                extension = {"person": s.person, "until": new.isoformat()}
                acts.append(self._event(at, "custody.extended", c.case, judge, extension))
                s.until = new
        return acts

    def _close(self, c: _Case, t: datetime, ground: str, consent: bool = True) -> list:
        acts = []
        at = t - _h(2)
        for s in c.suspects:
            if s.in_custody:
                at += _h(self._pace("between_acts_hours"))
                acts.append(
                    self._event(
                        at, "person.released", c.case, c.investigator, {"person": s.person, "ground": "case closed"}
                    )
                )
                s.in_custody = False
        data: dict[str, Any] = {"ground": ground}
        if ground == "reconciliation":
            data["victim_consent"] = consent
        closed = self._event(t, "case.closed", c.case, c.investigator, data)
        acts.append(closed)
        approved = t + timedelta(days=self._pace("closure_approved_days"))
        acts.append(self._event(approved, "decision.approved", c.case, c.prosecutor, {"event": closed[1]["id"]}))
        return acts

    def _court(self, c: _Case, sent: datetime) -> list:
        rng = self.rng
        region = c.region
        court = f"court-{region}-district-{rng.randrange(1, 6)}"
        acts = [self._event(sent, "case.sent_to_court", c.case, c.prosecutor, {"court": court})]
        c.in_court = True
        judge = self._actor("judge", "j", region, court, 6)
        started = _office(sent + timedelta(days=self._pace("trial_start_days")), rng)
        verdict_at = _office(started + timedelta(days=self._pace("trial_days")), rng)
        acts += self._custody_until(c, verdict_at + timedelta(days=1), sent)
        acts.append(self._event(started, "trial.started", c.case, judge, {"court": court}))
        t = verdict_at
        for s in c.suspects:
            if s.done:
                continue
            t += _h(self._pace("between_acts_hours"))
            if rng.random() < self.p_acquitted:
                verdict = {"person": s.person, "outcome": "acquitted"}
                acts.append(self._event(t, "verdict.delivered", c.case, judge, verdict))
                if s.in_custody:
                    acts.append(
                        self._event(
                            t + _h(0.3), "person.released", c.case, judge, {"person": s.person, "ground": "acquitted"}
                        )
                    )
                    s.in_custody = False
                continue
            low, high = self._of(self.fig["sentence_months"], c.gravity)
            held = s.in_custody and rng.random() < self.fig["imprisoned_when_held"]
            if rng.random() < self._of(self.p_imprisoned, c.gravity) or held:
                sentence = {"kind": "imprisonment", "months": rng.randrange(low, high + 1)}
            else:
                sentence = {"kind": rng.choice(("fine", "restriction_of_freedom", "correctional_labour", "probation"))}
                if sentence["kind"] != "fine":
                    sentence["months"] = rng.randint(*self.fig["non_custodial_months"])
            verdict = self._event(
                t,
                "verdict.delivered",
                c.case,
                judge,
                {"person": s.person, "outcome": "convicted", "sentence": sentence},
            )
            acts.append(verdict)
            term = self._term("KZ-APPEAL-LATE", verdict[1])
            if sentence["kind"] != "imprisonment" and s.in_custody:
                acts.append(
                    self._event(
                        t + _h(0.3),
                        "person.released",
                        c.case,
                        judge,
                        {"person": s.person, "ground": "non-custodial sentence"},
                    )
                )
                s.in_custody = False
            final = t + term
            if rng.random() < self.fig["appealed"]:
                share = self._share("appeal", self._breach())
                filed = t + term * share
                lawyer = s.lawyer or self._actor("defence_lawyer", "adv", region, f"bar-{region}", 80)
                appeal = {"person": s.person, "by": lawyer["id"]}
                acts.append(self._event(filed, "appeal.filed", c.case, lawyer, appeal))
                final = _office(filed + timedelta(days=self._pace("appeal_days")), rng)
                appeal_judge = self._actor("judge", "aj", region, f"court-{region}-regional", 10)
                outcomes = self.fig["appeal_outcomes"]
                outcome = rng.choices(list(outcomes), list(outcomes.values()))[0]
                decided = {"outcome": outcome, "person": s.person}
                acts.append(self._event(final, "appeal.decided", c.case, appeal_judge, decided))
            if sentence["kind"] == "imprisonment":
                officer = self._actor("prison_officer", "po", region, f"penitentiary-{region}", 30)
                admitted = _office(final + timedelta(days=self._pace("to_prison_days")), rng)
                acts.append(
                    self._event(
                        admitted,
                        "prisoner.admitted",
                        c.case,
                        officer,
                        {"person": s.person, "facility": f"ec-{region}-{rng.randrange(1, 4)}", "ground": "sentence"},
                    )
                )
                s.in_custody = False
        return acts


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
