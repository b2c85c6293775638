"""The shape of a jurisdiction's `rules.yaml`: one model per mechanism, nothing else accepted.

A rule names the generic mechanism that judges it (`mechanism:` is the discriminator),
and each mechanism's model lists exactly the keys it understands: a key that does not
belong to a rule's mechanism is refused when the package loads. Every rule has a
period of force (`valid_from` / `valid_until`), so a repealed rule ends on a date.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from habeas.domain.events import Event
from habeas.law.package import Certainty, Citation

Values = dict[str, list[Any]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Selector(_Model):
    """Which events: their kinds, and optionally field values they must have."""

    kinds: list[str] = Field(min_length=1)
    fields: Values = Field(default_factory=dict)  # every listed field among the values
    where: dict[str, Values] = Field(default_factory=dict)  # per kind: field values
    contains: Values = Field(default_factory=dict)  # list fields holding all the values

    @model_validator(mode="after")
    def _no_empty_test(self) -> Selector:
        for spec in (self.fields, self.contains, *self.where.values()):
            if any(not values for values in spec.values()):
                raise ValueError("a field test needs at least one value")
        if any(not spec for spec in self.where.values()):
            raise ValueError("a `where` entry needs at least one field")
        return self

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

    def kinds_used(self) -> list[str]:
        return self.kinds + list(self.where)


class StartStop(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    start: str
    stop: str


class FirstThen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    first: str
    then: str


# a field both events share (`person`, `case`, `id`), or one per side
Match = str | StartStop | FirstThen


class Requested(_Model):
    request: list[str] = Field(min_length=1)
    waiver: list[str] = Field(default_factory=list)


class Waived(_Model):
    """A standing waiver: the last of `waiver` for the person at or before the moment, with
    none of `revoke` (a new request) since."""

    waiver: list[str] = Field(min_length=1)
    revoke: list[str] = Field(default_factory=list)


class Held(_Model):
    """The person is held: the last of `kinds` at or before the moment, with no `until` since."""

    kinds: list[str] = Field(min_length=1)
    until: list[str] = Field(min_length=1)


class Recorded(_Model):
    """Some event of `kinds` (for the same person, or anywhere in the case) whose list
    field holds one of the values (`contains_any`), or whose fields hold these values
    (`fields`), at or before the moment."""

    kinds: list[str] = Field(min_length=1)
    contains_any: Values = Field(default_factory=dict)
    fields: Values = Field(default_factory=dict)
    match: Literal["person", "case"] = "person"

    @model_validator(mode="after")
    def _tests_something(self) -> Recorded:
        if not self.contains_any and not self.fields:
            raise ValueError("give contains_any or fields")
        return self


class Condition(_Model):
    """All the keys given must hold (`any` holds when one of its conditions does)."""

    minor: bool | None = None  # needs the parameter `person.age_of_majority`
    gravity: list[str] | None = None
    gravity_in: str | None = None  # parameter keys from here on
    gravity_not_in: str | None = None
    article_in: str | None = None  # entries "ART" or "ART.PART"
    # the offence the event is about is named, and the offence catalogue lacks it on that day
    offence_unknown: bool | None = None
    # the offence's longest imprisonment is more than this parameter's years (a life term is)
    imprisonment_over: str | None = None
    life_imprisonment: bool | None = None  # the offence's sanction allows a life term (or not)
    party_fields: Values | None = None  # the person's party.added data holds these values
    not_waived: Waived | None = None  # holds only while no waiver of the person stands
    language_not_in: str | None = None
    citizenship_not_in: str | None = None  # an absent citizenship is the jurisdiction's own
    requested: Requested | None = None
    held: Held | None = None
    recorded: Recorded | None = None
    approved: list[str] | None = None  # a decision of these kinds names the event
    fields: Values | None = None
    not_fields: Values | None = None
    contains_any: Values | None = None  # a list field of the event holds one of the values
    any: list[Condition] | None = None

    AGE_OF_MAJORITY: ClassVar[str] = "person.age_of_majority"

    @model_validator(mode="after")
    def _tests_something(self) -> Condition:
        if not self.model_fields_set - {"any"} and not self.any:
            raise ValueError("a condition needs at least one test")
        return self

    def parameters(self) -> list[str]:
        keys = [
            k
            for k in (
                self.gravity_in,
                self.gravity_not_in,
                self.article_in,
                self.imprisonment_over,
                self.language_not_in,
                self.citizenship_not_in,
            )
            if k
        ]
        if self.minor is not None:
            keys.append(self.AGE_OF_MAJORITY)
        for sub in self.any or []:
            keys.extend(sub.parameters())
        return keys

    def kinds_used(self) -> list[str]:
        kinds: list[str] = []
        if self.requested:
            kinds += self.requested.request + self.requested.waiver
        if self.not_waived:
            kinds += self.not_waived.waiver + self.not_waived.revoke
        if self.held:
            kinds += self.held.kinds + self.held.until
        if self.recorded:
            kinds += self.recorded.kinds
        kinds += self.approved or []
        for sub in self.any or []:
            kinds += sub.kinds_used()
        return kinds


class Choice(_Model):
    when: Condition | None = None
    parameter: str | None = None  # None: no term applies (the rule gives no finding)


class Term(_Model):
    """A term: one parameter, the first matching choice, a time field of the start event,
    or another rule's term for the same start shortened by a parameter (`from_rule`)."""

    parameter: str | None = None
    choose: list[Choice] | None = None
    field: str | None = None
    from_rule: str | None = None
    minus: str | None = None  # with from_rule: a parameter in hours taken off its due time

    @model_validator(mode="after")
    def _one(self) -> Term:
        given = [x for x in (self.parameter, self.choose, self.field, self.from_rule) if x]
        if len(given) != 1:
            raise ValueError("give exactly one of parameter, choose, field, from_rule")
        if self.minus and not self.from_rule:
            raise ValueError("minus goes with from_rule")
        return self

    def parameters(self) -> list[str]:
        keys = [k for k in (self.parameter, self.minus) if k]
        for choice in self.choose or []:
            if choice.parameter:
                keys.append(choice.parameter)
            if choice.when:
                keys.extend(choice.when.parameters())
        return keys

    def conditions(self) -> list[Condition]:
        return [c.when for c in self.choose or [] if c.when]


