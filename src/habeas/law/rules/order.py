"""The ``order`` mechanism: two facts recorded in an impossible order, or contradicting each
other (a `then` before, without, or after its `first`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from habeas.domain.events import Event
from habeas.law.findings import VIOLATION
from habeas.law.rules.facts import evidence, matches, moment_of
from habeas.law.rules.schema import OrderRule

if TYPE_CHECKING:
    from habeas.law.rules.mechanisms import Judge


def judge_order(judge: Judge, rule: OrderRule) -> None:
    for pair in _pairs(rule, judge.facts.by_kind):
        thens = judge.facts.of_kinds(pair.then)
        firsts = judge.facts.of_kinds(pair.first)
        if pair.contradiction == "after":
            _after(judge, rule, pair, thens, firsts)
            continue
        missing = pair.contradiction == "missing"
        for then in thens:
            # the first related `first` in time order, unless one came at or before the `then`
            # (`before`), or any at all (`missing`): found without listing them all
            earliest: Event | None = None
            for f in firsts:
                if not matches(pair.match, f, then, _ROLES):
                    continue
                if missing or f.occurred_at <= then.occurred_at:
                    break
                if earliest is None:
                    earliest = f
            else:
                if missing:
                    _contradiction(judge, rule, pair, None, then)
                elif earliest is not None:
                    _contradiction(judge, rule, pair, earliest, then)


_ROLES = ("first", "then")


_PAIRS: dict[int, tuple[OrderRule, dict]] = {}


def _pairs(rule: OrderRule, present) -> list:
    """The rule's pairs a case holding events of the kinds `present` has a `then` of (the
    others have nothing to check): worked out once per rule and set of kinds."""
    known = _PAIRS.get(id(rule))
    if known is None or known[0] is not rule:
        if len(_PAIRS) > 1_000:  # laws loaded again and again (tests): forget the old ones
            _PAIRS.clear()
        known = _PAIRS[id(rule)] = (rule, {})
    by_kinds = known[1]
    kinds = frozenset(present)
    found = by_kinds.get(kinds)
    if found is None:
        if len(by_kinds) > 10_000:  # every set of kinds seen so far: start again
            by_kinds.clear()
        found = by_kinds[kinds] = [pair for pair in rule.pairs if not kinds.isdisjoint(pair.then)]
    return found


def _after(judge: Judge, rule: OrderRule, pair, thens: list[Event], firsts: list[Event]) -> None:
    """A `then` at or after a related `first` (another fact, earlier in time order)."""
    order = judge.facts.rank
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
            _contradiction(judge, rule, pair, earlier[0] if pair.shorter is None else earlier[-1], then)


def _contradiction(judge: Judge, rule: OrderRule, pair, first: Event | None, then: Event) -> None:
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
    judge._finding(
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
