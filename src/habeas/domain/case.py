"""The case file as a fold of its events: parties, stage, and the effective timeline.

Folding is deterministic and pure: the same events in the same order always give
the same state. A `record.corrected` event does not erase the fact it corrects:
the timeline shows the corrected fact (its `corrections` name the correcting
events) and the correction itself stays in the timeline as a fact of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import msgspec

from habeas.domain.events import Event


@dataclass(slots=True)
class Party:
    person: str
    role: str
    name: str | None = None
    birth_date: date | None = None
    citizenship: str | None = None
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"person": self.person, "role": self.role, "name": self.name}
        for key in ("birth_date", "citizenship", "language"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.isoformat() if isinstance(value, date) else value
        return out


@dataclass(slots=True)
class CaseHead:
    """What deciding a case's next fact needs, and no more: its version, and which of the
    kinds that move a case between stages it has seen (the law's stages say which).

    A bulk import keeps one of these per case instead of the whole case file, so its
    memory does not grow with the cases' histories.
    """

    case: str
    version: int = 0
    kinds_seen: frozenset[str] = frozenset()
    marks: Any = None  # what the law's refusals read of the case (`law.plausibility.Marks`)

    def advance(self, event: Event, stage_kinds: frozenset[str] = frozenset()) -> None:
        self.version += 1
        if event.kind in stage_kinds and event.kind not in self.kinds_seen:
            self.kinds_seen = self.kinds_seen | {event.kind}


@dataclass(slots=True)
class CaseState:
    case: str
    version: int = 0
    reported_at: datetime | None = None
    registered_at: datetime | None = None
    erdr_number: str | None = None
    article: str | None = None
    part: int | None = None
    region: str | None = None
    closed_ground: str | None = None
    kinds_seen: set[str] = field(default_factory=set)  # every kind the case has seen (its stage follows)
    form: str | None = None  # of the pre-trial investigation (v2); None: preliminary
    interrupted: bool = False  # the investigation stands interrupted (CPC art. 45 part 7)
    jury: bool = False  # tried by a jury (v2 `trial.started` `jury`)
    # Lists few cases ever fill: empty (a shared tuple) until their first entry, so folding a
    # case makes three containers fewer for the garbage collector to track.
    jury_requested: list[str] | tuple = ()  # who petitioned for one
    reviews: list[dict[str, Any]] | tuple = ()  # appeals and cassations
    international: list[dict[str, Any]] | tuple = ()  # INTERPOL, extradition, MLA
    parties: dict[str, Party] = field(default_factory=dict)
    timeline: list[Event] = field(default_factory=list)

    def event(self, event_id: str) -> Event | None:
        for ev in self.timeline:
            if ev.id == event_id:
                return ev
        return None

    def summary(self) -> dict[str, Any]:
        """The case-list row: what a clerk scans before opening the file."""
        return {
            "case": self.case,
            "erdr_number": self.erdr_number,
            "article": self.article,
            "part": self.part,
            "region": self.region,
            "reported_at": self.reported_at.isoformat() if self.reported_at else None,
            "registered_at": self.registered_at.isoformat() if self.registered_at else None,
            "closed_ground": self.closed_ground,
            "parties": [p.to_dict() for p in self.parties.values()],
            "events": self.version,
            "form": self.form or "preliminary",
            "interrupted": self.interrupted,
            "jury": self.jury,
            "jury_requested": list(self.jury_requested),
            "reviews": list(self.reviews),
            "international": list(self.international),
        }


def fold(state: CaseState | None, event: Event) -> CaseState:
    """Apply one stored event to the case state (mutates and returns `state`)."""
    if state is None:
        state = CaseState(case=event.stream)
    state.version += 1
    if event.kind == "record.corrected":
        _apply_correction(state, event)
        state.timeline.append(event)
        _recompute(state)
        return state
    state.timeline.append(event)
    kind = event.kind  # `_apply`, spelt out: once per event folded
    state.kinds_seen.add(kind)
    apply = _APPLY.get(kind)
    if apply is not None:
        apply(state, event)
    return state


def fold_all(events) -> CaseState | None:
    state = None
    for event in events:
        state = fold(state, event)
    return state


def corrected(original: Event, correction: Event) -> Event:
    """The original fact as the correction says it should read."""
    changes = dict(correction.data["data"])
    occurred_at = original.occurred_at
    if "occurred_at" in changes:
        occurred_at = datetime.fromisoformat(changes.pop("occurred_at"))
    return msgspec.structs.replace(
        original,
        occurred_at=occurred_at,
        data={**original.data, **changes},
        corrections=original.corrections + (correction.id,),
    )


def _apply_correction(state: CaseState, correction: Event) -> None:
    target = correction.data["event"]
    for index, ev in enumerate(state.timeline):
        if ev.id == target:
            state.timeline[index] = corrected(ev, correction)
            return


def _recompute(state: CaseState) -> None:
    """Re-derive the summary from the (corrected) timeline."""
    fresh = CaseState(case=state.case, version=state.version, timeline=state.timeline)
    for ev in state.timeline:
        _apply(fresh, ev)
    for name in CaseState.__slots__:
        setattr(state, name, getattr(fresh, name))


def _apply(state: CaseState, event: Event) -> None:
    kind = event.kind
    state.kinds_seen.add(kind)
    apply = _APPLY.get(kind)
    if apply is not None:
        apply(state, event)


def _report_received(state: CaseState, event: Event) -> None:
    state.reported_at = state.reported_at or event.occurred_at


def _case_registered(state: CaseState, event: Event) -> None:
    data = event.data
    state.registered_at = event.occurred_at
    state.erdr_number = data["erdr_number"]
    state.article = data["article"]
    state.part = data.get("part")
    state.region = data["region"]
    _registered_form(state, event)


def _party_added(state: CaseState, event: Event) -> None:
    data = event.data
    birth = data.get("birth_date")
    state.parties[data["person"]] = Party(
        person=data["person"],
        role=data["role"],
        name=data.get("name"),
        birth_date=date.fromisoformat(birth) if birth else None,
        citizenship=data.get("citizenship"),
        language=data.get("language"),
    )


def _case_closed(state: CaseState, event: Event) -> None:
    state.closed_ground = event.data["ground"]


def _review(state: CaseState, event: Event) -> None:
    court, step = event.kind.split(".")
    entry = {"review": court, "step": step, "at": event.occurred_at.isoformat()}
    for key in ("person", "by", "outcome"):
        if key in event.data:
            entry[key] = event.data[key]
    state.reviews = [*state.reviews, entry]


def _international(state: CaseState, event: Event) -> None:
    entry = {"kind": event.kind, "at": event.occurred_at.isoformat(), **event.data}
    state.international = [*state.international, entry]


def _registered_form(state: CaseState, event: Event) -> None:
    state.form = event.data.get("form")


_OTHER = {
    "investigation.interrupted": lambda s, e: setattr(s, "interrupted", True),
    "investigation.resumed": lambda s, e: setattr(s, "interrupted", False),
    "jury.requested": lambda s, e: setattr(s, "jury_requested", [*s.jury_requested, e.data["person"]]),
    "trial.started": lambda s, e: setattr(s, "jury", bool(e.data.get("jury"))),
    "appeal.filed": _review,
    "appeal.decided": _review,
    "cassation.filed": _review,
    "cassation.decided": _review,
    "interpol.notice": _international,
    "extradition.requested": _international,
    "extradition.decided": _international,
    "legal_assistance.requested": _international,
    "legal_assistance.answered": _international,
    "case.registered": _registered_form,
}

# What each kind changes in the state, found with one look-up (most kinds change nothing
# but the kinds seen).
_APPLY = {
    **_OTHER,
    "report.received": _report_received,
    "case.registered": _case_registered,
    "party.added": _party_added,
    "case.closed": _case_closed,
}
