"""The procedure rules engine: deadlines and findings from the facts and the law data.

Pure functions of (case state, law, time). The rules themselves are data
(`rules.yaml` of the jurisdiction package, parsed from `law.extra`); this module
implements the few generic mechanisms they name (see the head of `kz/rules.yaml`):

- ``deadline``: one clock per start event, closed by the first matching stop event at
  or after it; due after a dated parameter's term or at a time the start event carries;
- ``before``: a stop event must precede the first of some other events;
- ``check``: a violation at an event when a condition holds;
- ``term_cap``: the terms a series of orders sets stay within caps;
- ``order``: two facts recorded in an impossible order.

Which version of a parameter applies is decided by the `occurred_at` of the event
that starts the clock (its local date, in the offset it was recorded with).

`judge(state, law, at)` judges the facts that had occurred by `at` (an event whose
effective `occurred_at` is later is ignored). Corrections apply whenever they were
recorded: the facts are judged as they are now known to have happened. Facts are
never reordered or refused; an odd fact never raises, it gives a finding or none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from habeas.domain.case import CaseState
from habeas.domain.events import Event
from habeas.domain.vocabulary import KINDS
from habeas.law import calendar
from habeas.law.findings import DEADLINE, VIOLATION, Finding
from habeas.law.offences import gravity_of
from habeas.law.package import Citation, Law, LawDataError, MissingLaw, Version

FILE = "rules.yaml"
MECHANISMS = ("deadline", "before", "check", "term_cap", "order")


class UnknownRule(LookupError):
    """No rule with this code in the jurisdiction's law package."""

    def __init__(self, code: str, jurisdiction: str, known: Iterable[str]):
        self.code = code
        super().__init__(
            f"no rule {code!r} in the {jurisdiction} law package; known: {', '.join(known)}"
        )


# --- the rules document --------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Values = dict[str, list[Any]]


class Selector(_Model):
    """Which events: their kinds, and optionally field values they must have."""

    kinds: list[str] = Field(min_length=1)
    fields: Values = Field(default_factory=dict)  # every listed field among the values
    where: dict[str, Values] = Field(default_factory=dict)  # per kind: field values
    contains: Values = Field(default_factory=dict)  # list fields holding all the values

    def matches(self, event: Event) -> bool:
        if event.kind not in self.kinds:
            return False
        data = event.data
        for name, allowed in self.fields.items():
            if data.get(name) not in allowed:
                return False
        for name, allowed in self.where.get(event.kind, {}).items():
            if data.get(name) not in allowed:
                return False
        for name, needed in self.contains.items():
            present = data.get(name)
            if not isinstance(present, list | tuple) or any(n not in present for n in needed):
                return False
        return True


class Requested(_Model):
    request: list[str] = Field(min_length=1)
    waiver: list[str] = Field(default_factory=list)


class Condition(_Model):
    """All the keys given must hold (`any` holds when one of its conditions does)."""

    minor: bool | None = None
    gravity: list[str] | None = None
    gravity_in: str | None = None
    gravity_not_in: str | None = None
    article_in: str | None = None
    language_not_in: str | None = None
    requested: Requested | None = None
    fields: Values | None = None
    not_fields: Values | None = None
    any: list[Condition] | None = None

    def parameters(self) -> list[str]:
        keys = [
            k
            for k in (self.gravity_in, self.gravity_not_in, self.article_in, self.language_not_in)
            if k
        ]
        for sub in self.any or []:
            keys.extend(sub.parameters())
        return keys


class Choice(_Model):
    when: Condition | None = None
    parameter: str


class Term(_Model):
    """A term: one parameter, the first matching choice, or a time field of the start event."""

    parameter: str | None = None
    choose: list[Choice] | None = None
    field: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Term:
        given = [x for x in (self.parameter, self.choose, self.field) if x]
        if len(given) != 1:
            raise ValueError("give exactly one of parameter, choose, field")
        return self

    def parameters(self) -> list[str]:
        keys = [self.parameter] if self.parameter else []
        for choice in self.choose or []:
            keys.append(choice.parameter)
            if choice.when:
                keys.extend(choice.when.parameters())
        return keys


