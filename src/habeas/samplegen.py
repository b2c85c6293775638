"""Sample caseloads: realistic cases as events in the import format (design §4).

A deterministic, streaming generator for demos, tests and benchmarks. Each case
follows a realistic path (report, ERDR registration, parties; for some suspects a
detention with its protocol, rights, notices, counsel and questioning, then a
release or a custody petition and the investigating judge's decision; extensions;
closure or trial, verdict, appeal, prison). Every time limit the generator aims
at is read from the law package (`law.version(key, moment)`), never written
here: lawful facts fall inside the limit in force, a configurable share of
breaches (`breach_rate`, the chance that each opportunity for a breach is taken)
falls outside it, so the rules engine has findings to make.

Events come out in one global time order, interleaving the cases as a register
would receive them, with bounded memory: only the cases still running are held,
each as a suspended generator in a heap keyed by the time of its next event.
The window is about `cases_per_day` times the life of a case, whatever the
number of events asked for.

    for raw in generate(events=10_000, seed=7):
        ...
    write_jsonl("sample.jsonl", cases=300)

Identifiers: events `g{seed}-{n}`, cases `KZ-{year}-{n:06d}` (numbered from
`first_case`, by default 1000, so the bundled `one-case.jsonl` never collides).
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from habeas.law.offences import offence as offence_row
from habeas.law.package import Law, MissingLaw

KZ_TIME = timezone(timedelta(hours=5))
# When a jurisdiction package has no limit for an act, the generator paces it this far
# out. A pacing choice of the generator, not a legal value: limits come from the law.
NO_RULE_PACE = timedelta(days=1)
DEFAULT_START = datetime(2024, 1, 1, tzinfo=KZ_TIME)

# Registered criminal offences in 2023: 140.3k, i.e. ~384 a day (law-kz.md, calibration).
CASES_PER_DAY = 384.0
# National Preventive Mechanism visits: 461 in 2023 (law-kz.md), per registered case.
VISITS_PER_CASE = 461 / 140_300
# Custody petitions granted by investigating judges: 74.3 % in 2024 (law-kz.md, L9).
CUSTODY_GRANTED = 0.743
# Acquittals: about 0.3 % of persons tried (law-kz.md, calibration).
ACQUITTED = 0.003

# The 17 regions (oblys) and the three cities of republican significance, weighted by
# population (millions, 2024, rounded), cities weighted up for their higher crime rates.
REGIONS: dict[str, float] = {
    "astana": 1.5 * 1.5,
    "almaty-city": 2.2 * 1.5,
    "shymkent": 1.2 * 1.5,
    "abai": 0.61,
    "akmola": 0.79,
    "aktobe": 0.93,
    "almaty-region": 1.51,
    "atyrau": 0.70,
    "east-kazakhstan": 0.73,
    "jambyl": 1.21,
    "jetisu": 0.70,
    "karaganda": 1.13,
    "kostanay": 0.83,
    "kyzylorda": 0.84,
    "mangystau": 0.77,
    "north-kazakhstan": 0.53,
    "pavlodar": 0.75,
    "turkistan": 2.11,
    "ulytau": 0.22,
    "west-kazakhstan": 0.69,
}

# The offence mix: (article, part, weight, what the report says). A statistical mix,
# not law: gravity and everything legal about an article come from offences.csv.
OFFENCES: tuple[tuple[str, int, float, str], ...] = (
    ("188", 1, 30.0, "theft of a phone"),
    ("188", 2, 14.0, "theft from a flat by breaking in"),
    ("188", 3, 2.0, "theft on a large scale"),
    ("190", 1, 8.0, "online fraud: a fake sale"),
    ("190", 2, 10.0, "fraud by a group: a fake investment scheme"),
    ("190", 3, 1.5, "fraud on a large scale"),
    ("293", 1, 2.0, "hooliganism in a public place"),
    ("293", 2, 1.5, "hooliganism with a weapon"),
    ("296", 1, 1.5, "possession of drugs"),
    ("296", 2, 1.0, "possession of drugs on a large scale"),
    ("297", 1, 1.5, "sale of drugs"),
    ("297", 2, 1.0, "sale of drugs by a group"),
    ("106", 1, 1.0, "grievous harm to health"),
    ("107", 1, 2.0, "moderate harm to health"),
    ("191", 1, 2.0, "robbery of a passer-by"),
    ("191", 2, 1.0, "robbery by a group"),
    ("192", 1, 0.4, "brigandage"),
    ("99", 1, 0.4, "murder"),
    ("99", 2, 0.2, "murder of two or more persons"),
    ("120", 1, 0.4, "rape"),
    ("366", 1, 0.5, "taking a bribe"),
    ("367", 1, 0.5, "giving a bribe"),
    ("361", 1, 0.3, "abuse of office"),
    ("362", 1, 0.3, "excess of authority"),
    ("146", 1, 0.1, "torture by an official"),
    ("414", 1, 0.05, "knowingly unlawful detention"),
)
NO_VICTIM = frozenset({"296", "297", "366", "367"})
ANTI_CORRUPTION = frozenset({"366", "367", "361"})
PROSECUTOR_LED = frozenset({"146", "362", "414"})  # crimes by officials

# How likely a suspect is detained and then held in custody, by gravity (None: unknown).
# (About 11k detentions a year after the 2018 reform against ~140k registered offences.)
DETAINED = {"misdemeanour": 0.02, "minor": 0.05, "medium": 0.12, "grave": 0.45, "especially_grave": 0.9,
            None: 0.12}
CUSTODY = {"misdemeanour": 0.05, "minor": 0.25, "medium": 0.5, "grave": 0.8, "especially_grave": 0.95, None: 0.5}
IMPRISONED = {"misdemeanour": 0.0, "minor": 0.25, "medium": 0.5, "grave": 0.9, "especially_grave": 1.0, None: 0.5}
# Sentence lengths drawn (months): a sample spread, not the penalties of the Code.
MONTHS = {"misdemeanour": (1, 2), "minor": (6, 24), "medium": (12, 60), "grave": (36, 144),
          "especially_grave": (120, 240), None: (12, 60)}

MALE = ("Aidar", "Nurlan", "Yerlan", "Daniyar", "Askar", "Marat", "Serik", "Timur", "Arman",
        "Dmitry", "Sergey", "Alexey", "Ruslan", "Bauyrzhan", "Yerzhan", "Azamat", "Olzhas")
FEMALE = ("Aigerim", "Dana", "Saule", "Gulnara", "Madina", "Aliya", "Elena", "Olga", "Zhanna",
          "Asel", "Dinara", "Kamila")
SURNAMES = ("Akhmetov", "Nurpeisov", "Bekov", "Omarov", "Ivanov", "Petrov", "Tulegenov",
            "Zhakupov", "Suleimenov", "Abenov", "Smagulov", "Karimov", "Sadykov", "Ismailov",
            "Kuznetsov", "Baimukhanov", "Yessenov", "Mukanov")
SURNAMES_PLAIN = ("Kim", "Li", "Tsoi", "Seitkali", "Nurmukhambet")
CHANNELS = ("in_person", "phone_102", "online", "written", "police_initiative")
DETAINED_AT = ("street", "home", "workplace", "scene of the offence", "shopping centre")
FACILITY_KINDS = ("ivs", "sizo", "ec")


def _h(hours: float) -> timedelta:
    return timedelta(minutes=max(1, round(hours * 60)))


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
                           31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
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
        cases_per_day: float = CASES_PER_DAY,
        until: datetime | None = None,
        first_case: int = 1000,
        law: Law | None = None,
    ):
        if start.tzinfo is None:
            raise ValueError("start must carry a UTC offset")
        if not 0 <= breach_rate <= 1:
            raise ValueError("breach_rate is a share between 0 and 1")
        if law is None:
            from habeas.jurisdictions import load

            law = load("kz")
        self.law = law
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
        self._values: dict[tuple, Any] = {}
        self._gravities: dict[tuple, str | None] = {}
        self._offence_weights = [w for _, _, w, _ in OFFENCES]
        self._region_ids = list(REGIONS)
        self._region_weights = list(REGIONS.values())

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

    def _version(self, key: str, moment: datetime):
        day = moment.date()
        cached = self._values.get((key, day))
        if cached is None:
            try:
                cached = self.law.version(key, day)
            except MissingLaw:
                cached = False
            self._values[(key, day)] = cached
        return cached or None

    def _span(self, key: str, moment: datetime) -> timedelta | None:
        """A time limit of the law in force at `moment`, as a duration (months: 30 days)."""
        version = self._version(key, moment)
        if version is None:
            return None
        unit, value = version.unit, float(version.value)
        if unit == "hours":
            return timedelta(hours=value)
        if unit == "days":
            return timedelta(days=value)
        if unit == "months":
            return timedelta(days=30 * value)
        if unit == "years":
            return timedelta(days=365 * value)
        return None

    def _value(self, key: str, moment: datetime, default: Any = None) -> Any:
        version = self._version(key, moment)
        return default if version is None else version.value

    def _gravity(self, article: str, part: int, moment: datetime) -> str | None:
        key = (article, part, moment.year)
        if key not in self._gravities:
            row = offence_row(self.law, article, part, moment.date())
            self._gravities[key] = row.gravity if row else None
        return self._gravities[key]

    def _breach(self, scale: float = 1.0) -> bool:
        return self.rng.random() < self.breach_rate * scale

    def _name(self) -> str:
        rng = self.rng
        female = rng.random() < 0.3
        first = rng.choice(FEMALE if female else MALE)
        plain = rng.random() < 0.15
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
        rate = max(self.cases_per_day * VISITS_PER_CASE, 1e-6)
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
        article, part, _, summary = rng.choices(OFFENCES, self._offence_weights)[0]
        gravity = self._gravity(article, part, reported)
        case_id = f"KZ-{reported.year}-{number:06d}"
        if article in ANTI_CORRUPTION:
            body, role = f"anticorruption-{region}", "investigator"
        elif article in PROSECUTOR_LED:
            body, role = f"prosecutor-{region}-investigations", "investigator"
        else:
            body = f"police-{region}-d{rng.randrange(1, 9)}"
            light = gravity in ("misdemeanour", "minor")
            role = "inquiry_officer" if light and rng.random() < 0.5 else "investigator"
        inv = self._actor(role, "inv" if role == "investigator" else "inq", region, body, 60)
        pros = self._actor("prosecutor", "pr", region, f"prosecutor-{region}", 20)
        c = _Case(case_id, region, article, part, gravity, inv, pros)
        c.victim = article not in NO_VICTIM

        # Intake: the report, its registration in the ERDR (late, as a breach), the victim.
        report = {"channel": rng.choice(CHANNELS), "summary": summary}
        if c.victim:
            report["victim"] = "V1"
        yield self._event(reported, "report.received", case_id, inv, report)
        limit = self._span("report.registration", reported) or NO_RULE_PACE
        share = rng.uniform(1.1, 3.0) if self._breach() else rng.uniform(0.05, 0.8)
        registered = (reported + limit * share).replace(second=0, microsecond=0)
        erdr = f"{registered:%y}{self._region_ids.index(region):02d}{number:08d}"
        yield self._event(registered, "case.registered", case_id, inv,
                          {"erdr_number": erdr, "article": article, "part": part, "region": region})
        t = registered
        if c.victim:
            t += _h(rng.uniform(0.1, 2))
            yield self._event(t, "party.added", case_id, inv, {"person": "V1", "role": "victim", "name": self._name()})

        # No crime after all, or no one identified: closed (the term extended meanwhile).
        roll = rng.random()
        if roll < 0.06:
            yield from self._sorted(self._close(c, _office(t + timedelta(days=rng.uniform(3, 25)), rng), "no_crime"))
            return
        unknown = 0.25 if article in ("188", "190") else 0.08
        if roll < 0.06 + unknown:
            end = _office(registered + timedelta(days=rng.uniform(20, 85)), rng)
            acts = self._extend_investigation(c, registered, end, t)
            yield from self._sorted(acts + self._close(c, end, "no_evidence"))
            return

        # Suspects, identified within days; their flows run concurrently.
        count = 1 + (rng.random() < 0.12) + (rng.random() < 0.03)
        found = t + _h(rng.uniform(0.5, 24 * (5 if rng.random() < 0.5 else 0.5)))
        acts = []
        for k in range(1, count + 1):
            acts += self._suspect(c, f"P{k}", found + _h(rng.uniform(0, 6)))
        last = max(m for m, _ in acts)
        if rng.random() < 0.4:
            last += _h(rng.uniform(1, 72))
            acts.append(self._event(last, "party.added", case_id, inv,
                                    {"person": "W1", "role": "witness", "name": self._name()}))
        yield from self._sorted(acts)

        # The end of the investigation: closure, or the indictment sent to court.
        held = any(s.in_custody for s in c.suspects)
        days = rng.uniform(20, 70) if held else rng.uniform(25, 110)
        end = _office(max(last + _h(rng.uniform(2, 48)), registered + timedelta(days=days)), rng)
        eligible = self._value("reconciliation.eligible_gravities", end, [])
        if c.victim and gravity in eligible and rng.random() < 0.3:
            end = _office(max(last + _h(2), registered + timedelta(days=rng.uniform(7, 40))), rng)
            ground = "reconciliation"
        elif rng.random() < 0.04:
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
        minor = rng.random() < 0.06
        foreign = rng.random() < 0.03
        language = rng.choice(("uz", "ky", "tg")) if foreign else rng.choice(("kk", "kk", "ru"))
        s = _Suspect(person, minor, language)
        c.suspects.append(s)
        age = rng.randrange(14, 18) if minor else rng.randrange(18, 66)
        party = {"person": person, "role": "suspect", "name": self._name(),
                 "birth_date": self._birth(t, age), "language": language}
        if foreign:
            party["citizenship"] = rng.choice(("UZ", "KG", "TJ", "RU"))
        add(t, "party.added", inv, party)
        mandatory = (
            minor
            or c.gravity in self._value("counsel.mandatory_gravities", t, [])
            or language not in self._value("counsel.proceedings_languages", t, [language])
        )
        if rng.random() >= DETAINED[c.gravity]:
            # Summoned, not detained: questioned with counsel or after a valid waiver.
            t += timedelta(days=rng.uniform(0.5, 6))
            counsel = mandatory or rng.random() < 0.5
            if counsel:
                add(t, "counsel.admitted", inv, {"person": person, "lawyer": f"adv-{c.region}-{rng.randrange(1, 81)}"})
            else:
                add(t, "counsel.waived", inv, {"person": person})
            t += _h(rng.uniform(0.2, 1))
            add(t, "person.questioned", inv, {"person": person, "counsel_present": counsel})
            self._qualify(c, s, t + _h(rng.uniform(0.5, 8)), add)
            return acts

        # Detention: the clock of the detention limit runs from here.
        s.detained = True
        detained = t
        add(t, "person.detained", inv, {"person": person, "place": rng.choice(DETAINED_AT)})
        delivered = t + _h(rng.uniform(0.2, 1.5))
        delivery = add(delivered, "person.delivered", inv, {"person": person, "place": f"{inv['agency']} premises"})
        t = delivered + _h(rng.uniform(0.1, 0.5))
        if not self._breach():
            rights = ["counsel", "silence", "interpreter", "notify_relatives"]
            add(t, "rights.explained", inv, {"person": person, "rights": rights})
        if not self._breach():  # examined before the protocol (CPC art. 131 part 2)
            doctor = self._actor("doctor", "doc", c.region, f"ivs-{c.region}-1", 6)
            add(t + _h(rng.uniform(0.01, 0.05)), "medical.examined", doctor,
                {"person": person, "injuries": rng.random() < 0.02})
        if foreign and not self._breach():
            consulate = self._span("detention.consulate_notice", detained) or NO_RULE_PACE
            add(detained + consulate * rng.uniform(0.1, 0.8), "consulate.notified", inv, {"person": person})
        protocol_limit = self._span("detention.protocol", delivered) or NO_RULE_PACE
        share = rng.uniform(1.1, 2.0) if self._breach() else rng.uniform(0.3, 0.9)
        protocol = max(delivered + protocol_limit * share, t + _h(0.1))
        add(protocol, "detention.protocol_drawn", inv, {"person": person})
        relatives_limit = self._span("detention.relatives_notice", detained) or NO_RULE_PACE
        share = rng.uniform(1.1, 2.5) if self._breach() else rng.uniform(0.1, 0.8)
        add(max(detained + relatives_limit * share, t), "relatives.notified", inv, {"person": person})
        prosecutor_limit = self._span("detention.prosecutor_notice", protocol) or NO_RULE_PACE
        share = rng.uniform(1.1, 2.0) if self._breach() else rng.uniform(0.1, 0.8)
        add(protocol + prosecutor_limit * share, "prosecutor.notified", inv, {"person": person})
        # Counsel: requested and admitted, or (where the law allows it) waived.
        requested = mandatory or rng.random() < 0.7
        asked = t + _h(rng.uniform(0.05, 0.5))
        if requested:
            lawyer = self._actor("defence_lawyer", "adv", c.region, f"bar-{c.region}", 80)
            s.lawyer = lawyer
            admitted = asked + _h(rng.uniform(0.5, 4))
            add(asked, "counsel.requested", inv, {"person": person})
            add(admitted, "counsel.admitted", inv, {"person": person, "lawyer": lawyer["id"]})
            if self._breach():  # questioned before the lawyer came
                questioned, present = asked + _h(rng.uniform(0.1, 0.4)), False
            else:
                questioned, present = admitted + _h(rng.uniform(0.2, 1)), True
        else:
            add(asked, "counsel.waived", inv, {"person": person})
            questioned, present = asked + _h(rng.uniform(0.2, 1)), False
        questioned = max(questioned, protocol + _h(0.05))
        add(questioned, "person.questioned", inv, {"person": person, "counsel_present": present})
        t = self._qualify(c, s, questioned + _h(rng.uniform(0.2, 3)), add)
        if rng.random() < 0.003:  # a rare correction by the recorder
            add(questioned + _h(rng.uniform(1, 30)), "record.corrected", inv,
                {"event": delivery["id"], "reason": "the place of delivery was mistyped",
                 "data": {"place": f"{c.region} city police department"}})
        t = max(t, questioned)
        if rng.random() < 0.01:
            self._torture_complaint(c, s, questioned + _h(rng.uniform(1, 12)), add)

        # The detention ends within its limit (or, as a breach, after it).
        limit = self._detention_limit(c, s, detained)
        over = self._breach()
        if rng.random() < CUSTODY[c.gravity]:
            petitioner = inv if inv["role"] == "investigator" else pros
            petition = max(questioned + _h(0.5), detained + limit * rng.uniform(0.35, 0.6))
            add(petition, "custody.petitioned", petitioner, {"person": person})
            decide = self._span("custody.decision", petition) or NO_RULE_PACE
            if over:
                decided = max(petition + _h(0.5), detained + limit * rng.uniform(1.05, 1.4))
            elif self._breach():
                decided = petition + decide * rng.uniform(1.1, 1.8)
            else:
                decided = min(petition + decide * rng.uniform(0.2, 0.9), detained + limit - _h(1.5))
                decided = max(decided, petition + _h(0.2))
            judge = self._actor("investigating_judge", "ij", c.region, f"court-{c.region}-investigating", 8)
            if rng.random() < CUSTODY_GRANTED:
                initial = int(self._value("custody.maximum.initial", decided, 2))
                # custody terms count their first day (CPC art. 48 part 5): end a day early
                until = _add_months(detained, initial) - timedelta(days=rng.choice((1, 1, 2, 3)))
                add(decided, "custody.ordered", judge, {"person": person, "until": until.isoformat()})
                relatives = self._span("detention.relatives_notice", decided) or NO_RULE_PACE
                share = rng.uniform(1.1, 2.5) if self._breach() else rng.uniform(0.1, 0.8)
                add(decided + relatives * share, "relatives.notified", inv, {"person": person})
                s.in_custody, s.custody_from, s.until = True, detained, until
                if rng.random() < 0.5:
                    doctor = self._actor("doctor", "doc", c.region, f"sizo-{c.region}-1", 6)
                    add(decided + _h(rng.uniform(2, 20)), "medical.examined", doctor,
                        {"person": person, "injuries": rng.random() < 0.02})
                if rng.random() < 0.001:
                    officer = self._actor("prison_officer", "po", c.region, f"sizo-{c.region}-1", 30)
                    add(decided + timedelta(days=rng.uniform(1, 20)), "death.recorded", officer,
                        {"person": person, "place": f"sizo-{c.region}-1", "cause": "illness"})
                    s.in_custody, s.done = False, True
            else:
                add(decided, "custody.refused", judge, {"person": person})
                add(decided + _h(rng.uniform(0.1, 1)), "person.released", inv,
                    {"person": person, "ground": "custody refused by the court"})
        else:
            share = rng.uniform(1.05, 1.5) if over else rng.uniform(0.2, 0.9)
            released = max(detained + limit * share, questioned + _h(0.2))
            if not over:
                released = min(released, detained + limit - _h(0.1))
            ground = rng.choice(("no grounds for custody", "undertaking not to leave", "bail"))
            add(released, "person.released", inv, {"person": person, "ground": ground})
        return acts

    def _qualify(self, c: _Case, s: _Suspect, t: datetime, add) -> datetime:
        """The investigator's suspicion and, where the law needs it, the prosecutor's approval."""
        qualified = add(t, "suspicion.qualified", c.investigator,
                        {"person": s.person, "article": c.article, "part": c.part})
        term = self._span("suspect.approval", t)
        if term is None:
            return t
        share = self.rng.uniform(1.1, 2.0) if self._breach() else self.rng.uniform(0.1, 0.8)
        kind = "decision.rejected" if self.rng.random() < 0.01 else "decision.approved"
        add(t + term * share, kind, c.prosecutor, {"event": qualified["id"]})
        return t + term * share

    def _detention_limit(self, c: _Case, s: _Suspect, moment: datetime) -> timedelta:
        if s.minor:
            limit = self._span("detention.limit.minor", moment)
        elif c.gravity in self._value("detention.limit.exceptional_gravities", moment, []) or (
            c.article in self._value("detention.limit.exceptional_articles", moment, [])
        ):
            limit = self._span("detention.limit.exceptional", moment)
        else:
            limit = self._span("detention.limit.adult", moment)
        return limit or NO_RULE_PACE

    def _torture_complaint(self, c: _Case, s: _Suspect, t: datetime, add) -> None:
        rng = self.rng
        number = rng.randrange(1, 10_000)
        complaint = f"C-{c.case}-{s.person}-{number}"
        by = s.lawyer if s.lawyer and rng.random() < 0.6 else {"id": f"{c.case}-{s.person}", "role": "person"}
        about = rng.choice(("torture", "ill_treatment", "ill_treatment"))
        add(t, "complaint.filed", by, {"complaint": complaint, "person": s.person, "about": about})
        registration = self._span("torture.registration", t) or NO_RULE_PACE
        medical = self._span("torture.medical", t) or NO_RULE_PACE
        # Such complaints often go unregistered or unexamined: breaches are likelier here.
        if not self._breach(4):
            share = rng.uniform(1.1, 3) if self._breach(2) else rng.uniform(0.1, 0.9)
            add(t + registration * share, "complaint.registered", c.prosecutor,
                {"complaint": complaint, "erdr_number": f"T{c.case[-6:]}{number:04d}"})
        if not self._breach(3):
            doctor = self._actor("doctor", "doc", c.region, f"ivs-{c.region}-1", 6)
            add(t + medical * rng.uniform(0.1, 0.9), "medical.examined", doctor,
                {"person": s.person, "injuries": rng.random() < 0.4, "notes": "examined after a complaint"})

    def _extend_investigation(self, c: _Case, registered: datetime, end: datetime, after: datetime) -> list:
        """The prosecutor extends the term before it runs out (rarely not: a breach)."""
        rng = self.rng
        version = self._version("investigation.term", registered)
        if version is None or version.unit != "months":
            return []
        acts = []
        due = _add_months(registered, int(version.value))
        while end > due:
            if self._breach(0.5):
                break
            at = max(_office(due - timedelta(days=rng.uniform(3, 10)), rng), after + _h(1))
            if at >= due:
                break
            due = _add_months(due, rng.choice((1, 1, 2)))
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
        cap_key = "custody.maximum.exceptional" if c.gravity == "especially_grave" else "custody.maximum.default"
        for s in c.suspects:
            while s.in_custody and s.until < end:
                at = max(s.until - timedelta(days=rng.uniform(1, 6)), after + _h(1))
                new = _add_months(s.until, rng.choice((1, 2)))
                if not c.in_court:
                    cap = _add_months(s.custody_from, int(self._value(cap_key, at, 9))) - timedelta(days=1)
                    if new > cap:  # the ladder is exhausted: released before the term ends
                        acts.append(self._event(at, "person.released", c.case, c.investigator,
                                                {"person": s.person, "ground": "custody term exhausted"}))
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
                at += _h(self.rng.uniform(0.05, 0.5))
                acts.append(self._event(at, "person.released", c.case, c.investigator,
                                        {"person": s.person, "ground": "case closed"}))
                s.in_custody = False
        data: dict[str, Any] = {"ground": ground}
        if ground == "reconciliation":
            data["victim_consent"] = consent
        closed = self._event(t, "case.closed", c.case, c.investigator, data)
        acts.append(closed)
        approved = t + timedelta(days=self.rng.uniform(0.2, 3))
        acts.append(self._event(approved, "decision.approved", c.case, c.prosecutor, {"event": closed[1]["id"]}))
        return acts

    def _court(self, c: _Case, sent: datetime) -> list:
        rng = self.rng
        region = c.region
        court = f"court-{region}-district-{rng.randrange(1, 6)}"
        acts = [self._event(sent, "case.sent_to_court", c.case, c.prosecutor, {"court": court})]
        c.in_court = True
        judge = self._actor("judge", "j", region, court, 6)
        started = _office(sent + timedelta(days=rng.uniform(5, 30)), rng)
        verdict_at = _office(started + timedelta(days=rng.uniform(5, 50)), rng)
        acts += self._custody_until(c, verdict_at + timedelta(days=1), sent)
        acts.append(self._event(started, "trial.started", c.case, judge, {"court": court}))
        term = self._span("appeal.term", verdict_at) or NO_RULE_PACE
        t = verdict_at
        for s in c.suspects:
            if s.done:
                continue
            t += _h(rng.uniform(0.05, 0.5))
            if rng.random() < ACQUITTED:
                verdict = {"person": s.person, "outcome": "acquitted"}
                acts.append(self._event(t, "verdict.delivered", c.case, judge, verdict))
                if s.in_custody:
                    acts.append(self._event(t + _h(0.3), "person.released", c.case, judge,
                                            {"person": s.person, "ground": "acquitted"}))
                    s.in_custody = False
                continue
            low, high = MONTHS[c.gravity]
            if rng.random() < IMPRISONED[c.gravity] or (s.in_custody and rng.random() < 0.8):
                sentence = {"kind": "imprisonment", "months": rng.randrange(low, high + 1)}
            else:
                sentence = {"kind": rng.choice(("fine", "restriction_of_freedom", "correctional_labour", "probation"))}
                if sentence["kind"] != "fine":
                    sentence["months"] = rng.randrange(6, 37)
            acts.append(self._event(t, "verdict.delivered", c.case, judge,
                                    {"person": s.person, "outcome": "convicted", "sentence": sentence}))
            if sentence["kind"] != "imprisonment" and s.in_custody:
                acts.append(self._event(t + _h(0.3), "person.released", c.case, judge,
                                        {"person": s.person, "ground": "non-custodial sentence"}))
                s.in_custody = False
            final = t + term
            if rng.random() < 0.2:
                share = rng.uniform(1.05, 1.6) if self._breach() else rng.uniform(0.2, 0.9)
                filed = t + term * share
                lawyer = s.lawyer or self._actor("defence_lawyer", "adv", region, f"bar-{region}", 80)
                appeal = {"person": s.person, "by": lawyer["id"]}
                acts.append(self._event(filed, "appeal.filed", c.case, lawyer, appeal))
                final = _office(filed + timedelta(days=rng.uniform(25, 60)), rng)
                appeal_judge = self._actor("judge", "aj", region, f"court-{region}-regional", 10)
                outcome = rng.choices(("upheld", "sentence_reduced", "quashed"), (85, 10, 5))[0]
                decided = {"outcome": outcome, "person": s.person}
                acts.append(self._event(final, "appeal.decided", c.case, appeal_judge, decided))
            if sentence["kind"] == "imprisonment":
                officer = self._actor("prison_officer", "po", region, f"penitentiary-{region}", 30)
                admitted = _office(final + timedelta(days=rng.uniform(5, 30)), rng)
                acts.append(self._event(admitted, "prisoner.admitted", c.case, officer,
                                        {"person": s.person, "facility": f"ec-{region}-{rng.randrange(1, 4)}",
                                         "ground": "sentence"}))
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


def write_jsonl(path: str | Path, cases: int | None = None, events: int | None = None, seed: int = 1,
                start: datetime = DEFAULT_START, breach_rate: float = 0.05, **options: Any) -> int:
    """Write a sample caseload as JSONL; returns the number of events written."""
    count = 0
    dumps = json.dumps
    with open(path, "w", encoding="utf-8") as handle:
        write = handle.write
        for raw in generate(cases, events, seed, start, breach_rate, **options):
            write(dumps(raw, ensure_ascii=False) + "\n")
            count += 1
    return count
