"""Loading `rules.yaml`: validated against the schema and against the rest of the package.

Every parameter a rule needs must be in the package, every event kind it names must be
in the vocabulary, every rule it refers to must exist: a package that lacks one does not
load (`LawDataError` naming file, key and reason), rather than judging silently without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from habeas.domain.vocabulary import DATA_MODELS, KINDS, ROLES
from habeas.law import plausibility
from habeas.law.episodes import definitions, expand_selectors
from habeas.law.offences import gravities, offences
from habeas.law.package import Law, LawDataError, validated
from habeas.law.rules.schema import (
    BeforeRule,
    CheckRule,
    DeadlineRule,
    LadderRule,
    OrderRule,
    Rule,
    RulesDocument,
    Selector,
)
from habeas.law.stages import stages_of
from habeas.law.workdays import FILE as CALENDAR_FILE
from habeas.law.workdays import WorkingCalendar, working_calendar

FILE = "rules.yaml"


class UnknownRule(LookupError):
    """No rule with this code in the jurisdiction's law package."""

    def __init__(self, code: str, jurisdiction: str, known: Iterable[str]):
        self.code = code
        super().__init__(f"no rule {code!r} in the {jurisdiction} law package; known: {', '.join(known)}")


def load_rules(law: Law) -> RulesDocument:
    """The validated rules of the package (parsed once per Law, kept beside its documents)."""
    cached = law.cache.get("rules")
    if cached is None:
        cached = law.cache["rules"] = parse_rules(law)
    return cached


def load_calendar(law: Law) -> WorkingCalendar | None:
    if "calendar" not in law.cache:
        law.cache["calendar"] = working_calendar(law.extra, law.jurisdiction)
    return law.cache["calendar"]


@dataclass(frozen=True)
class Counting:
    """How the package counts terms (its `calendar` section and table of days off), read once
    per Law: the rounding of each unit, the rules that count their first day or hour, those
    whose last day is never moved, and whether (and by which table) a last day off moves."""

    rounding: Mapping[str, str]
    start_day_counted: frozenset[str]
    not_moved: frozenset[str]
    moves: bool
    table: WorkingCalendar | None


def counting(law: Law) -> Counting:
    cached = law.cache.get("counting")
    if cached is None:
        rules = load_rules(law).calendar
        cached = law.cache["counting"] = Counting(
            rounding={unit: getattr(rules, unit) for unit in ("hours", "days", "months", "years")},
            start_day_counted=frozenset(rules.start_day_counted),
            not_moved=frozenset(rules.not_moved),
            moves=rules.last_day_off == "next_working_day",
            table=load_calendar(law),
        )
    return cached


def parse_rules(law: Law) -> RulesDocument:
    raw = law.extra.get(FILE)
    if raw is None:
        raise LawDataError(FILE, "-", "file is missing from the law package")
    raw = expand_selectors(raw, definitions(law), "rules")  # a selector may name an episode's acts
    document = validated(RulesDocument, raw, FILE, law.jurisdiction)
    codes = [rule.code for rule in document.rules]
    seen: set[str] = set()
    for index, rule in enumerate(document.rules):
        where = f"rules.{index} ({rule.code})"
        if rule.code in seen:
            raise LawDataError(FILE, f"rules.{index}.code", f"{rule.code} is defined twice")
        seen.add(rule.code)
        _check_rule(law, rule, where, codes)
    for key in ("not_moved", "start_day_counted"):
        for code in getattr(document.calendar, key):
            if code not in codes:
                raise LawDataError(FILE, f"calendar.{key}", f"no rule {code!r}")
    if document.calendar.last_day_off == "next_working_day" and load_calendar(law) is None:
        raise LawDataError(
            CALENDAR_FILE, "-", "rules.yaml moves a last day off, but the package has no table of non-working days"
        )
    document = _with_overlay(law, document)
    check_units(law, document)  # an overlay's values too: the parameters are the overlaid ones
    return document


def _check_rule(law: Law, rule: Rule, where: str, codes: list[str]) -> None:
    for key in rule.parameters():
        if key not in law.parameters:
            raise LawDataError(FILE, where, f"unknown parameter {key!r}: the rule needs it and the package lacks it")
    for kind in rule.kinds_used():
        if kind not in KINDS:
            raise LawDataError(FILE, where, f"unknown event kind {kind!r}")
    _check_gravities(law, rule, where)
    _check_fields(rule, where)
    if isinstance(rule, DeadlineRule):
        _check_shown(law, rule, where)
    if isinstance(rule, OrderRule):
        for n, pair in enumerate(rule.pairs):
            named = [(name, pair.first) for name in pair.where]
            named += [(name, pair.then) for name in (pair.differs, pair.shorter) if name]
            for name, kinds in named:
                if name not in _fields_of(kinds):
                    raise LawDataError(FILE, f"{where}.pairs.{n}", f"no field {name!r} in {', '.join(kinds)}")
    for code in rule.referenced_rules():
        if code not in codes or code == rule.code:
            raise LawDataError(FILE, where, f"refers to no rule {code!r}")
    needs_own_citation = isinstance(rule, BeforeRule | OrderRule) or (
        isinstance(rule, CheckRule) and not rule.parameters()
    )
    if needs_own_citation and not rule.citations:
        raise LawDataError(FILE, where, "a rule without a parameter needs its own citations")
    if isinstance(rule, DeadlineRule) and rule.term.field is not None and not rule.citations:
        raise LawDataError(FILE, where, "a term read from the event needs the rule's own citations")


