"""The generic mechanisms every rule of every jurisdiction is judged by: the `Judge` of one
case's facts, the helpers every mechanism shares (a finding with its law, the events in a
rule's scope, pauses, bases), and the table of the mechanisms, each a plug-in in its own
module:

- ``deadline`` (`deadline`): one clock per start event, closed by the first stop event;
- ``before`` (`before`): a stop event must precede the first of some other events;
- ``check`` (`check`): a violation at an event when a condition holds;
- ``term_cap`` (`term_cap`): the terms a series of orders sets stay within caps;
- ``ladder`` (`ladder`): each extension has the agreements its rung needs;
- ``order`` (`order`): two facts recorded in an impossible order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from habeas.domain.events import Event
from habeas.law.findings import Finding, made
from habeas.law.package import Law, MissingLaw
from habeas.law.rules.before import judge_before
from habeas.law.rules.check import judge_check
from habeas.law.rules.conditions import Context
from habeas.law.rules.deadline import judge_deadline
from habeas.law.rules.deadline import opened as deadline_opened
from habeas.law.rules.facts import Facts, key_of, matches
from habeas.law.rules.ladder import judge_ladder
from habeas.law.rules.order import judge_order
from habeas.law.rules.schema import (
    Base,
    BeforeRule,
    CheckRule,
    DeadlineRule,
    LadderRule,
    OrderRule,
    Pause,
    RulesDocument,
    TermCapRule,
)
from habeas.law.rules.term_cap import judge_term_cap
from habeas.law.rules.terms import Applied


def base_of(facts: Facts, spec: Base, start: Event) -> Event | None:
    """The event a term is counted from instead of `start` (same person): the latest of the
    spec's kinds before it (voided by a reset since), or the first after it."""
    person = key_of(start, "person")
    if spec.look == "after":
        return next((ev for ev in facts.after(start, spec.kinds) if key_of(ev, "person") == person), None)
    found = None
    for ev in facts.before(start, spec.kinds + spec.reset):
        if key_of(ev, "person") == person:
            found = ev if ev.kind in spec.kinds else None
    return found


@dataclass
class Judge:
    law: Law
    facts: Facts
    document: RulesDocument
    findings: list[Finding] = field(default_factory=list)

    def run(self) -> list[Finding]:
        for rule, mechanism in _selected(self.document, self.facts.by_kind):
            mechanism(self, rule)
        return self.findings

    # --- helpers ---------------------------------------------------------------------------

    def _finding(
        self,
        rule,
        *,
        kind: str,
        person: str | None,
        started_at: datetime | None,
        due_at: datetime | None,
        met_at: datetime | None,
        shown: tuple[str, ...],
        applied: Applied | None = None,
        cite: str | None = None,
        at: datetime | None = None,
        params: Mapping[str, Any] | None = None,
        message: str | None = None,
    ) -> None:
        version = applied.version if applied else None
        parameter = applied.parameter if applied else None
        if version is None and cite:
            try:
                version = self.law.version(cite, at or started_at)
                parameter = cite
            except (MissingLaw, AttributeError):
                version = None
        citations, citation, certainty, valid_from, law_params = _law_part(rule, version)
        spelt = (
            started_at.isoformat() if started_at else None,
            due_at.isoformat() if due_at else None,
            met_at.isoformat() if met_at else None,
        )
        all_params: dict[str, Any] = {"person": person, "started_at": spelt[0], "due_at": spelt[1], "met_at": spelt[2]}
        if law_params:
            all_params.update(law_params)
        if applied is not None and applied.notes:
            all_params.update(applied.notes)
        if params:
            all_params.update(params)
        self.findings.append(
            made(
                rule.code,
                person,
                started_at,
                due_at,
                met_at,
                shown,
                citation,
                citations,
                certainty,
                valid_from,
                kind,
                parameter,
                message or rule.message,
                all_params,
                spelt,
            )
        )

    def _in_force(self, rule, event: Event) -> bool:
        if rule.valid_from is None and rule.valid_until is None:  # most rules: always
            return True
        return rule.in_force_on(event.occurred_at.date())

    def _scoped(self, rule, start: Event, kinds: Iterable[str]) -> list[Event]:
        """The events of these kinds at or after `start` (itself excluded) that the rule matches to it."""
        events = self.facts.of_kinds(kinds)
        if not events:
            return []
        moment, match = start.occurred_at, rule.match
        found = []
        for ev in events:
            if ev is not start and ev.occurred_at >= moment and matches(match, start, ev):
                found.append(ev)
        return found

    def _base(self, spec: Base, start: Event) -> Event | None:
        return base_of(self.facts, spec, start)

    def _paused(self, pauses: list[Pause], start: Event, since: datetime, due: datetime | None, until=None):
        """Move `due` past every paused period that began before it; None while one is open."""
        present = self.facts.by_kind.keys()
        for pause in pauses:
            if present.isdisjoint(pause.start):  # the usual case: never paused
                continue
            begun: Event | None = None
            for ev in self.facts.of_kinds(pause.start + pause.end):
                if pause.match == "person" and key_of(ev, "person") != key_of(start, "person"):
                    continue
                if until is not None and ev.occurred_at > until:
                    break
                if ev.kind in pause.start and begun is None:
                    begun = ev
                elif ev.kind in pause.end and begun is not None:
                    begin = max(begun.occurred_at, since)
                    if due is not None and begin < ev.occurred_at and begin <= due:
                        due += ev.occurred_at - begin
                    begun = None
            if begun is not None and begun.occurred_at >= since and (due is None or begun.occurred_at <= due):
                return None, begun
        return due, None

    def opened(self, rule: DeadlineRule, start: Event) -> tuple[Context, Event, Applied] | None:
        """What a start opens under a deadline rule (`deadline.opened`)."""
        return deadline_opened(self, rule, start)