class Extend(_Model):
    kinds: list[str] = Field(min_length=1)
    field: str


class Pair(_Model):
    first: list[str] = Field(min_length=1)
    then: list[str] = Field(min_length=1)
    match: str | dict[str, str] = "case"


class CalendarRules(_Model):
    hours: Literal["exact", "end_of_day"] = "exact"
    days: Literal["exact", "end_of_day"] = "exact"
    months: Literal["exact", "end_of_day"] = "exact"
    years: Literal["exact", "end_of_day"] = "exact"
    citations: list[Citation] = Field(default_factory=list)
    certainty: str = "-"


class Rule(_Model):
    code: str = Field(pattern=r"^[A-Z]{2}-[A-Z0-9-]+$")
    title: str
    mechanism: Literal["deadline", "before", "check", "term_cap", "order"]
    message: str
    citations: list[Citation] = Field(default_factory=list)
    certainty: str | None = None
    valid_from: date | None = None
    match: str | dict[str, str] = "case"
    # deadline / before
    start: Selector | None = None
    stop: Selector | None = None
    term: Term | None = None
    extend: Extend | None = None
    report: Literal["all", "late"] = "all"
    due_kinds: list[str] = Field(default_factory=list)
    cancel_kinds: list[str] = Field(default_factory=list)
    # check
    at: Selector | None = None
    roles: list[str] | None = None
    enabled_by: str | None = None
    violation: Condition | None = None
    # term_cap
    kinds: list[str] = Field(default_factory=list)
    first_kinds: list[str] = Field(default_factory=list)
    field: str | None = None
    reset_kinds: list[str] = Field(default_factory=list)
    until_kinds: list[str] = Field(default_factory=list)
    first: Term | None = None
    total: Term | None = None
    # order
    pairs: list[Pair] = Field(default_factory=list)

    @model_validator(mode="after")
    def _mechanism(self) -> Rule:
        needs = {
            "deadline": ("start", "stop", "term"),
            "before": ("start", "stop", "due_kinds"),
            "check": ("at", "violation"),
            "term_cap": ("kinds", "field", "total"),
            "order": ("pairs",),
        }[self.mechanism]
        missing = [name for name in needs if not getattr(self, name)]
        if missing:
            raise ValueError(f"a {self.mechanism} rule needs {', '.join(missing)}")
        cited_by_parameter = self.mechanism == "check" and (
            self.enabled_by or self.violation.parameters()
        )
        if self.mechanism in ("before", "check", "order") and not (
            self.citations or cited_by_parameter
        ):
            raise ValueError("a rule without a parameter needs its own citations")
        return self

    def parameters(self) -> list[str]:
        keys: list[str] = []
        for term in (self.term, self.first, self.total):
            if term:
                keys.extend(term.parameters())
        if self.enabled_by:
            keys.append(self.enabled_by)
        if self.violation:
            keys.extend(self.violation.parameters())
        return list(dict.fromkeys(keys))

    def kinds_used(self) -> list[str]:
        kinds = list(self.due_kinds) + self.cancel_kinds + self.kinds + self.first_kinds
        kinds += self.reset_kinds + self.until_kinds
        for sel in (self.start, self.stop, self.at):
            if sel:
                kinds += sel.kinds + list(sel.where)
        if self.extend:
            kinds += self.extend.kinds
        for pair in self.pairs:
            kinds += pair.first + pair.then
        if self.violation:
            kinds += _condition_kinds(self.violation)
        return kinds


def _condition_kinds(cond: Condition) -> list[str]:
    kinds = []
    if cond.requested:
        kinds += cond.requested.request + cond.requested.waiver
    for sub in cond.any or []:
        kinds += _condition_kinds(sub)
    return kinds


class RulesDocument(_Model):
    jurisdiction: str
    calendar: CalendarRules = Field(default_factory=CalendarRules)
    rules: list[Rule] = Field(min_length=1)


