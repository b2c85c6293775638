"""Facts that cannot be true: what the register refuses before it stores a fact (issue 20).

The register records what happened and lets the law judge it (design §1.3); but some facts
cannot have happened at all as written — an act on someone who is no party of the case, a
second death, a detention of the dead, a custody "until" before the order, a birth after the
person was added to the case. Which contradictions are refused, each with its reason, is the
jurisdiction's data (`plausibility.yaml`); the contradictions a register must be able to
record (the truth of a botched case) are flagged by the rules instead (`rules.yaml`, the
`order` mechanism: `KZ-INCONSISTENT-TIMELINE`). A package without the file refuses none.

Deciding needs only what `Marks` keeps per case: the parties added, and when each kind the
checks name first happened to each person — kept by a bulk import beside the case's head,
so a check costs a dictionary look-up, never a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from habeas.domain.events import Event, Problem
from habeas.domain.vocabulary import KINDS
from habeas.law.package import Law, LawDataError, validated

FILE = "plausibility.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parties(_Model):
    """Acts about a person: the person they name must be a party of the case."""

    kinds: list[str] = Field(min_length=1)
    reason: str


class Check(_Model):
    """One contradiction the register refuses.

    - `once`: a person is the subject of one fact of these kinds, never two;
    - `after`: no fact of `kinds` about a person at or after a fact of `after` about them;
    - `field_after`: the time in `field` comes after the fact's own time;
    - `field_before`: the date or time in `field` is not after the fact's own day.
    """

    check: Literal["once", "after", "field_after", "field_before"]
    kinds: list[str] = Field(min_length=1)
    reason: str
    after: list[str] = []
    field: str = ""


class Document(_Model):
    jurisdiction: str
    parties: Parties
    refused: list[Check]


@dataclass(frozen=True)
class Plausibility:
    document: Document | None
    party_kinds: frozenset[str] = frozenset()
    marked: frozenset[str] = frozenset()  # the kinds whose first time per person `Marks` keeps
    by_kind: dict = field(default_factory=dict)  # kind -> the checks of that kind (one look-up a fact)

    def problems(self, event: Event, marks: Marks | None) -> list[Problem]:
        """Why `event` cannot be true on the case `marks` describes ([] when it can be)."""
        document = self.document
        if document is None:
            return []
        kind = event.kind
        checks = self.by_kind.get(kind, ())
        if not checks and kind not in self.party_kinds:
            return []
        data = event.data or {}
        person = data.get("person")
        problems: list[Problem] = []
        if kind in self.party_kinds and person is not None and (marks is None or person not in marks.parties):
            problems.append(
                Problem(
                    "data.person",
                    f"{person!r} is no party of case {event.case}: record party.added first"
                    f" ({document.parties.reason})",
                )
            )
        for check in checks:
            if check.check == "once" and person is not None and marks is not None:
                if any((kind, person) in marks.first for kind in check.kinds):
                    problems.append(Problem("kind", f"{event.kind} of {person!r} is recorded already ({check.reason})"))
            elif check.check == "after" and person is not None and marks is not None:
                for kind in check.after:
                    since = marks.first.get((kind, person))
                    if since is not None and since <= event.occurred_at:
                        problems.append(
                            Problem("occurred_at", f"{event.kind} of {person!r} after {kind} ({check.reason})")
                        )
                        break
            elif check.check in ("field_after", "field_before"):
                problem = _field_problem(check, event)
                if problem is not None:
                    problems.append(problem)
        return problems


def _field_problem(check: Check, event: Event) -> Problem | None:
    value = (event.data or {}).get(check.field)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if check.check == "field_after":
        if moment.tzinfo is not None and moment <= event.occurred_at:
            return Problem(f"data.{check.field}", f"{value} is not after the fact itself ({check.reason})")
        return None
    day = moment.date() if isinstance(moment, datetime) else moment
    if isinstance(day, date) and day > event.occurred_at.date():
        return Problem(f"data.{check.field}", f"{value} is after the fact itself ({check.reason})")
    return None


@dataclass(slots=True)
class Marks:
    """What deciding whether a case's next fact can be true needs: its parties, and when the
    kinds the checks name first happened to each person (the effective time, as recorded)."""

    parties: set[str] = field(default_factory=set)
    first: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def add(self, event: Event, marked: frozenset[str]) -> None:
        kind = event.kind
        if kind == "party.added":
            self.parties.add(event.data["person"])
        elif kind in marked:
            person = (event.data or {}).get("person")
            if person is not None:
                key = (kind, person)
                known = self.first.get(key)
                if known is None or event.occurred_at < known:
                    self.first[key] = event.occurred_at

    @classmethod
    def of(cls, events, marked: frozenset[str]) -> Marks:
        marks = cls()
        for event in events:
            if event.kind != "record.corrected":
                marks.add(event, marked)
        return marks


def of(law: Law) -> Plausibility:
    """The package's refusals (parsed and validated once per Law); none without the file."""
    cached = law.cache.get("plausibility")
    if cached is None:
        raw = law.extra.get(FILE)
        if raw is None:
            cached = Plausibility(None)
        else:
            document = validated(Document, raw, FILE, law.jurisdiction)
            named = [*document.parties.kinds]
            for n, check in enumerate(document.refused):
                named += check.kinds + check.after
                if check.check == "after" and not check.after:
                    raise LawDataError(FILE, f"refused.{n}.after", "an `after` check names the facts it follows")
                if check.check.startswith("field_") and not check.field:
                    raise LawDataError(FILE, f"refused.{n}.field", "a field check names its field")
            for kind in named:
                if kind not in KINDS:
                    raise LawDataError(FILE, "kinds", f"unknown event kind {kind!r}")
            marked = frozenset(k for c in document.refused for k in (c.kinds if c.check == "once" else c.after))
            by_kind: dict[str, tuple[Check, ...]] = {}
            for check in document.refused:
                for kind in check.kinds:
                    by_kind[kind] = (*by_kind.get(kind, ()), check)
            cached = Plausibility(document, frozenset(document.parties.kinds), marked, by_kind)
        law.cache["plausibility"] = cached
    return cached
