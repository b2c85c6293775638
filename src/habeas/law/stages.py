"""The stages of a case as the jurisdiction defines them (`stages.yaml`).

Pure. A case begins in the initial stage; a stage is entered by the first event of one of
its `entered_by` kinds; of the stages entered, the one listed last is the case's stage. So
the stage follows from the set of kinds a case has seen, whatever their order: what the
register keeps per case to decide competence stays small and order-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from habeas.law.package import Citation, Law, LawDataError, validated

FILE = "stages.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Model):
    description: str = Field(min_length=1)
    entered_by: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(min_length=1)


class Stages(_Model):
    jurisdiction: str
    initial: str
    stages: dict[str, Stage] = Field(min_length=1)

    @model_validator(mode="after")
    def _initial_is_a_stage(self) -> Stages:
        if self.initial not in self.stages:
            raise ValueError(f"initial stage {self.initial!r} is not one of the stages")
        for name, stage in self.stages.items():
            if name != self.initial and not stage.entered_by:
                raise ValueError(f"stage {name!r} is entered by no event kind")
        return self

    @property
    def kinds(self) -> frozenset[str]:
        """The event kinds that move a case between stages."""
        return frozenset(k for stage in self.stages.values() for k in stage.entered_by)

    def of(self, seen: Iterable[str]) -> str:
        """The stage of a case that has seen these event kinds."""
        seen = set(seen)
        current = self.initial
        for name, stage in self.stages.items():
            if seen.intersection(stage.entered_by):
                current = name
        return current


def parse_stages(raw: Any, jurisdiction: str) -> Stages:
    if raw is None:
        raise LawDataError(FILE, "-", "file is missing from the law package")
    return validated(Stages, raw, FILE, jurisdiction)


def stages_of(law: Law) -> Stages:
    cached = law.cache.get("stages")
    if cached is None:
        cached = law.cache["stages"] = parse_stages(law.extra.get(FILE), law.jurisdiction)
    return cached


def stage_of(law: Law, state: Any) -> str:
    """The stage of a case (its `CaseHead` or `CaseState`: both know the kinds they have seen)."""
    stages = stages_of(law)
    return stages.initial if state is None else stages.of(state.kinds_seen)