def load_rules(law: Law) -> RulesDocument:
    """The validated rules of the package (parsed once, kept beside the raw document)."""
    cached = law.extra.get("_rules")
    if cached is not None:
        return cached
    document = parse_rules(law)
    law.extra["_rules"] = document  # type: ignore[index]  # Law is frozen, extra is not
    return document


def parse_rules(law: Law) -> RulesDocument:
    raw = law.extra.get(FILE)
    if raw is None:
        raise LawDataError(FILE, "-", "file is missing from the law package")
    try:
        document = RulesDocument.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(part) for part in err["loc"]) or "-"
        raise LawDataError(FILE, key, err["msg"]) from None
    if document.jurisdiction != law.jurisdiction:
        raise LawDataError(FILE, "jurisdiction", f"is not {law.jurisdiction!r}")
    seen: set[str] = set()
    for index, rule in enumerate(document.rules):
        where = f"rules.{index}"
        if rule.code in seen:
            raise LawDataError(FILE, f"{where}.code", f"{rule.code} is defined twice")
        seen.add(rule.code)
        for key in rule.parameters():
            if key not in law.parameters:
                raise LawDataError(FILE, f"{where} ({rule.code})", f"unknown parameter {key!r}")
        for kind in rule.kinds_used():
            if kind not in KINDS:
                raise LawDataError(FILE, f"{where} ({rule.code})", f"unknown event kind {kind!r}")
    return document


def rule_codes(law: Law) -> list[str]:
    return [rule.code for rule in load_rules(law).rules]


def get_rule(law: Law, code: str) -> Rule:
    for rule in load_rules(law).rules:
        if rule.code == code:
            return rule
    raise UnknownRule(code, law.jurisdiction, rule_codes(law))


def describe(law: Law, code: str) -> dict[str, Any]:
    """A rule as `habeas law show CODE` prints it: what it requires, versions, citations."""
    rule = get_rule(law, code)
    document = load_rules(law)
    out: dict[str, Any] = {
        "code": rule.code,
        "title": rule.title,
        "mechanism": rule.mechanism,
        "message": rule.message,
        "citation": "; ".join(str(c) for c in rule.citations),
        "citations": [c.model_dump(exclude_none=True) for c in rule.citations],
        "certainty": rule.certainty,
        "valid_from": rule.valid_from.isoformat() if rule.valid_from else None,
    }
    if rule.start:
        out["start"] = rule.start.model_dump(exclude_defaults=True)
    if rule.stop:
        out["stop"] = rule.stop.model_dump(exclude_defaults=True)
    if rule.at:
        out["at"] = rule.at.model_dump(exclude_defaults=True)
    if rule.term and rule.term.field:
        out["term"] = f"the `{rule.term.field}` of the start event"
    if rule.extend:
        out["extend"] = rule.extend.model_dump()
    if rule.due_kinds:
        out["due_kinds"] = rule.due_kinds
    if rule.pairs:
        out["pairs"] = [p.model_dump() for p in rule.pairs]
    if rule.report != "all":
        out["report"] = rule.report
    parameters: dict[str, list[dict[str, Any]]] = {}
    descriptions: dict[str, str] = {}
    cited: list[str] = []
    for key in rule.parameters():
        param = law.parameter(key)
        descriptions[key] = param.description
        versions = sorted(param.versions, key=lambda v: v.valid_from)
        parameters[key] = [
            {
                "value": v.value,
                "unit": v.unit,
                "valid_from": v.valid_from.isoformat(),
                "valid_until": v.valid_until.isoformat() if v.valid_until else None,
                "citation": _citation_text(v.citations),
                "citations": [c.model_dump(exclude_none=True) for c in v.citations],
                "certainty": v.certainty,
                "verified": v.verified,
            }
            for v in versions
        ]
        cited += [str(c) for c in versions[-1].citations]
    # {parameter key: [versions, oldest first]}; each version with dates, citations, certainty
    out["parameters"] = parameters
    out["parameter_descriptions"] = descriptions
    if not out["citation"]:
        out["citation"] = "; ".join(dict.fromkeys(cited))
        out["certainty"] = ", ".join(
            dict.fromkeys(v[-1]["certainty"] for v in parameters.values())
        )
    out["calendar"] = document.calendar.model_dump(exclude={"citations"}) | {
        "citation": _citation_text(document.calendar.citations),
        "certainty": document.calendar.certainty,
    }
    return out


