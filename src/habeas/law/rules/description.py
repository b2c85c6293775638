"""A rule as `habeas law show CODE` prints it: what it requires, its period of force, the
versions of every parameter it applies with dates, citations, certainty and how each was
verified, and where a value comes from an overlay rather than the package."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from habeas.law.package import Citation, Law
from habeas.law.rules.loading import get_rule, load_rules
from habeas.law.rules.schema import BeforeRule, CheckRule, DeadlineRule, LadderRule, OrderRule, TermCapRule


def describe(law: Law, code: str) -> dict[str, Any]:
    rule = get_rule(law, code)
    document = load_rules(law)
    out: dict[str, Any] = {
        "code": rule.code,
        "title": rule.title,
        "mechanism": rule.mechanism,
        "message": rule.message,
        "citation": citation_text(rule.citations),
        "citations": [c.model_dump(exclude_none=True) for c in rule.citations],
        "certainty": rule.certainty,
        "valid_from": rule.valid_from.isoformat() if rule.valid_from else None,
        "valid_until": rule.valid_until.isoformat() if rule.valid_until else None,
    }
    if law.overlay is not None and rule.code in law.overlay.rules:
        out["overlay"] = law.overlay.name
    out.update(_mechanism(rule))
    parameters, descriptions, cited = _parameters(law, rule)
    # {parameter key: [versions, oldest first]}; each version with dates, citations, certainty
    out["parameters"] = parameters
    out["parameter_descriptions"] = descriptions
    if not out["citation"]:
        out["citation"] = "; ".join(dict.fromkeys(cited))
        out["certainty"] = ", ".join(dict.fromkeys(v[-1]["certainty"] for v in parameters.values()))
    out["calendar"] = _calendar(document.calendar, rule.code)
    return out


def _mechanism(rule: Any) -> dict[str, Any]:
    """What the rule's kind of mechanism requires: its events, term, orders, steps or pairs."""
    out: dict[str, Any] = {}
    if isinstance(rule, DeadlineRule | BeforeRule):
        out["start"] = rule.start.model_dump(exclude_defaults=True)
        out["stop"] = rule.stop.model_dump(exclude_defaults=True)
    if isinstance(rule, DeadlineRule):
        if rule.term.field:
            out["term"] = f"the `{rule.term.field}` of the start event"
        if rule.term.from_rule:
            out["term"] = f"the due time of {rule.term.from_rule}, less `{rule.term.minus}`"
        if rule.extend:
            out["extend"] = rule.extend.model_dump()
        if rule.pauses:
            out["not_counted"] = [p.model_dump() for p in rule.pauses]
        if rule.report != "all":
            out["report"] = rule.report
    if isinstance(rule, BeforeRule):
        out["due_kinds"] = rule.due_kinds
    if isinstance(rule, CheckRule):
        out["at"] = rule.at.model_dump(exclude_defaults=True)
    if isinstance(rule, TermCapRule):
        out["orders"] = rule.kinds
        if rule.pauses:
            out["not_counted"] = [p.model_dump() for p in rule.pauses]
    if isinstance(rule, LadderRule):
        out["orders"] = rule.kinds
        out["steps"] = [step.model_dump(exclude_none=True) for step in rule.steps]
        out["approval"] = rule.approval.model_dump()
        if rule.pauses:
            out["not_counted"] = [p.model_dump() for p in rule.pauses]
    if isinstance(rule, OrderRule):
        out["pairs"] = [p.model_dump() for p in rule.pairs]
    return out


def _parameters(law: Law, rule: Any) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str], list[str]]:
    """Every parameter the rule applies, its versions oldest first; their descriptions; and the
    citations of their latest versions."""
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
                "citation": citation_text(v.citations),
                "citations": [c.model_dump(exclude_none=True) for c in v.citations],
                "certainty": v.certainty,
                "verified": v.verified,
                **({"overlay": v.overlay} if v.overlay else {}),
            }
            for v in versions
        ]
        cited += [str(c) for c in versions[-1].citations]
    return parameters, descriptions, cited


def _calendar(calendar: Any, code: str) -> dict[str, Any]:
    """The calendar the rule counts by, and whether it moves a deadline off a day off."""
    return calendar.model_dump(exclude={"citations", "not_moved"}) | {
        "moves_last_day_off": calendar.last_day_off == "next_working_day" and code not in calendar.not_moved,
        "citation": citation_text(calendar.citations),
        "certainty": calendar.certainty,
    }


def citation_text(citations: Iterable[Citation]) -> str:
    return "; ".join(str(c) for c in citations)
