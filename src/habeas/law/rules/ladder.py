"""The ``ladder`` mechanism: each extension of a series of orders needs the agreements of the
rung it reaches (the custody ladder of CPC art. 151: to 3 months agreed by a district
prosecutor, to 9 and 12 by a regional one, to 18 approved by a regional one and agreed by the
Prosecutor General). The rungs, their terms and who must agree are the package's data.

An agreement is a decision naming the extension (`decision.approved` with its `event`) whose
level is at least the one needed; two levels needed take two decisions. A decision (or a
prosecutor's own extension) that does not say its level leaves the question open: the register
records what happened and cannot invent the level, so the finding is `undecided` (open, never a
breach, in its own wording) — unless the levels on record with every unsaid one taken at the
highest level still fall short, in which case the record itself proves the breach (an extension
to 18 months with a single agreement on record, where the step needs two).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from habeas.domain.events import Event
from habeas.law.findings import UNDECIDED, VIOLATION
from habeas.law.package import MissingLaw
from habeas.law.rules.conditions import Context
from habeas.law.rules.facts import evidence, key_of, moment_of
from habeas.law.rules.schema import LadderRule, Step
from habeas.law.rules.terms import apply_term

if TYPE_CHECKING:
    from habeas.law.rules.mechanisms import Judge


def judge_ladder(judge: Judge, rule: LadderRule) -> None:
    """Judge every extension of every series in the case (pre-trial: until `until_kinds`)."""
    facts = judge.facts
    end = next(iter(facts.of_kinds(rule.until_kinds)), None)
    first: dict[Any, Event] = {}  # the order that opened each person's series
    for ev in facts.events:
        if end is not None and (ev is end or ev.occurred_at > end.occurred_at):
            break
        who = key_of(ev, rule.match)
        if ev.kind in rule.reset_kinds:
            first.pop(who, None)
        elif ev.kind in rule.series_kinds and who not in first:
            first[who] = ev
        elif ev.kind in rule.kinds and who in first and judge._in_force(rule, first[who]):
            _judge_extension(judge, rule, first[who], ev)


def _judge_extension(judge: Judge, rule: LadderRule, first: Event, ext: Event) -> None:
    until = moment_of((ext.data or {}).get(rule.field))
    if until is None:
        return
    base = (judge._base(rule.base, first) if rule.base else None) or first
    ctx = Context(judge.law, judge.facts, ext, law_moment=first.occurred_at)
    rung = _rung(judge, rule, ctx, base, until)
    if rung is None:
        return
    step, reached = rung
    try:
        needs = list(ctx.value(step.needs)) if step.needs else []
    except MissingLaw:
        return
    if rule.approval.own:
        decisions = [ext]
    else:
        decisions = [ev for ev in judge.facts.of_kinds(rule.approval.kinds) if (ev.data or {}).get("event") == ext.id]
    levels = [(ev.data or {}).get(rule.approval.field) for ev in decisions]
    missing = _unmet(needs, [lv for lv in levels if lv is not None], rule.approval.order)
    if not missing:
        return
    unsaid = sum(1 for lv in levels if lv is None)
    # at best each unsaid level was the highest: if even that covers the need, it is unknown
    said = [lv for lv in levels if lv is not None]
    undecided = unsaid > 0 and not _unmet(needs, said + [rule.approval.order[-1]] * unsaid, rule.approval.order)
    judge._finding(
        rule,
        kind=UNDECIDED if undecided else VIOLATION,
        person=(ext.data or {}).get("person"),
        started_at=base.occurred_at,
        due_at=None,
        met_at=None,
        shown=evidence(base, first, ext, *decisions),
        cite=step.needs or step.up_to or rule.steps[0].up_to,
        at=first.occurred_at,
        params={
            "at": ext.occurred_at.isoformat(),
            "until": until.isoformat(),
            "step_until": reached.isoformat() if reached else None,
            "needs": needs,
            "missing": missing,
            "agreed": [lv for lv in levels if lv is not None],
            "level_not_recorded": unsaid,
        },
        message=f"{rule.message}.level" if undecided else None,
    )


def _rung(judge: Judge, rule: LadderRule, ctx: Context, base: Event, until: datetime):
    """The first rung whose term `until` does not pass (past the last: the last), with the end
    of its term (None past the last); None when no rung's term is in force."""
    last = None
    for step in rule.steps:
        if step.up_to is None:
            return step, None
        applied = apply_term(_term(rule, step), ctx, rule.code, base.occurred_at)
        if applied is None:
            continue
        allowed, _ = judge._paused(rule.pauses, ctx.event, base.occurred_at, applied.due, until)
        allowed = allowed or until  # a file reading still open: outside the ladder
        last = step
        if until <= allowed:
            return step, allowed
    return (last, None) if last is not None else None


def _term(rule: LadderRule, step: Step):
    return next(term for term in rule.terms() if term.parameter == step.up_to)


def _unmet(needs: list[str], levels: list[str], order: list[str]) -> list[str]:
    """The levels needed that the decisions' levels do not cover, each decision used once,
    the highest need first (a higher level stands for a lower one)."""
    rank = {name: place for place, name in enumerate(order)}
    left = sorted((lv for lv in levels if lv in rank), key=rank.__getitem__, reverse=True)
    missing = []
    for need in sorted(needs, key=lambda n: rank.get(n, -1), reverse=True):
        cover = next((lv for lv in left if rank[lv] >= rank.get(need, len(order))), None)
        if cover is None:
            missing.append(need)
        else:
            left.remove(cover)
    return missing
