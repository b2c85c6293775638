"""Which part of a case file a reader is shown, and whose data that part holds.

A section's reader (the ombudsman's detention and complaint data) is shown the section; a
party their own part; the findings that concern what they are shown, each with the status
the whole file gives it. Pure: the services read the events, these choose among them.
"""

from __future__ import annotations

from habeas.access import policy as access_policy
from habeas.access.facts import Principal
from habeas.domain.case import CaseState, fold_all
from habeas.domain.events import Event
from habeas.law.package import Law


def part_shown(
    law: Law, whole: CaseState, events: list[Event], section: str | None, own: str | None
) -> tuple[list[Event], CaseState]:
    """The events a reader is shown, and their fold: the whole file; a section's reader the
    section; a party their own part (of the section, when both)."""
    if section is None and own is None:
        return events, whole
    state = whole
    if section is not None:
        events = section_events(law, events, section)
        state = fold_all(events)
    if own is not None:
        events = own_part(state, events, own)
        state = fold_all(events)
    return events, state


def persons_shown(state: CaseState | None) -> set[str]:
    """Whose data a fold of the events shown holds: its parties, and every person an event
    names (as corrected; a section may show a detention without the party's entry)."""
    if state is None:
        return set()
    named = {ev.data.get("person") for ev in state.timeline if ev.kind != "record.corrected"}
    return set(state.parties) | {p for p in named if isinstance(p, str)}


def section_findings(findings: list[dict], shown: set[str]) -> list[dict]:
    """The findings of the whole file that concern the events `shown` (one of its evidence
    is among them), each with its status unchanged: the evidence not shown is withheld
    (`evidence_withheld` counts it), so a section's reader never sees a duty breached that
    the whole file shows met, nor the facts outside the section that met it."""
    kept = []
    for finding in findings:
        evidence = finding.get("evidence") or []
        visible = [e for e in evidence if e in shown]
        if evidence and not visible:
            continue
        if len(visible) < len(evidence):
            finding = {**finding, "evidence": visible, "evidence_withheld": len(evidence) - len(visible)}
        kept.append(finding)
    return kept


def own_part(state: CaseState, events: list[Event], own: str) -> list[Event]:
    """The events a party of the case sees: those that name no person or name them (as
    corrected), and the corrections of those; another party's detention, questioning or
    medical examination is that party's data (issue 23: a witness saw the suspect's notes)."""
    timeline = {e.id: e for e in state.timeline}
    shown = {
        e.id for e in events if e.kind != "record.corrected" and timeline.get(e.id, e).data.get("person") in (None, own)
    }
    return [e for e in events if e.id in shown or (e.kind == "record.corrected" and e.data.get("event") in shown)]


def section_events(law: Law, events: list[Event], section: str) -> list[Event]:
    """The events of one section of the file, and the corrections of those events."""
    kinds = access_policy.of(law).section_kinds(section)
    shown = {e.id for e in events if e.kind in kinds}
    return [e for e in events if e.id in shown or (e.kind == "record.corrected" and e.data.get("event") in shown)]


def seen_by(reader: Principal, decision: access_policy.Decision, persons: set[str]) -> set[str]:
    """Whose data a row of a case showed `reader`: a party reading their own case (the grant's
    scope `own`) sees their own part of it, so a row names them alone, not the other parties."""
    if decision.scope == "own" and reader.person is not None:
        return {reader.person[1]}
    return persons
