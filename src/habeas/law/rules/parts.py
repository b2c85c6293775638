"""The pieces a rule of `rules.yaml` is made of: which events (selectors), what must hold
(conditions), how long (terms), and the periods, bases and pairs a mechanism reads. The rule
models themselves, one per mechanism, are in `schema`."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from habeas.domain.events import Event

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
        if self.fields:  # most selectors test no field: each test only when it has one
            for name, allowed in self.fields.items():
                if data.get(name) not in allowed:
                    return False
        if self.where:
            for name, allowed in self.where.get(event.kind, {}).items():
                if data.get(name) not in allowed:
                    return False
        if self.contains:
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