def _citation_text(citations: Iterable[Citation]) -> str:
    return "; ".join(str(c) for c in citations)


# --- the facts as the rules see them -------------------------------------------------------


@dataclass
class Facts:
    """The effective timeline (corrections applied) in time order, as of a moment."""

    events: list[Event]
    parties: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    article: str | None = None
    part: int | None = None
    suspicions: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    # The same events by kind (each list in time order), so a rule reads only its kinds.
    by_kind: dict[str, list[Event]] = field(default_factory=dict)
    rank: dict[int, int] = field(default_factory=dict)  # id(event) -> place in `events`

    @classmethod
    def of(cls, state: CaseState, at: datetime | None = None) -> Facts:
        indexed = [
            (index, ev)
            for index, ev in enumerate(state.timeline)
            if ev.kind != "record.corrected" and (at is None or ev.occurred_at <= at)
        ]
        indexed.sort(key=lambda pair: (pair[1].occurred_at, pair[0]))
        facts = cls(events=[ev for _, ev in indexed])
        for place, ev in enumerate(facts.events):
            facts.by_kind.setdefault(ev.kind, []).append(ev)
            facts.rank[id(ev)] = place
            data = ev.data or {}
            if ev.kind == "party.added" and data.get("person"):
                facts.parties[data["person"]] = data
            elif ev.kind == "case.registered":
                facts.article, facts.part = data.get("article"), data.get("part")
            elif ev.kind == "suspicion.qualified" and data.get("person"):
                facts.suspicions[data["person"]] = data
        return facts

    def of_kinds(self, kinds: Iterable[str]) -> list[Event]:
        """The events of these kinds, in time order."""
        by_kind = self.by_kind
        lists = [by_kind[kind] for kind in kinds if kind in by_kind]
        if not lists:
            return []
        if len(lists) == 1:
            return lists[0]
        found = list({id(ev): ev for events in lists for ev in events}.values())  # a kind named twice
        found.sort(key=lambda ev: self.rank[id(ev)])
        return found

    def after(self, start: Event, kinds: Iterable[str] | None = None) -> list[Event]:
        """Events (of these kinds) at or after `start` in time, `start` itself excluded."""
        pool = self.events if kinds is None else self.of_kinds(kinds)
        moment = start.occurred_at
        return [ev for ev in pool if ev is not start and ev.occurred_at >= moment]

    def offence(self, person: str | None) -> tuple[str | None, int | None]:
        if self.article is not None:
            return self.article, self.part
        suspicion = self.suspicions.get(person or "")
        if suspicion:
            return suspicion.get("article"), suspicion.get("part")
        return None, None


def _key(event: Event, name: str) -> Any:
    if name == "id":
        return event.id
    if name == "case":
        return event.case
    return (event.data or {}).get(name)


def _matches(spec: str | Mapping[str, str], a: Event, b: Event, roles=("start", "stop")) -> bool:
    if isinstance(spec, str):
        return _key(a, spec) == _key(b, spec)
    return _key(a, spec[roles[0]]) == _key(b, spec[roles[1]])


def _evidence(*events: Event | None) -> tuple[str, ...]:
    out: list[str] = []
    for ev in events:
        if ev is None:
            continue
        for ident in (ev.id, *ev.corrections):
            if ident not in out:
                out.append(ident)
    return tuple(out)


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.utcoffset() is not None else None


# --- conditions ----------------------------------------------------------------------------