class Extend(_Model):
    kinds: list[str] = Field(min_length=1)
    field: str


class Fallback(_Model):
    """Events of `kinds` that count only where no event of `unless` (same match) follows."""

    kinds: list[str] = Field(min_length=1)
    unless: list[str] = Field(min_length=1)


class Base(_Model):
    """Count the term from another event than the start, where there is one: the latest
    of `kinds` at or before the start (`look: before`, voided by a `reset` in between), or
    the first at or after it (`look: after`); only when `only_when` holds for the start."""

    kinds: list[str] = Field(min_length=1)
    look: Literal["before", "after"] = "before"
    reset: list[str] = Field(default_factory=list)
    only_when: Condition | None = None


class Pause(_Model):
    """Periods not counted in a term: from an event of `start` to the next of `end`."""

    start: list[str] = Field(min_length=1)
    end: list[str] = Field(min_length=1)
    match: Literal["person", "case"] = "case"


class Cancel(_Model):
    """An event that ends the duty before it was met: no finding. With `by_due`, only
    when it came by the due time (a breach that had already happened stands)."""

    kinds: list[str] = Field(min_length=1)
    by_due: bool = False


class Pair(_Model):
    """Two kinds of facts that contradict each other, and why (issue 20). `contradiction`:
    `before` — a `then` occurred before every related `first` (both recorded); `missing` — a
    `then` has no related `first` at all; `after` — a `then` occurred at or after a related
    `first` (one other than itself), whose data holds `where`, and, with `differs`, whose field
    of that name differs from the `then`'s, with `shorter`, whose time in that field is later
    than the `then`'s."""

    first: list[str] = Field(min_length=1)
    then: list[str] = Field(min_length=1)
    match: str | FirstThen = "case"
    contradiction: Literal["before", "missing", "after"] = "before"
    where: dict[str, list[Any]] = Field(default_factory=dict)
    differs: str | None = None
    shorter: str | None = None
    reason: str = Field(min_length=1)


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

    def terms(self) -> list[Term]:
        return [self.term]

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
