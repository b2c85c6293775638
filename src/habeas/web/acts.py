"""What a role may record, and what it should record next: from the law package alone.

Which kinds a role may record at a case's stage is the package's competence
(`law.competence.kinds_for`); the next likely acts on a case are the acts that would meet
its open findings (each rule's `stop` kinds, `law.rules.describe`) that the role may record,
each with the law's deadline: after a detention, the protocol, the rights, the relatives'
and the prosecutor's notices, the medical examination, the release or the court's order;
and the acts the law has done before an act it checks (`law.rules.ahead`): counsel
admitted for a suspect who asked for counsel or whose defence is mandatory, before any
questioning.
"""

from __future__ import annotations

from datetime import datetime

from habeas.access import policy as access_policy
from habeas.domain.case import fold_all
from habeas.domain.events import Actor, Event
from habeas.domain.vocabulary import DATA_MODELS
from habeas.law.competence import kinds_for
from habeas.law.rules import UnknownRule, describe
from habeas.law.rules.ahead import due_acts

OPEN = ("open", "breached")
# A death ends a detention's term, but is no act anyone is asked to do next.
NEVER_SUGGESTED = frozenset({"death.recorded"})  # a finding an act can still meet (late is still better than never)


def recordable(law, role: str, stage: str | None, who=None) -> list[str]:
    """The kinds `role` may record at `stage` (any: None), in the vocabulary's order; for a
    signed-in official `who`, without the acts that need a right their title does not give
    (a judge who is not the court's chair assigns no case)."""
    kinds = kinds_for(law, role, stage, DATA_MODELS)
    if who is None:
        return kinds
    policy = access_policy.of(law)
    return [kind for kind in kinds if policy.may_record(who, kind)]


def next_acts(law, role: str, file: dict) -> list[dict]:
    """The acts that meet the case file's open findings and that `role` may record now,
    the most urgent first: {kind, person, code, due_at, status}, one per (kind, person)."""
    stage = (file.get("summary") or {}).get("stage")
    allowed = set(recordable(law, role, stage))
    found: dict[tuple[str, str | None], dict] = {}
    for finding in file.get("findings", []):
        if finding.get("status") not in OPEN or finding.get("met_at"):
            continue
        for kind in meeting(law, finding["code"]):
            if kind not in allowed or kind in NEVER_SUGGESTED:
                continue
            key = (kind, finding.get("person"))
            act = {
                "kind": kind,
                "person": finding.get("person"),
                "code": finding["code"],
                "due_at": finding.get("due_at"),
                "due_before": finding.get("due_before"),
                "status": finding["status"],
            }
            if key not in found or _sooner(act, found[key]):
                found[key] = act
    for due in _due(law, file):
        for kind in due["kinds"]:
            if kind in allowed and (kind, due["person"]) not in found:
                found[(kind, due["person"])] = {
                    "kind": kind,
                    "person": due["person"],
                    "code": due["code"],
                    "due_at": None,
                    "due_before": None,
                    "before": due["before"],
                    "status": "due",
                }
    return sorted(found.values(), key=lambda a: (a["due_at"] is None, a["due_at"] or "", a["kind"]))


def _due(law, file: dict) -> list[dict]:
    """The law's due items on the file's facts as of its moment (`law.rules.ahead`)."""
    if not file.get("events") or not file.get("at"):
        return []
    state = fold_all(_event(e) for e in file["events"])
    return due_acts(state, law, datetime.fromisoformat(file["at"]))


def _event(view: dict) -> Event:
    """An event of the file (as stored: corrections are events the fold applies)."""
    return Event(
        id=view.get("id") or "-",
        kind=view["kind"],
        case=view.get("case"),
        occurred_at=datetime.fromisoformat(view["occurred_at"]),
        actor=Actor.from_dict(view["actor"]),
        data=view.get("data") or {},
    )


def meeting(law, code: str) -> list[str]:
    try:
        rule = describe(law, code)
    except (UnknownRule, LookupError):
        return []
    kinds: list[str] = []
    for part in ("stop", "or_stop"):
        kinds += (rule.get(part) or {}).get("kinds", [])
    return kinds


def _sooner(a: dict, b: dict) -> bool:
    return bool(a["due_at"]) and (not b["due_at"] or a["due_at"] < b["due_at"])