@dataclass
class _Context:
    law: Law
    facts: Facts
    event: Event  # the event the condition is about (a start or a checked event)

    @property
    def person(self) -> str | None:
        return (self.event.data or {}).get("person")

    @property
    def moment(self) -> datetime:
        return self.event.occurred_at

    def gravity(self) -> str | None:
        article, part = self.facts.offence(self.person)
        return gravity_of(self.law, article, part, self.moment.date())

    def value(self, key: str) -> Any:
        return self.law.value(key, self.moment)


def _holds(cond: Condition, ctx: _Context) -> tuple[bool, list[Event], list[str]]:
    """Whether the condition holds, the events that show it, and the reasons."""
    evidence: list[Event] = []
    reasons: list[str] = []
    try:
        if cond.minor is not None:
            party = ctx.facts.parties.get(ctx.person or "", {})
            birth = party.get("birth_date")
            minor = False
            if birth:
                born = birth if isinstance(birth, date) else date.fromisoformat(str(birth))
                minor = calendar.age_on(born, ctx.moment.date()) < ctx.value(
                    "person.age_of_majority"
                )
            if minor != cond.minor:
                return False, [], []
            reasons.append("minor" if minor else "adult")
        if cond.gravity is not None:
            if ctx.gravity() not in cond.gravity:
                return False, [], []
            reasons.append("gravity")
        if cond.gravity_in is not None:
            if ctx.gravity() not in ctx.value(cond.gravity_in):
                return False, [], []
            reasons.append("gravity")
        if cond.gravity_not_in is not None:
            gravity = ctx.gravity()
            if gravity is None or gravity in ctx.value(cond.gravity_not_in):
                return False, [], []
            reasons.append("gravity")
        if cond.article_in is not None:
            article, _ = ctx.facts.offence(ctx.person)
            if article is None or str(article) not in [str(a) for a in ctx.value(cond.article_in)]:
                return False, [], []
            reasons.append("article")
        if cond.language_not_in is not None:
            language = ctx.facts.parties.get(ctx.person or "", {}).get("language")
            allowed = [str(x).lower() for x in ctx.value(cond.language_not_in)]
            if not language or str(language).lower() in allowed:
                return False, [], []
            reasons.append("language")
        if cond.requested is not None:
            request = _standing_request(cond.requested, ctx)
            if request is None:
                return False, [], []
            evidence.append(request)
            reasons.append("requested")
        if cond.fields is not None:
            data = ctx.event.data or {}
            if any(data.get(k) not in v for k, v in cond.fields.items()):
                return False, [], []
        if cond.not_fields is not None:
            data = ctx.event.data or {}
            if all(data.get(k) in v for k, v in cond.not_fields.items()):
                return False, [], []
            reasons.append("fields")
        if cond.any is not None:
            hit = False
            for sub in cond.any:
                ok, sub_evidence, sub_reasons = _holds(sub, ctx)
                if ok:
                    hit = True
                    evidence += sub_evidence
                    reasons += sub_reasons
            if not hit:
                return False, [], []
    except (MissingLaw, ValueError, TypeError):
        return False, [], []
    return True, evidence, reasons


def _standing_request(spec: Requested, ctx: _Context) -> Event | None:
    """The last request for this person before the event, if no waiver came after it."""
    request = None
    for ev in ctx.facts.events:
        if ev is ctx.event:
            break
        if ev.occurred_at > ctx.moment:
            break
        if (ev.data or {}).get("person") != ctx.person:
            continue
        if ev.kind in spec.request:
            request = ev
        elif ev.kind in spec.waiver:
            request = None
    return request


# --- terms ---------------------------------------------------------------------------------


@dataclass
class _Applied:
    due: datetime
    version: Version | None = None
    parameter: str | None = None


