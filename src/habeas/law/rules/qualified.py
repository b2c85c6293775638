"""The offence a question is judged by: which event named it, and what the catalogue says of it.

A case's offence is named by `case.registered` and changed by a later `suspicion.qualified`
from its date (`Facts.qualification`). The catalogue's row is the one in force on the day the
offence was named (its local date). An article or part the catalogue does not hold on that day
is **unknown**: no gravity is given for it, and whatever depends on gravity says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from habeas.domain.case import CaseState
from habeas.domain.events import Event
from habeas.law.offences import Offence, offence
from habeas.law.package import Law
from habeas.law.rules.facts import Facts

NOT_NAMED = "not_named"  # no event names an article yet
NOT_IN_CATALOGUE = "not_in_catalogue"  # the article or part is not in the catalogue on the day


@dataclass(frozen=True)
class Qualified:
    event: Event | None  # the case.registered or suspicion.qualified that names it
    row: Offence | None  # the catalogue's row; None: unknown

    @property
    def article(self) -> str | None:
        return (self.event.data or {}).get("article") if self.event else None

    @property
    def part(self) -> Any:
        return (self.event.data or {}).get("part") if self.event else None

    @property
    def day(self) -> date | None:
        return self.event.occurred_at.date() if self.event else None

    @property
    def gravity(self) -> str | None:
        return self.row.gravity if self.row else None

    def unknown(self) -> dict[str, Any] | None:
        """Why the gravity is unknown (None when it is known): the article was not named, or
        the catalogue does not hold it on the day it was named."""
        if self.row is not None:
            return None
        if self.event is None:
            return {"reason": NOT_NAMED}
        return {
            "reason": NOT_IN_CATALOGUE,
            "article": self.article,
            "part": self.part,
            "day": self.day.isoformat() if self.day else None,
            "event": self.event.id,
        }


def qualified(law: Law, facts: Facts, person: str | None, moment: datetime | None) -> Qualified:
    """The offence `person` (None: the case) is suspected under at `moment`, with its row."""
    event = facts.qualification(person, moment)
    if event is None:
        return _NOT_NAMED
    named = facts.named  # the catalogue's row read once per naming event of the case
    found = named.get(id(event))
    if found is None:
        data = event.data or {}
        row = offence(law, data.get("article"), data.get("part"), event.occurred_at.date())
        found = named[id(event)] = Qualified(event, row)
    return found


_NOT_NAMED = Qualified(None, None)


def case_offence(law: Law, state: CaseState | None, at: datetime | None) -> dict[str, Any] | None:
    """`summary.offence` of a case file as of `at`: the offence the case is judged by —
    `{article, part, title, gravity, max_penalty, certainty, source, …}` and which event named
    it — or, for an article the catalogue does not hold that day, the same keys empty with
    `known: false` and the reason. None while no event names an article."""
    if state is None:
        return None
    facts = Facts.of(state, at)
    found = qualified(law, facts, None, at)
    if found.event is None:
        return None
    named = {
        "event": found.event.id,
        "kind": found.event.kind,
        "at": found.event.occurred_at.isoformat(),
        "person": (found.event.data or {}).get("person"),
    }
    if found.row is None:
        return {
            "article": found.article,
            "part": found.part,
            "title": None,
            "titles": {},
            "gravity": None,
            "max_penalty": None,
            "certainty": None,
            "source": None,
            "known": False,
            "unknown": found.unknown(),
            "named_by": named,
        }
    return {**found.row.to_dict(), "part": found.row.part, "known": True, "named_by": named}
