"""Loading `rules.yaml`: validated against the schema and against the rest of the package.

Every parameter a rule needs must be in the package, every event kind it names must be
in the vocabulary, every rule it refers to must exist: a package that lacks one does not
load (`LawDataError` naming file, key and reason), rather than judging silently without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from habeas.domain.vocabulary import KINDS
from habeas.law.package import Law, LawDataError
from habeas.law.rules.schema import (
    BeforeRule,
    CheckRule,
    DeadlineRule,
    OrderRule,
    Rule,
    RulesDocument,
)
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
    return _with_overlay(law, document)


def _check_rule(law: Law, rule: Rule, where: str, codes: list[str]) -> None:
    for key in rule.parameters():
        if key not in law.parameters:
            raise LawDataError(FILE, where, f"unknown parameter {key!r}: the rule needs it and the package lacks it")
    for kind in rule.kinds_used():
        if kind not in KINDS:
            raise LawDataError(FILE, where, f"unknown event kind {kind!r}")
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
            rule = rule.model_copy(update=switch.period_for(rule))
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
