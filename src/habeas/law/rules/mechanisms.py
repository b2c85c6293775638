"""The generic mechanisms every rule of every jurisdiction is judged by.

- ``deadline``: one clock per start event, closed by the first matching stop event at or
  after it; due after a dated parameter's term, at a time the start event carries, or
  some hours before another rule's due time; counted from the start or from a base event;
  paused periods are not counted; an extension moves the due time; a cancel ends the duty;
- ``before``: a stop event must precede the first of some other events;
- ``check``: a violation at an event when a condition holds;
- ``term_cap``: the terms a series of orders sets stay within caps;
- ``ladder``: each extension has the agreements its rung needs (its own module, `ladder`);
- ``order``: two facts recorded in an impossible order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from habeas.domain.events import Event
from habeas.law.findings import DEADLINE, UNDECIDED, VIOLATION, Finding, made
from habeas.law.package import Law, MissingLaw
from habeas.law.rules.conditions import Context, holds
from habeas.law.rules.facts import Facts, evidence, key_of, matches, moment_of
from habeas.law.rules.ladder import judge_ladder
from habeas.law.rules.qualified import NOT_IN_CATALOGUE
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
from habeas.law.rules.terms import Applied, apply_term


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
        present = self.facts.by_kind
        for rule, mechanism, triggers in _plan(self.document):
            # A rule finds nothing in a case without any of the events that open it.
            if not triggers.isdisjoint(present):
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
        return rule.in_force_on(event.occurred_at.date())

    def _scoped(self, rule, start: Event, kinds: Iterable[str]) -> list[Event]:
        return [ev for ev in self.facts.after(start, kinds) if matches(rule.match, start, ev)]

    def _base(self, spec: Base, start: Event) -> Event | None:
        return base_of(self.facts, spec, start)

    def _paused(self, pauses: list[Pause], start: Event, since: datetime, due: datetime | None, until=None):
        """Move `due` past every paused period that began before it; None while one is open."""
        for pause in pauses:
            opened: Event | None = None
            for ev in self.facts.of_kinds(pause.start + pause.end):
                if pause.match == "person" and key_of(ev, "person") != key_of(start, "person"):
                    continue
                if until is not None and ev.occurred_at > until:
                    break
                if ev.kind in pause.start and opened is None:
                    opened = ev
                elif ev.kind in pause.end and opened is not None:
                    begin = max(opened.occurred_at, since)
                    if due is not None and begin < ev.occurred_at and begin <= due:
                        due += ev.occurred_at - begin
                    opened = None
            if opened is not None and opened.occurred_at >= since and (due is None or opened.occurred_at <= due):
                return None, opened
        return due, None

    # --- deadline --------------------------------------------------------------------------

    def _starts(self, rule: DeadlineRule) -> list[Event]:
        starts = [ev for ev in self.facts.of_kinds(rule.start.kinds) if rule.start.matches(ev)]
        if rule.or_start:
            for ev in self.facts.of_kinds(rule.or_start.kinds):
                if not any(matches(rule.match, ev, later) for later in self.facts.after(ev, rule.or_start.unless)):
                    starts.append(ev)
            starts.sort(key=lambda ev: self.facts.rank[id(ev)])
        return starts

    def opened(self, rule: DeadlineRule, start: Event) -> tuple[Context, Event, Applied] | None:
        """What a start opens under a deadline rule: its context, the event its term counts
        from, and the term applied; None when the rule does not count this start (not in
        force, its `when` does not hold, preceded by what excuses it, no term)."""
        if not self._in_force(rule, start):
            return None
        ctx = Context(self.law, self.facts, start)
        if rule.when is not None and not holds(rule.when, ctx)[0]:
            return None
        if rule.unless_preceded_by and any(
            matches(rule.match, start, ev) for ev in self.facts.before(start, rule.unless_preceded_by)
        ):
            return None
        base_event = start
        if rule.base is not None and (rule.base.only_when is None or holds(rule.base.only_when, ctx)[0]):
            base_event = self._base(rule.base, start) or start
        applied = apply_term(rule.term, ctx, rule.code, base_event.occurred_at)
        return None if applied is None else (ctx, base_event, applied)

    def _deadline(self, rule: DeadlineRule) -> None:
        starts = self._starts(rule)
        for start in starts:
            opened = self.opened(rule, start)
            if opened is None:
                continue
            _, base_event, applied = opened
            person = (start.data or {}).get("person")
            stops = [ev for ev in self._scoped(rule, start, rule.stop.kinds) if rule.stop.matches(ev)]
            if not stops and rule.or_stop:
                stops = self._scoped(rule, start, rule.or_stop)
            if rule.report == "late":
                self._late(rule, start, starts, stops, applied, person, base_event)
                continue
            stop = stops[0] if stops else None
            if rule.cancel is not None and self._cancelled(rule, start, stop, applied.due):
                continue
            due: datetime | None = applied.due
            pause = None
            if rule.pauses:
                until = stop.occurred_at if stop else None
                due, pause = self._paused(rule.pauses, start, base_event.occurred_at, due, until)
            extensions: list[Event] = []
            if rule.extend and due is not None:
                for ext in self._scoped(rule, start, rule.extend.kinds):
                    if stop is not None and ext.occurred_at > stop.occurred_at:
                        break
                    until = moment_of((ext.data or {}).get(rule.extend.field))
                    if until is None:
                        continue
                    if ext.occurred_at > due:
                        break  # extended after the term had run out: the breach stands
                    due = until
                    applied = Applied(until, applied.version, applied.parameter, applied.notes)
                    extensions.append(ext)
            params: dict[str, Any] = self._shown(rule, start)
            if rule.extend:
                params["extended"] = len(extensions)
            if pause is not None and stop is None:
                continue  # the clock stands still: nothing is due while the term is interrupted
            if pause is not None:
                params["paused_since"] = pause.occurred_at.isoformat()
            self._finding(
                rule,
                kind=DEADLINE,
                person=person,
                started_at=start.occurred_at,
                due_at=due,
                met_at=stop.occurred_at if stop else None,
                shown=evidence(start, *([base_event] if base_event is not start else []), *extensions, pause, stop),
                applied=applied,
                params=params,
            )

    def _shown(self, rule: DeadlineRule, start: Event) -> dict[str, Any]:
        """The dated values of the law the rule shows with its findings (`shows`)."""
        shown: dict[str, Any] = {}
        for spec in rule.shows:
            try:
                value = self.law.value(spec.parameter, start.occurred_at)
            except MissingLaw:
                continue
            if spec.by is not None:
                value = value.get((start.data or {}).get(spec.by)) if isinstance(value, Mapping) else None
            if value is not None:
                shown[spec.name] = value
        return shown

    def _cancelled(self, rule: DeadlineRule, start: Event, stop: Event | None, due: datetime) -> bool:
        for ev in self._scoped(rule, start, rule.cancel.kinds):
            if stop is not None and ev.occurred_at >= stop.occurred_at:
                return False
            return not rule.cancel.by_due or ev.occurred_at <= due
        return False

    def _late(self, rule, start, starts, stops, applied, person, base_event) -> None:
        """One finding per closing event (until the next start), never an open clock:
        the closing act is not an official's duty, only its lateness is a finding."""
        later = [s for s in starts[starts.index(start) + 1 :] if matches(rule.match, start, s)]
        end = later[0].occurred_at if later else None
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
                shown=evidence(start, *([base_event] if base_event is not start else []), stop),
                applied=applied,
            )

    # --- before ----------------------------------------------------------------------------

    def _before(self, rule: BeforeRule) -> None:
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
                    shown=evidence(start, stop),
                )
            elif due is not None and (cancel is None or due.occurred_at <= cancel.occurred_at):
                self._finding(
                    rule,
                    kind=VIOLATION,
                    person=person,
                    started_at=start.occurred_at,
                    due_at=None,
                    met_at=stop.occurred_at if stop else None,
                    shown=evidence(start, due, stop),
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
                    shown=evidence(start),
                    params={"due_before": rule.due_kinds},
                )

    # --- check -----------------------------------------------------------------------------

    def _check(self, rule: CheckRule) -> None:
        for ev in self.facts.of_kinds(rule.at.kinds):
            if not rule.at.matches(ev) or not self._in_force(rule, ev):
                continue
            person = (ev.data or {}).get("person")
            party = self.facts.parties.get(person or "")
            if rule.roles is not None and party and party.get("role") not in rule.roles:
                continue
            ctx = Context(self.law, self.facts, ev)
            if rule.enabled_by:
                try:
                    if not self.law.value(rule.enabled_by, ev.occurred_at):
                        continue
                except MissingLaw:
                    continue
            ok, shown, reasons = holds(rule.violation, ctx)
            if not ok:
                unknown = ctx.gravity_unknown
                if unknown is not None and unknown.get("reason") == NOT_IN_CATALOGUE:
                    # it might be a violation, were the offence's gravity known: say it is
                    # undecided and why, never decide it as if the offence were minor or grave
                    self._finding(
                        rule,
                        kind=UNDECIDED,
                        person=person,
                        started_at=ev.occurred_at,
                        due_at=None,
                        met_at=None,
                        shown=evidence(ev, self.facts.events_by_id(unknown.get("event"))),
                        cite=None if rule.citations else (rule.violation.parameters() or [None])[0],
                        at=ev.occurred_at,
                        params={"at": ev.occurred_at.isoformat(), "gravity_unknown": unknown},
                    )
                continue
            cite = None
            if not rule.citations:
                cite = rule.enabled_by or (rule.violation.parameters() or [None])[0]
            params: dict[str, Any] = {"at": ev.occurred_at.isoformat(), "reasons": reasons}
            if "gravity" in reasons:
                params["gravity"] = ctx.gravity()
            if "offence" in reasons:  # the offence itself is what is found (KZ-OFFENCE-UNKNOWN)
                params.update(ctx.offence().unknown() or {})
            self._finding(
                rule,
                kind=VIOLATION,
                person=person,
                started_at=ev.occurred_at,
                due_at=None,
                met_at=None,
                shown=evidence(ev, *shown),
                cite=cite,
                at=ev.occurred_at,
                params=params,
            )

    # --- term_cap --------------------------------------------------------------------------

    def _term_cap(self, rule: TermCapRule) -> None:
        orders = self.facts.of_kinds(rule.kinds)
        persons = list(dict.fromkeys(key_of(ev, rule.match) for ev in orders))
        end = next(iter(self.facts.of_kinds(rule.until_kinds)), None)
        for who in persons:
            first: Event | None = None
            base: Event | None = None
            for ev in self.facts.events:
                if end is not None and (ev is end or ev.occurred_at > end.occurred_at):
                    break
                if key_of(ev, rule.match) != who:
                    continue
                if ev.kind in rule.reset_kinds:
                    first = None
                    continue
                if ev.kind not in rule.kinds:
                    continue
                until = moment_of((ev.data or {}).get(rule.field))
                if until is None:
                    continue
                opens = first is None
                if opens:
                    first = ev
                    base = (self._base(rule.base, ev) if rule.base else None) or ev
                if not self._in_force(rule, first):
                    continue
                ctx = Context(self.law, self.facts, ev, law_moment=first.occurred_at)
                caps = []
                if opens and rule.first and ev.kind in (rule.first_kinds or rule.kinds):
                    caps.append(("first", rule.first))
                caps.append(("total", rule.total))
                for which, term in caps:
                    applied = apply_term(term, ctx, rule.code, base.occurred_at)
                    if applied is None:
                        continue
                    allowed, _ = self._paused(rule.pauses, ev, base.occurred_at, applied.due, until)
                    allowed = allowed or until  # a file reading still open: outside the ladder
                    if until <= allowed:
                        continue
                    self._finding(
                        rule,
                        kind=VIOLATION,
                        person=(ev.data or {}).get("person"),
                        started_at=base.occurred_at,
                        due_at=None,
                        met_at=None,
                        shown=evidence(base, first, ev),
                        applied=applied,
                        params={"cap": which, "until": until.isoformat(), "allowed_until": allowed.isoformat()},
                    )
                    break

    _ladder = judge_ladder

    # --- order -----------------------------------------------------------------------------

    def _order(self, rule: OrderRule) -> None:
        for pair in rule.pairs:
            thens = self.facts.of_kinds(pair.then)
            if not thens:  # the usual pair: nothing to check, its firsts not looked up
                continue
            firsts = self.facts.of_kinds(pair.first)
            if pair.contradiction == "after":
                self._after(rule, pair, thens, firsts)
                continue
            for then in thens:
                related = [f for f in firsts if matches(pair.match, f, then, ("first", "then"))]
                if pair.contradiction == "missing":
                    if not related:
                        self._contradiction(rule, pair, None, then)
                    continue
                if not related or any(f.occurred_at <= then.occurred_at for f in related):
                    continue
                self._contradiction(rule, pair, related[0], then)

    def _after(self, rule: OrderRule, pair, thens: list[Event], firsts: list[Event]) -> None:
        """A `then` at or after a related `first` (another fact, earlier in time order)."""
        order = self.facts.rank
        for then in thens:
            place = order.get(id(then), -1)
            earlier = [
                f
                for f in firsts
                if f is not then
                and order.get(id(f), -1) < place
                and matches(pair.match, f, then, ("first", "then"))
                and all((f.data or {}).get(name) in allowed for name, allowed in pair.where.items())
            ]
            if pair.differs is not None:
                mine = (then.data or {}).get(pair.differs)
                earlier = [f for f in earlier if (f.data or {}).get(pair.differs) != mine]
            if pair.shorter is not None:
                earlier = earlier[-1:]  # the term in force: the latest order before it
                mine = moment_of((then.data or {}).get(pair.shorter))
                earlier = [
                    f
                    for f in earlier
                    if mine is not None
                    and (theirs := moment_of((f.data or {}).get(pair.shorter))) is not None
                    and mine < theirs
                ]
            if earlier:
                self._contradiction(rule, pair, earlier[0] if pair.shorter is None else earlier[-1], then)

    def _contradiction(self, rule: OrderRule, pair, first: Event | None, then: Event) -> None:
        params = {
            "then": then.id,
            "then_kind": then.kind,
            "then_at": then.occurred_at.isoformat(),
            "contradiction": pair.contradiction,
            "reason": pair.reason,
        }
        if first is not None:
            params.update(first=first.id, first_kind=first.kind, first_at=first.occurred_at.isoformat())
        else:
            params.update(first=None, first_kind=" / ".join(pair.first), first_at=None)
        self._finding(
            rule,
            kind=VIOLATION,
            person=(then.data or {}).get("person") or ((first.data or {}).get("person") if first else None),
            started_at=then.occurred_at,
            due_at=None,
            met_at=None,
            shown=evidence(first, then),
            params=params,
            message=rule.message if pair.contradiction == "before" else f"{rule.message}.{pair.contradiction}",
        )


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


_PLANS: dict[int, tuple[RulesDocument, list]] = {}
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


def _plan(document: RulesDocument) -> list:
    """The rules of a document indexed by the kinds that open them, with their mechanism
    (computed once per document: `run` judges a case by the rules its kinds can open)."""
    known = _PLANS.get(id(document))
    if known is None or known[0] is not document:
        if len(_PLANS) > 100:  # laws loaded again and again (tests): forget the old ones
            _PLANS.clear()
        plan = [(rule, getattr(Judge, f"_{rule.mechanism}"), _triggers(rule)) for rule in document.rules]
        known = _PLANS[id(document)] = (document, plan)
    return known[1]
