"""Who asks and what about: the principal, and the facts of a case a decision needs.

`case_facts` reads them from the case's events (pure): who is assigned (`case.assigned`
/ `case.unassigned`, in log order), the agencies that brought the case and the
officials assigned, its region, the court it is before, the lawyers a `counsel.admitted`
names, the kinds it holds. Facts as corrected: a `record.corrected` that changes a
lawyer, a court or an assignment changes who may act (issue 23: the old lawyer kept
reading). A region is read through `region_of` (the jurisdiction's spellings to one
code), so `Astana` or its KATO code is the region `astana`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from habeas.domain.case import corrected
from habeas.domain.events import Actor, Event

PUBLIC = "public"  # the anonymous public: a role of the policy, never of an event


@dataclass(frozen=True, slots=True)
class Principal:
    """Who acts: an official with a role, an agency and a region (and a title, for the head
    of a unit or the chair of a court), a person about their own case (`person` = (case,
    party id)), the local operator, or the anonymous public."""

    id: str
    role: str
    agency: str | None = None
    region: str | None = None
    person: tuple[str, str] | None = None
    title: str | None = None  # an office within the role (head of a unit, chair of a court): policy.yaml's titles

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.role if self.role != PUBLIC else "person", self.agency)


@dataclass(frozen=True, slots=True)
class CaseFacts:
    case: str
    region: str | None = None
    courts: frozenset[str] = frozenset()
    agencies: frozenset[str] = frozenset()  # the bodies that brought it, and the assigned officials'
    assigned: frozenset[str] = frozenset()  # ids of the officials assigned now
    lawyers: frozenset[str] = frozenset()  # ids a counsel.admitted names
    parties: frozenset[str] = frozenset()
    kinds: frozenset[str] = field(default=frozenset(), repr=False)


OPENING_KINDS = ("report.received", "case.registered")
COURT_KINDS = ("case.sent_to_court", "trial.started")


def as_corrected(events: Iterable[Event]) -> list[Event]:
    """The case's facts as their corrections say they read (the corrections themselves dropped)."""
    timeline = list(events)
    at = {e.id: n for n, e in enumerate(timeline)}
    for event in timeline:
        if event.kind == "record.corrected" and event.data.get("event") in at:
            n = at[event.data["event"]]
            timeline[n] = corrected(timeline[n], event)
    return [e for e in timeline if e.kind != "record.corrected"]


def case_facts(case: str, events: Iterable[Event], region_of: Callable[[str], str] = str) -> CaseFacts:
    region = None
    courts: set[str] = set()
    agencies: set[str] = set()
    assigned: dict[str, str | None] = {}
    lawyers: set[str] = set()
    parties: set[str] = set()
    kinds: set[str] = set()
    for event in as_corrected(events):
        kind, data = event.kind, event.data
        kinds.add(kind)
        if kind in OPENING_KINDS and event.actor.agency:
            agencies.add(event.actor.agency)
        if kind == "case.registered":
            region = region_of(data["region"]) if data.get("region") else region
        elif kind in COURT_KINDS:
            courts.add(data["court"])
        elif kind == "counsel.admitted" and data.get("lawyer"):
            lawyers.add(data["lawyer"])
        elif kind == "party.added":
            parties.add(data["person"])
        elif kind == "case.assigned":
            assigned[data["official"]] = data.get("agency")
        elif kind == "case.unassigned":
            assigned.pop(data["official"], None)
    agencies.update(a for a in assigned.values() if a)
    return CaseFacts(
        case,
        region,
        frozenset(courts),
        frozenset(agencies),
        frozenset(assigned),
        frozenset(lawyers),
        frozenset(parties),
        frozenset(kinds),
    )