def _check_shown(law: Law, rule: DeadlineRule, where: str) -> None:
    """A value shown by a field of the start (`shows.by`) names exactly the values the start
    admits for that field, in every version; a value by case is never shown whole."""
    for spec in rule.shows:
        name = spec.name
        admitted = rule.start.fields.get(spec.by) if spec.by else None
        if spec.by and admitted is None:
            raise LawDataError(FILE, f"{where}.shows.{name}", f"the start selects no values of {spec.by!r}")
        for version in law.parameters[spec.parameter].versions:
            value = version.value
            if spec.by is None:
                if isinstance(value, dict):
                    raise LawDataError(FILE, f"{where}.shows.{name}", f"{spec.parameter} is a value by case: give `by`")
                continue
            keys = sorted(value) if isinstance(value, dict) else None
            if keys != sorted(map(str, admitted)):
                raise LawDataError(
                    "parameters/",
                    f"{spec.parameter} (from {version.valid_from})",
                    f"names {keys}, the start of {rule.code} admits {sorted(map(str, admitted))} of {spec.by!r}",
                )


def _fields_of(kinds) -> set[str]:
    return {name for kind in kinds if kind in DATA_MODELS for name in DATA_MODELS[kind].model_fields}


ANY_FIELD = _fields_of(KINDS) | {"id", "case"}


def _check_fields(rule: Rule, where: str) -> None:
    """The event fields a rule reads exist in the vocabulary (a misspelt field never matches)."""
    named: list[tuple[str, set[str]]] = []
    for name, value in rule:
        if isinstance(value, Selector):
            allowed = _fields_of(value.kinds)
            named += [(f, allowed) for f in [*value.fields, *value.contains]]
            named += [(f, _fields_of([kind])) for kind, spec in value.where.items() for f in spec]
        elif name in ("field",) and isinstance(value, str):
            named.append((value, ANY_FIELD))
    if isinstance(rule, LadderRule):
        named.append((rule.approval.field, _fields_of(rule.approval.kinds or rule.kinds)))
    if isinstance(rule, DeadlineRule):
        for term_field in (rule.term.field, rule.extend.field if rule.extend else None):
            if term_field:
                named.append((term_field, ANY_FIELD))
    matches = [pair.match for pair in rule.pairs] if isinstance(rule, OrderRule) else [rule.match]
    for match in matches:
        sides = [match] if isinstance(match, str) else list(match.model_dump().values())
        named += [(f, ANY_FIELD) for f in sides]
    pending = list(rule.conditions())
    while pending:
        cond = pending.pop()
        pending += cond.any or []
        named += [(f, _fields_of(["party.added"])) for f in cond.party_fields or {}]
        recorded = [cond.recorded.contains_any, cond.recorded.fields] if cond.recorded else []
        for values in (cond.fields, cond.not_fields, cond.contains_any, *recorded):
            named += [(f, ANY_FIELD) for f in values or {}]
    for name, allowed in named:
        if name not in allowed:
            raise LawDataError(FILE, where, f"no event of the kinds it reads has a field {name!r}")


def _check_gravities(law: Law, rule: Rule, where: str) -> None:
    """Every category of gravity a rule names, or a parameter it reads as one, is the package's."""
    names = set(gravities(law).names)
    pending = list(rule.conditions())
    while pending:
        cond = pending.pop()
        pending += cond.any or []
        named = list(cond.gravity or [])
        for key in (cond.gravity_in, cond.gravity_not_in):
            if key and key in law.parameters:
                named += [g for v in law.parameters[key].versions for g in v.value]
        unknown = sorted(set(named) - names)
        if unknown:
            raise LawDataError(FILE, where, f"unknown categories of gravity {', '.join(unknown)}")


def _with_overlay(law: Law, document: RulesDocument) -> RulesDocument:
    """The rules as the law's overlay switches them on or off from a date."""
    switches = law.overlay.rules if law.overlay else {}
    if not switches:
        return document
    codes = {rule.code for rule in document.rules}
    rules = []
    for code in switches:
        if code not in codes:
            raise LawDataError("overlay", f"rules.{code}", "no such rule in the package")
    for rule in document.rules:
        switch = switches.get(rule.code)
        if switch is not None:
            rule = rule.model_copy(update=switch.period())
        rules.append(rule)
    return document.model_copy(update={"rules": rules})


def rule_codes(law: Law) -> list[str]:
    return [rule.code for rule in load_rules(law).rules]


def get_rule(law: Law, code: str) -> Rule:
    for rule in load_rules(law).rules:
        if rule.code == code:
            return rule
    raise UnknownRule(code, law.jurisdiction, rule_codes(law))


def rules_by_code(law: Law) -> dict[str, Any]:
    return {rule.code: rule for rule in load_rules(law).rules}


