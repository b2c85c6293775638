"""The shape of a jurisdiction's `rules.yaml`: one model per mechanism, nothing else accepted.

A rule names the generic mechanism that judges it (`mechanism:` is the discriminator),
and each mechanism's model lists exactly the keys it understands: a key that does not
belong to a rule's mechanism is refused when the package loads. Every rule has a
period of force (`valid_from` / `valid_until`), so a repealed rule ends on a date.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from habeas.law.package import Certainty, Citation
from habeas.law.rules.parts import (
    Base,
    Cancel,
    Condition,
    Extend,
    Fallback,
    Held,
    Match,
    Pair,
    Pause,
    Recorded,
    Requested,
    Selector,
    StartStop,
    Term,
    Waived,
    _Model,
)

# the rule models, and the parts importers name from here (parts.py split off from this module)
__all__ = [
    "Approval",
    "Base",
    "BeforeRule",
    "CalendarRules",
    "CheckRule",
    "Condition",
    "DeadlineRule",
    "Held",
    "LadderRule",
    "MECHANISMS",
    "Match",
    "OrderRule",
    "Pause",
    "Recorded",
    "Requested",
    "Rule",
    "RulesDocument",
    "Selector",
    "Shown",
    "Step",
    "Term",
    "TermCapRule",
    "Waived",
]


class _Rule(_Model):
    code: str = Field(pattern=r"^[A-Z]{2}-[A-Z0-9-]+$")
    title: str
    message: str
    citations: list[Citation] = Field(default_factory=list)
    certainty: Certainty | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    match: str | StartStop = "case"

    def in_force_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def terms(self) -> list[Term]:
        return []

    def conditions(self) -> list[Condition]:
        return [c for term in self.terms() for c in term.conditions()]

    def parameters(self) -> list[str]:
        keys = [k for term in self.terms() for k in term.parameters()]
        for cond in self.conditions():
            keys.extend(cond.parameters())
        return list(dict.fromkeys(keys))

    def kinds_used(self) -> list[str]:
        return [k for cond in self.conditions() for k in cond.kinds_used()]

    def referenced_rules(self) -> list[str]:
        return [t.from_rule for t in self.terms() if t.from_rule]

    @model_validator(mode="after")
    def _period(self) -> _Rule:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class Shown(_Model):
    """A dated value of the law shown with each finding of a rule (its params): the parameter's
    value on the start's day, or, with `by`, its entry for the start event's field of that name
    (the body competent to investigate a torture complaint, by date and by what it is about)."""

    name: str = Field(pattern=r"^[a-z_]+$")  # the finding's param that holds the value
    parameter: str
    by: str | None = None


class DeadlineRule(_Rule):
    """A clock per start event, stopped by the first stop event at or after it."""

    mechanism: Literal["deadline"]
    start: Selector
    or_start: Fallback | None = None
    when: Condition | None = None  # a start counts only when this holds
    unless_preceded_by: list[str] = Field(default_factory=list)
    base: Base | None = None
    stop: Selector
    or_stop: list[str] = Field(default_factory=list)  # closing kinds when no `stop` came
    cancel: Cancel | None = None
    pauses: list[Pause] = Field(default_factory=list)
    term: Term
    extend: Extend | None = None
    report: Literal["all", "late"] = "all"
    shows: list[Shown] = Field(default_factory=list)

    def terms(self) -> list[Term]:
        return [self.term]

    def parameters(self) -> list[str]:
        return list(dict.fromkeys([*super().parameters(), *(s.parameter for s in self.shows)]))

    def conditions(self) -> list[Condition]:
        extra = [c for c in (self.when, self.base.only_when if self.base else None) if c]
        return super().conditions() + extra

    def kinds_used(self) -> list[str]:
        kinds = super().kinds_used() + self.start.kinds_used() + self.stop.kinds_used()
        kinds += self.or_stop + self.unless_preceded_by
        if self.or_start:
            kinds += self.or_start.kinds + self.or_start.unless
        if self.base:
            kinds += self.base.kinds + self.base.reset
        if self.cancel:
            kinds += self.cancel.kinds
        for pause in self.pauses:
            kinds += pause.start + pause.end
        if self.extend:
            kinds += self.extend.kinds
        return kinds


class BeforeRule(_Rule):
    """The stop event must come before the first `due_kinds` event of the episode."""

    mechanism: Literal["before"]
    start: Selector
    stop: Selector
    due_kinds: list[str] = Field(min_length=1)
    cancel_kinds: list[str] = Field(default_factory=list)

    def kinds_used(self) -> list[str]:
        return (
            super().kinds_used() + self.start.kinds_used() + self.stop.kinds_used() + self.due_kinds + self.cancel_kinds
        )


class CheckRule(_Rule):
    """A violation at an event when the condition holds."""

    mechanism: Literal["check"]
    at: Selector
    roles: list[str] | None = None  # the party's role; a person never added as a party counts
    enabled_by: str | None = None  # a flag parameter
    violation: Condition
    # the act for the person that the law has the body conducting the case do before the
    # checked act while the condition holds (counsel admitted before questioning): a due
    # item to suggest, never a finding (`rules.ahead`)
    ensured_by: Selector | None = None

    def conditions(self) -> list[Condition]:
        return [self.violation]

    def parameters(self) -> list[str]:
        keys = super().parameters()
        return [self.enabled_by, *keys] if self.enabled_by else keys

    def kinds_used(self) -> list[str]:
        ensured = self.ensured_by.kinds_used() if self.ensured_by else []
        return super().kinds_used() + self.at.kinds_used() + ensured


class TermCapRule(_Rule):
    """The terms a series of orders sets (`field` of each) stay within caps counted from
    the series' base: its first order, or the detention before it (`base`)."""

    mechanism: Literal["term_cap"]
    kinds: list[str] = Field(min_length=1)
    first_kinds: list[str] = Field(default_factory=list)
    field: str
    reset_kinds: list[str] = Field(default_factory=list)
    until_kinds: list[str] = Field(default_factory=list)
    base: Base | None = None
    pauses: list[Pause] = Field(default_factory=list)
    first: Term | None = None
    total: Term

    def terms(self) -> list[Term]:
        return [t for t in (self.first, self.total) if t]

    def kinds_used(self) -> list[str]:
        kinds = super().kinds_used() + self.kinds + self.first_kinds + self.reset_kinds + self.until_kinds
        if self.base:
            kinds += self.base.kinds + self.base.reset
        for pause in self.pauses:
            kinds += pause.start + pause.end
        return kinds