# Each mechanism is a plug-in: a function judging one rule of its kind on a case's facts, in
# its own module; a new mechanism is a module, a schema model and an entry here.
JUDGES: dict[str, Callable[[Judge, Any], None]] = {
    "deadline": judge_deadline,
    "before": judge_before,
    "check": judge_check,
    "term_cap": judge_term_cap,
    "ladder": judge_ladder,
    "order": judge_order,
}


def _triggers(rule) -> frozenset[str]:
    """The kinds without which a rule's mechanism finds nothing: the events each mechanism
    iterates over (deadline: its starts; before: its starts; check: the events it checks;
    term_cap: the orders; order: the `then` of a pair)."""
    if isinstance(rule, DeadlineRule):
        return frozenset(rule.start.kinds + (rule.or_start.kinds if rule.or_start else []))
    if isinstance(rule, BeforeRule):
        return frozenset(rule.start.kinds)
    if isinstance(rule, CheckRule):
        return frozenset(rule.at.kinds)
    if isinstance(rule, TermCapRule | LadderRule):
        return frozenset(rule.kinds)
    if isinstance(rule, OrderRule):
        return frozenset(kind for pair in rule.pairs for kind in pair.then)
    raise TypeError(f"no mechanism for {type(rule).__name__}")


_PLANS: dict[int, tuple[RulesDocument, list, dict]] = {}
_CITED: dict[int, tuple[object, tuple[str, ...]]] = {}


def _cited(citations) -> tuple[str, ...]:
    """The citations of a rule or a parameter's version as text (spelt once per law object)."""
    known = _CITED.get(id(citations))
    if known is None or known[0] is not citations:
        if len(_CITED) > 10_000:  # laws loaded again and again (tests): forget the old ones
            _CITED.clear()
        known = _CITED[id(citations)] = (citations, tuple(str(c) for c in citations))
    return known[1]


_LAW_PARTS: dict[tuple[int, int], tuple[object, object, tuple]] = {}


def _law_part(rule, version) -> tuple:
    """What a finding of `rule` takes from the law, the same for all its findings under
    this parameter's `version` (None: the rule's own): its citations (as a tuple and as
    one text), certainty, valid_from, and the params the version adds (term, unit, overlay).
    Computed once per (rule, version) and shared."""
    known = _LAW_PARTS.get((id(rule), id(version)))
    if known is not None and known[0] is rule and known[1] is version:
        return known[2]
    if version is not None and not rule.citations:
        citations = _cited(version.citations)
        certainty, valid_from = version.certainty, version.valid_from
    elif version is not None:  # the rule's own citations first, then the value's
        citations = tuple(dict.fromkeys([*_cited(rule.citations), *_cited(version.citations)]))
        certainty, valid_from = version.certainty, version.valid_from
    else:
        citations = _cited(rule.citations)
        certainty, valid_from = rule.certainty or "-", rule.valid_from
    law_params: dict[str, Any] = {}
    if version is not None and not isinstance(version.value, list | dict | bool):
        law_params["term"] = version.value
        law_params["unit"] = version.unit
    if version is not None and version.overlay:
        law_params["overlay"] = version.overlay
    part = (citations, "; ".join(citations) or "—", certainty, valid_from, law_params)
    if len(_LAW_PARTS) > 10_000:  # laws loaded again and again (tests): forget the old ones
        _LAW_PARTS.clear()
    _LAW_PARTS[(id(rule), id(version))] = (rule, version, part)
    return part


def _plan(document: RulesDocument) -> tuple[RulesDocument, list, dict]:
    """The rules of a document indexed by the kinds that open them, with their mechanism
    (computed once per document: `run` judges a case by the rules its kinds can open), and
    the rules selected for each set of kinds a case has held (`_selected`)."""
    known = _PLANS.get(id(document))
    if known is None or known[0] is not document:
        if len(_PLANS) > 100:  # laws loaded again and again (tests): forget the old ones
            _PLANS.clear()
        plan = [(rule, JUDGES[rule.mechanism], _triggers(rule)) for rule in document.rules]
        known = _PLANS[id(document)] = (document, plan, {})
    return known


def _selected(document: RulesDocument, present: Mapping[str, Any]) -> list:
    """The rules (with their mechanism) a case holding events of the kinds `present` can
    find anything by, in the document's order: a rule finds nothing in a case without any
    of the events that open it. Cases hold few sets of kinds: each is worked out once."""
    _, plan, selections = _plan(document)
    kinds = frozenset(present)
    selected = selections.get(kinds)
    if selected is None:
        if len(selections) > 10_000:  # every set of kinds seen so far: start again
            selections.clear()
        selected = selections[kinds] = [(rule, mechanism) for rule, mechanism, on in plan if not on.isdisjoint(kinds)]
    return selected