def validate_law(law: Law) -> Law:
    """Read every document of the package once, so a broken one fails at load, not mid-judging:
    the rules (with every parameter, kind and category they name), the offences, the
    categories of gravity, the calendar of non-working days, and the competence's kinds and
    roles. A parameter no rule reads is refused too: it is a misspelling or dead law."""
    document = load_rules(law)
    offences(law)
    load_calendar(law)
    used = {key for rule in document.rules for key in rule.parameters()}
    for key in law.parameters:
        if key not in used:
            raise LawDataError("parameters/", key, "no rule reads this parameter (misspelt, or not applied law)")
    _check_competence(law)
    _check_episodes(law)
    plausibility.of(law)
    return law


def _check_episodes(law: Law) -> None:
    """Every kind an episode names is in the vocabulary, and every rule that limits it is a
    deadline started by its opening acts and stopped by each of its closing acts: so a
    closing act ends the episode for the rules (and the board, which reads them) as for the
    case file and the statistics."""
    for name, ep in definitions(law).episodes.items():
        for kind in sorted(ep.kinds()):
            if kind not in KINDS:
                raise LawDataError("episodes.yaml", f"episodes.{name}", f"unknown event kind {kind!r}")
        for act, tests in ep.where.items():
            for kind, fields in tests.items():
                for field in fields:
                    if field not in _fields_of([kind]):
                        raise LawDataError(
                            "episodes.yaml", f"episodes.{name}.where.{act}", f"no field {field!r} in {kind}"
                        )
        for code in ep.limits:
            rule = next((r for r in load_rules(law).rules if r.code == code), None)
            if not isinstance(rule, DeadlineRule):
                raise LawDataError("episodes.yaml", f"episodes.{name}.limits", f"{code} is no deadline rule")
            missing = [k for k in ep.opens if k not in rule.start.kinds]
            missing += [k for k in ep.closes if k not in rule.stop.kinds]
            if missing:
                raise LawDataError(
                    "episodes.yaml", f"episodes.{name}.limits", f"{code} does not start or stop at {', '.join(missing)}"
                )


TIME_UNITS = ("hours", "days", "months", "years")
# what each unit's value must be: a term a positive number, a count a whole number, a flag yes/no
_VALUE_TYPES = {"hours": (int, float), "days": (int, float), "months": (int,), "years": (int,), "count": (int,)}


def check_units(law: Law, document=None) -> None:
    """Every version of every parameter (an overlay's too) has a value of its unit's type, and
    every parameter a rule counts a term by is in a unit of time in each version — so a term
    in days is never read as hours, and a lead in days never taken off as hours."""
    document = document or load_rules(law)
    for key, parameter in law.parameters.items():
        for version in parameter.versions:
            where = f"{key} (from {version.valid_from.isoformat()})"
            value, unit = version.value, version.unit
            expected = _VALUE_TYPES.get(unit or "")
            if expected and (isinstance(value, bool) or not isinstance(value, expected)):
                raise LawDataError("parameters/", where, f"{value!r} is not a value in {unit}")
            if unit in TIME_UNITS and value < 0:
                raise LawDataError("parameters/", where, f"a term of {value} {unit} is negative")
            if unit == "flag" and not isinstance(value, bool):
                raise LawDataError("parameters/", where, f"{value!r} is not a flag (true or false)")
    for rule in document.rules:
        for term in rule.terms():
            counted = [term.parameter, *(choice.parameter for choice in term.choose or [])]
            for key, units in [*((k, TIME_UNITS) for k in counted if k), (term.minus, ("hours", "days"))]:
                if not key or key not in law.parameters:
                    continue
                for version in law.parameters[key].versions:
                    if version.unit not in units:
                        raise LawDataError(
                            "parameters/",
                            f"{key} (from {version.valid_from.isoformat()})",
                            f"{rule.code} counts a term by it: give its unit, one of {', '.join(units)}"
                            f" (not {version.unit or 'none'})",
                        )


def _check_competence(law: Law) -> None:
    file = "competence.yaml"
    stages = stages_of(law)
    for kind in stages.kinds:
        if kind not in KINDS:
            raise LawDataError("stages.yaml", "stages", f"unknown event kind {kind!r}")
    for kind in KINDS:
        if law.competence.of(kind) is None:
            raise LawDataError(file, "kinds", f"says nothing of {kind}: who may record it?")
    for kind, rule in law.competence.kinds.items():
        if kind not in KINDS:
            raise LawDataError(file, f"kinds.{kind}", "not an event kind of the vocabulary")
        for stage in rule.by_stage or {}:
            if stage not in stages.stages:
                raise LawDataError(file, f"kinds.{kind}.by_stage", f"unknown stage {stage!r}")
        for role in [*rule.roles, *(r for roles in (rule.by_stage or {}).values() for r in roles)]:
            if role not in ROLES:
                raise LawDataError(file, f"kinds.{kind}", f"unknown role {role!r}")
    for role, supervisors in law.competence.supervisors.items():
        for name in (role, *supervisors):
            if name not in ROLES:
                raise LawDataError(file, f"supervisors.{role}", f"unknown role {name!r}")
