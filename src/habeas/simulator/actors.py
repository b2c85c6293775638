"""Who acts: the law's competence picks the role, the case's region and draws the official.

For each kind of fact the law package lists the roles that may record it, by the case's
stage (`competence.yaml`, `stages.yaml`); the simulator takes the first role listed that the
model staffs, so a custody order is the investigating judge's before trial and the trial
judge's after because the law says so, not because the simulator does. A jurisdiction whose
competence differs is simulated with its own roles, without code.
"""

from __future__ import annotations

from collections.abc import Iterable

from habeas.law.package import Law
from habeas.law.stages import stages_of

# the roles the model staffs, with how many officials of each a region has in the model (the
# official of a case is drawn among them: a name, not a resource: resources are pools)
STAFF = {
    "investigator": 40,
    "prosecutor": 10,
    "court_clerk": 1,
    "investigating_judge": 6,
    "judge": 12,
    "doctor": 1,
    "prison_officer": 1,
}
AGENCY = {
    "investigator": "police-{region}",
    "prosecutor": "prosecutor-{region}",
    "court_clerk": "court-{region}-investigating",
    "investigating_judge": "court-{region}-investigating",
    "judge": "court-{region}-district",
    "doctor": "ivs-{region}",
    "prison_officer": "penitentiary-{region}",
}
PREFIX = {
    "investigator": "inv",
    "prosecutor": "pr",
    "court_clerk": "cl",
    "investigating_judge": "ij",
    "judge": "j",
    "doctor": "doc",
    "prison_officer": "po",
}


class NoOneMayAct(LookupError):
    """The law lets none of the roles the model staffs record this kind at this stage."""


class Actors:
    def __init__(self, law: Law, staffed: Iterable[str] = STAFF):
        self.law = law
        self.staffed = frozenset(staffed)  # the roles the model has officials for
        self.stages = stages_of(law)
        self.stage_kinds = self.stages.kinds  # the kinds that move a case between stages (made once)
        self._roles: dict[tuple[str, str], str] = {}
        self._stage_of: dict[frozenset[str], str] = {}
        self._actors: dict[tuple, dict] = {}

    def role(self, kind: str, seen: set[str]) -> str:
        """The role that records `kind` in a case that has seen these kinds."""
        return self.at_stage(kind, self.stage(seen))

    def stage(self, seen: set[str]) -> str:
        """The stage of a case that has seen these kinds (remembered per set of kinds)."""
        key = frozenset(seen)
        stage = self._stage_of.get(key)
        if stage is None:
            stage = self._stage_of[key] = self.stages.of(seen) if seen & self.stage_kinds else self.stages.initial
        return stage

    def at_stage(self, kind: str, stage: str) -> str:
        """The role that records `kind` at `stage` (remembered: competence is the law's, per run)."""
        key = (kind, stage)
        role = self._roles.get(key)
        if role is None:
            rule = self.law.competence.of(kind)
            allowed = [] if rule is None else rule.by_stage.get(stage, rule.roles) if rule.by_stage else rule.roles
            role = next((r for r in allowed if r in self.staffed), None)
            if role is None:
                raise NoOneMayAct(f"{kind} at the {stage} stage: the law names {allowed or 'no one'}")
            self._roles[key] = role
        return role

    def of(self, role: str, region: str, draw: float) -> dict:
        """The official of this role in the region, drawn by `draw` (a uniform of the case)."""
        n = 1 + int(draw * STAFF[role])
        key = (role, region, n)
        actor = self._actors.get(key)
        if actor is None:
            actor = {"id": f"{PREFIX[role]}-{region}-{n}", "role": role, "agency": AGENCY[role].format(region=region)}
            self._actors[key] = actor
        return actor
