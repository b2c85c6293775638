"""Whose agreement an extension needs: the prosecutors' levels the law's ladder asks for.

The law says which prosecutor must agree (custody, CPC art. 151) or make (the investigation's
term, CPC art. 192) each extension, by the step of its ladder the extension reaches; the steps
and levels are the package's data. The simulator never copies them: it judges the extension as
if no agreement were recorded and takes the levels the law then finds missing.
"""

from __future__ import annotations

from habeas.domain.case import CaseState
from habeas.law.package import Law
from habeas.law.rules import evaluate

# where a prosecutor of a level above the case's own sits (names only: who must agree is the law's)
OFFICES = {"regional": "prosecutor-{region}-regional", "general": "prosecutor-general"}


def levels_needed(law: Law, code: str, state: CaseState, extension: str) -> list[str]:
    """The levels rule `code` needs for the extension with id `extension`, the highest first
    (none: the extension needs no agreement, or the rule is not in force)."""
    for finding in evaluate(state, law):
        if finding.code == code and extension in finding.evidence:
            return list(finding.params.get("missing") or [])
    return []


def prosecutor(level: str, region: str) -> dict:
    """A prosecutor of `level` above the case's own, as an actor of the import format."""
    agency = OFFICES.get(level, "prosecutor-{region}-" + level).format(region=region)
    return {"id": f"pr-{agency.removeprefix('prosecutor-')}", "role": "prosecutor", "agency": agency}
