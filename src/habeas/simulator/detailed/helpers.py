"""The detailed caseload asks the law (terms, the custody ladder, breaches) and draws its paces."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from habeas.domain.case import CaseState, fold_all
from habeas.domain.events import Event, parse_event
from habeas.law.offences import gravity_of
from habeas.law.rules import due, finds, longest
from habeas.simulator.agreements import needed
from habeas.simulator.detailed.model import BENCHES, FACILITY_KINDS, FEMALE, MALE, SURNAMES, SURNAMES_PLAIN, _office


class Helpers:
    """A part of `Caseload`: its facts, its questions to the law, its draws."""

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

    def _judge(self, kind: str, c) -> dict:
        """The judge who records `kind` (a measure: custody ordered, refused, extended): the
        role the law's competence names at the case's stage, seated as `BENCHES` says."""
        role = self.roles.role(kind, {"case.sent_to_court"} if c.in_court else set())
        prefix, court, pool = BENCHES[role]
        return self._actor(role, prefix, c.region, court.format(region=c.region), pool)

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

    def _agreements(self, extension: dict, c, *context: dict | None) -> list[tuple[str, dict]]:
        """The levels whose agreement the law asks for `extension`, each with the prosecutor who
        gives it (the case's own for the ladder's lowest level), the highest first."""
        state = self._facts(*context, extension)[0]
        return needed(self.law, state, extension["kind"], extension["id"]).by(c.region, c.prosecutor)

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
            moment = _office(moment + timedelta(days=rng.expovariate(rate)), rng, self.calendar)
            region = self.arrivals.region(rng.random())
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