class Approval(_Model):
    """Who agreed to an order: a decision of `kinds` naming it (its `event`), whose `field`
    holds a level; a higher level in `order` (lowest first) stands for a lower one. With
    `own`, the order's own `field` is the level of the one who made it (a prosecutor's
    extension) and no decision is looked for."""

    kinds: list[str] = Field(default_factory=list)
    field: str
    order: list[str] = Field(min_length=1)
    own: bool = False

    @model_validator(mode="after")
    def _where(self) -> Approval:
        if not self.own and not self.kinds:
            raise ValueError("give the decisions' kinds, or own: true")
        return self


class Step(_Model):
    """A rung of a ladder: orders reaching at most `up_to` (a parameter, a term counted from
    the series' base; none: every order past the rungs before) need the agreement of each
    level the parameter `needs` lists."""

    up_to: str | None = None
    needs: str | None = None  # none: no agreement beyond the order itself


class LadderRule(_Rule):
    """Each extension (`kinds`) of a series of orders needs the agreements of the rung its
    `field` reaches (the first rung whose term it does not pass; past the last, the last):
    a finding names the missing ones. A series opens with one of `series_kinds`, is counted
    from `base`, ends at a `reset`, and is judged until one of `until_kinds`."""

    mechanism: Literal["ladder"]
    kinds: list[str] = Field(min_length=1)
    series_kinds: list[str] = Field(min_length=1)
    field: str
    reset_kinds: list[str] = Field(default_factory=list)
    until_kinds: list[str] = Field(default_factory=list)
    base: Base | None = None
    pauses: list[Pause] = Field(default_factory=list)
    approval: Approval
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _last_open(self) -> LadderRule:
        if any(step.up_to is None for step in self.steps[:-1]):
            raise ValueError("only the last step may go without up_to")
        return self

    def terms(self) -> list[Term]:
        return [Term(parameter=step.up_to) for step in self.steps if step.up_to]

    def parameters(self) -> list[str]:
        return list(dict.fromkeys([*super().parameters(), *(s.needs for s in self.steps if s.needs)]))

    def kinds_used(self) -> list[str]:
        kinds = super().kinds_used() + self.kinds + self.series_kinds + self.reset_kinds + self.until_kinds
        kinds += self.approval.kinds
        if self.base:
            kinds += self.base.kinds + self.base.reset
        for pause in self.pauses:
            kinds += pause.start + pause.end
        return kinds


class OrderRule(_Rule):
    """Facts in an impossible order: `then` occurred before any `first` (both exist)."""

    mechanism: Literal["order"]
    pairs: list[Pair] = Field(min_length=1)

    def kinds_used(self) -> list[str]:
        return [k for pair in self.pairs for k in pair.first + pair.then]


Rule = Annotated[
    DeadlineRule | BeforeRule | CheckRule | TermCapRule | LadderRule | OrderRule,
    Field(discriminator="mechanism"),
]
MECHANISMS = ("deadline", "before", "check", "term_cap", "ladder", "order")


class CalendarRules(_Model):
    """How terms are counted: rounding per unit, and the move of a last day off."""

    hours: Literal["exact", "end_of_day", "next_hour"] = "exact"
    days: Literal["exact", "end_of_day"] = "exact"
    months: Literal["exact", "end_of_day"] = "exact"
    years: Literal["exact", "end_of_day"] = "exact"
    # a term in days or months whose last day is a non-working day ends on the next
    # working day, except the rules listed in `not_moved`
    last_day_off: Literal["stays", "next_working_day"] = "stays"
    not_moved: list[str] = Field(default_factory=list)
    # rules whose terms count the hour or day they start in (detention, custody: CPC art. 48
    # parts 2, 5): their hours run to the minute, their days include the first
    start_day_counted: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    certainty: Certainty = "-"


class RulesDocument(_Model):
    jurisdiction: str
    calendar: CalendarRules = Field(default_factory=CalendarRules)
    rules: list[Rule] = Field(min_length=1)