def _apply_term(
    term: Term, ctx: _Context, rounding: CalendarRules, base: datetime | None = None
) -> _Applied | None:
    """The due time of a term counted from `base` (default: the event's time)."""
    base = base or ctx.moment
    if term.field:
        due = _moment((ctx.event.data or {}).get(term.field))
        return _Applied(due) if due else None
    key = term.parameter
    if term.choose:
        key = None
        for choice in term.choose:
            if choice.when is None or _holds(choice.when, ctx)[0]:
                key = choice.parameter
                break
        if key is None:
            return None
    try:
        version = ctx.law.version(key, ctx.moment)
    except MissingLaw:
        return None
    unit = version.unit or "hours"
    try:
        due = calendar.add(base, version.value, unit, getattr(rounding, unit, "exact"))
    except (calendar.CalendarError, TypeError, ValueError):
        return None
    return _Applied(due, version, key)


# --- the mechanisms ------------------------------------------------------------------------


@dataclass
class _Judge:
    law: Law
    facts: Facts
    document: RulesDocument
    findings: list[Finding] = field(default_factory=list)

    def run(self) -> list[Finding]:
        for rule in self.document.rules:
            getattr(self, f"_{rule.mechanism}")(rule)
        return self.findings

    # helpers

    def _finding(
        self,
        rule: Rule,
        *,
        kind: str,
        person: str | None,
        started_at: datetime | None,
        due_at: datetime | None,
        met_at: datetime | None,
        evidence: tuple[str, ...],
        applied: _Applied | None = None,
        cite: str | None = None,
        at: datetime | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        version = applied.version if applied else None
        parameter = applied.parameter if applied else None
        if version is None and cite:
            try:
                version = self.law.version(cite, at or started_at)
                parameter = cite
            except (MissingLaw, AttributeError):
                version = None
        if version is not None:
            citations = tuple(str(c) for c in version.citations)
            certainty, valid_from = version.certainty, version.valid_from
        else:
            citations = tuple(str(c) for c in rule.citations)
            certainty, valid_from = rule.certainty or "-", rule.valid_from
        all_params: dict[str, Any] = {
            "person": person,
            "started_at": started_at.isoformat() if started_at else None,
            "due_at": due_at.isoformat() if due_at else None,
            "met_at": met_at.isoformat() if met_at else None,
        }
        if version is not None and not isinstance(version.value, list | dict | bool):
            all_params["term"] = version.value
            all_params["unit"] = version.unit
        all_params.update(params or {})
        self.findings.append(
            Finding(
                code=rule.code,
                person=person,
                started_at=started_at,
                due_at=due_at,
                met_at=met_at,
                evidence=evidence,
                citation="; ".join(citations) or "—",
                citations=citations,
                certainty=certainty,
                valid_from=valid_from,
                kind=kind,
                parameter=parameter,
                message=rule.message,
                params=all_params,
            )
        )

    def _in_force(self, rule: Rule, event: Event) -> bool:
        return rule.valid_from is None or event.occurred_at.date() >= rule.valid_from

    def _scoped(self, rule: Rule, start: Event, kinds: Iterable[str]) -> list[Event]:
        kinds = set(kinds)
        spec = rule.match
        return [
            ev
            for ev in self.facts.after(start, kinds)
            if _matches(spec, start, ev)
        ]

    # deadline

    def _deadline(self, rule: Rule) -> None:
        starts = [ev for ev in self.facts.of_kinds(rule.start.kinds) if rule.start.matches(ev)]
        for start in starts:
            ctx = _Context(self.law, self.facts, start)
            if rule.term.field and not self._in_force(rule, start):
                continue
            applied = _apply_term(rule.term, ctx, self.document.calendar)
            if applied is None:
                continue
            person = (start.data or {}).get("person")
            stops = [
                ev
                for ev in self._scoped(rule, start, rule.stop.kinds)
                if rule.stop.matches(ev)
            ]
            if rule.report == "late":
                self._late(rule, start, starts, stops, applied, person)
                continue
            stop = stops[0] if stops else None
            extensions: list[Event] = []
            if rule.extend:
                for ext in self._scoped(rule, start, rule.extend.kinds):
                    if stop is not None and ext.occurred_at > stop.occurred_at:
                        break
                    until = _moment((ext.data or {}).get(rule.extend.field))
                    if until is None:
                        continue
                    if ext.occurred_at > applied.due:
                        break  # extended after the term had run out: the breach stands
                    applied = _Applied(until, applied.version, applied.parameter)
                    extensions.append(ext)
            self._finding(
                rule,
                kind=DEADLINE,
                person=person,
                started_at=start.occurred_at,
                due_at=applied.due,
                met_at=stop.occurred_at if stop else None,
                evidence=_evidence(start, *extensions, stop),
                applied=applied,
                params={"extended": len(extensions)} if rule.extend else None,
            )

    def _late(self, rule, start, starts, stops, applied, person) -> None:
        """One finding per closing event (until the next start), never an open clock:
        the closing act is not an official's duty, only its lateness is a finding."""
        later_starts = [
            s
            for s in starts
            if s is not start
            and s.occurred_at >= start.occurred_at
            and _matches(rule.match, start, s)
            and starts.index(s) > starts.index(start)
        ]
        end = later_starts[0].occurred_at if later_starts else None
        for stop in stops:
            if end is not None and stop.occurred_at >= end:
                break
            self._finding(
                rule,
                kind=DEADLINE,
                person=person,
                started_at=start.occurred_at,
                due_at=applied.due,
                met_at=stop.occurred_at,
                evidence=_evidence(start, stop),
                applied=applied,
            )

    # before

    def _before(self, rule: Rule) -> None:
        for start in self.facts.of_kinds(rule.start.kinds):
            if not rule.start.matches(start) or not self._in_force(rule, start):
                continue
            person = (start.data or {}).get("person")
            later = self._scoped(rule, start, set(rule.stop.kinds) | set(rule.due_kinds))
            stop = next((ev for ev in later if rule.stop.matches(ev)), None)
            due = next((ev for ev in later if ev.kind in rule.due_kinds), None)
            cancels = self._scoped(rule, start, rule.cancel_kinds)
            cancel = cancels[0] if cancels else None
            if stop is not None and (due is None or stop.occurred_at <= due.occurred_at):
                self._finding(
                    rule,
                    kind=DEADLINE,
                    person=person,
                    started_at=start.occurred_at,
                    due_at=due.occurred_at if due else None,
                    met_at=stop.occurred_at,
                    evidence=_evidence(start, stop),
                )
            elif due is not None and (cancel is None or due.occurred_at <= cancel.occurred_at):
                self._finding(
                    rule,
                    kind=VIOLATION,
                    person=person,
                    started_at=start.occurred_at,
                    due_at=None,
                    met_at=stop.occurred_at if stop else None,
                    evidence=_evidence(start, due, stop),
                    params={"at": due.occurred_at.isoformat(), "event_kind": due.kind},
                )
            elif cancel is None:
                self._finding(
                    rule,
                    kind=DEADLINE,
                    person=person,
                    started_at=start.occurred_at,
                    due_at=None,
                    met_at=None,
                    evidence=_evidence(start),
                )

    # check

    def _check(self, rule: Rule) -> None:
        for ev in self.facts.of_kinds(rule.at.kinds):
            if not rule.at.matches(ev) or not self._in_force(rule, ev):
                continue
            person = (ev.data or {}).get("person")
            party = self.facts.parties.get(person or "")
            if rule.roles is not None and party and party.get("role") not in rule.roles:
                continue
            ctx = _Context(self.law, self.facts, ev)
            if rule.enabled_by:
                try:
                    if not self.law.value(rule.enabled_by, ev.occurred_at):
                        continue
                except MissingLaw:
                    continue
            ok, shown, reasons = _holds(rule.violation, ctx)
            if not ok:
                continue
            cite = None
            if not rule.citations:
                cite = rule.enabled_by or (rule.violation.parameters() or [None])[0]
            params: dict[str, Any] = {"at": ev.occurred_at.isoformat(), "reasons": reasons}
            if "gravity" in reasons:
                params["gravity"] = ctx.gravity()
            self._finding(
                rule,
                kind=VIOLATION,
                person=person,
                started_at=ev.occurred_at,
                due_at=None,
                met_at=None,
                evidence=_evidence(ev, *shown),
                cite=cite,
                at=ev.occurred_at,
                params=params,
            )

    # term_cap

    def _term_cap(self, rule: Rule) -> None:
        orders = self.facts.of_kinds(rule.kinds)
        persons = list(dict.fromkeys(_key(ev, rule.match) for ev in orders))
        end = next(iter(self.facts.of_kinds(rule.until_kinds)), None)
        for who in persons:
            first: Event | None = None
            for ev in self.facts.events:
                if end is not None and (ev is end or ev.occurred_at > end.occurred_at):
                    break
                if _key(ev, rule.match) != who:
                    continue
                if ev.kind in rule.reset_kinds:
                    first = None
                    continue
                if ev.kind not in rule.kinds:
                    continue
                until = _moment((ev.data or {}).get(rule.field))
                if until is None:
                    continue
                opens = first is None
                if opens:
                    first = ev
                ctx = _Context(self.law, self.facts, first)
                caps = []
                if opens and rule.first and ev.kind in (rule.first_kinds or rule.kinds):
                    caps.append(("first", rule.first))
                caps.append(("total", rule.total))
                for which, term in caps:
                    applied = _apply_term(term, ctx, self.document.calendar)
                    if applied is None or until <= applied.due:
                        continue
                    self._finding(
                        rule,
                        kind=VIOLATION,
                        person=(ev.data or {}).get("person"),
                        started_at=first.occurred_at,
                        due_at=None,
                        met_at=None,
                        evidence=_evidence(first, ev) if first is not ev else _evidence(ev),
                        applied=applied,
                        params={
                            "cap": which,
                            "until": until.isoformat(),
                            "allowed_until": applied.due.isoformat(),
                        },
                    )
                    break

    # order

    def _order(self, rule: Rule) -> None:
        for pair in rule.pairs:
            firsts = self.facts.of_kinds(pair.first)
            for then in self.facts.of_kinds(pair.then):
                related = [f for f in firsts if _matches(pair.match, f, then, ("first", "then"))]
                if not related or any(f.occurred_at <= then.occurred_at for f in related):
                    continue
                first = related[0]
                self._finding(
                    rule,
                    kind=VIOLATION,
                    person=(then.data or {}).get("person") or (first.data or {}).get("person"),
                    started_at=then.occurred_at,
                    due_at=None,
                    met_at=None,
                    evidence=_evidence(first, then),
                    params={
                        "first": first.id,
                        "first_kind": first.kind,
                        "first_at": first.occurred_at.isoformat(),
                        "then": then.id,
                        "then_kind": then.kind,
                        "then_at": then.occurred_at.isoformat(),
                    },
                )


# --- the interface -------------------------------------------------------------------------


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the time to judge at needs its UTC offset")
    return at


def evaluate(state: CaseState | None, law: Law, at: datetime | None = None) -> list[Finding]:
    """Every deadline and violation (met ones too) from the facts that occurred by `at`."""
    if state is None:
        return []
    facts = Facts.of(state, _aware(at) if at is not None else None)
    return _Judge(law, facts, load_rules(law)).run()


def deadlines(state: CaseState | None, law: Law) -> list[Finding]:
    """Every deadline and violation from all the facts, whatever the time (met ones too)."""
    return evaluate(state, law, None)


def judge(state: CaseState | None, law: Law, at: datetime) -> list[Finding]:
    """The open and breached findings as of `at`, most urgent first."""
    at = _aware(at)
    found = [f for f in evaluate(state, law, at) if f.status_at(at) != "met"]
    return sorted(found, key=lambda f: f.urgency(at))


__all__ = [
    "MECHANISMS",
    "Facts",
    "Rule",
    "RulesDocument",
    "UnknownRule",
    "deadlines",
    "describe",
    "evaluate",
    "get_rule",
    "judge",
    "load_rules",
    "parse_rules",
    "rule_codes",
]
