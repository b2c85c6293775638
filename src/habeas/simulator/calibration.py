"""The calibration a simulated caseload is drawn from (`<jurisdiction>/calibration.yaml`).

Every figure names its source (a key of `sources`: a published figure with its year, or an
assumption of the package), so a reader of a simulated result sees what it rests on. No
legal term is here: the simulator asks every limit of the law engine.
"""

from __future__ import annotations

import math
import random
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from habeas.jurisdictions.zones import midnight
from habeas.law.package import LawDataError, validated

# The simulated caseload's clock: the offset in force on its first day in the jurisdiction's
# own zone (the package's reference data and the time-zone database), and the default first day.
DEFAULT_START = midnight("kz", date(2024, 1, 1))
KZ_TIME = DEFAULT_START.tzinfo

FILE = "calibration.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    source: str
    year: int | None = None


class Figure(_Model):
    """A value (a number, or a number per gravity or region), or a lognormal duration."""

    value: Any = None
    median: float | None = Field(default=None, gt=0)
    spread: float | None = Field(default=None, ge=0)
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Figure:
        if (self.value is None) == (self.median is None):
            raise ValueError("give either value, or median (and spread) of a duration")
        return self

    def of(self, key: str | None = None) -> Any:
        return self.value[key] if isinstance(self.value, dict) and key is not None else self.value

    def draw(self, rng: random.Random) -> float:
        """A duration drawn from the lognormal of this median and spread (hours)."""
        return self.median * math.exp(rng.gauss(0, self.spread or 0))


class Calibration(_Model):
    jurisdiction: str
    sources: dict[str, Source] = Field(min_length=1)
    regions: Figure
    arrivals: dict[str, Figure]
    probabilities: dict[str, Figure]
    failures: dict[str, Figure]
    durations: dict[str, Figure]
    resources: dict[str, Figure]
    stock: dict[str, Figure] = Field(default_factory=dict)  # what is there at the start
    targets: dict[str, Figure] = Field(default_factory=dict)  # published figures a run must come near
    caseload: dict[str, Figure] = Field(default_factory=dict)  # the detailed path of a case (caseload.py)

    @model_validator(mode="after")
    def _sources_known(self) -> Calibration:
        for section in (
            "arrivals",
            "probabilities",
            "failures",
            "durations",
            "resources",
            "stock",
            "targets",
            "caseload",
        ):
            for name, figure in getattr(self, section).items():
                if figure.source not in self.sources:
                    raise ValueError(f"{section}.{name}: unknown source {figure.source!r}")
        return self

    @classmethod
    def parse(cls, raw: Any) -> Calibration:
        return validated(cls, raw, FILE)

    def with_resources(self, changes: dict[str, float]) -> Calibration:
        """The same calibration with some resources changed (a what-if: `investigators: 7000`)."""
        resources = dict(self.resources)
        for name, value in changes.items():
            if name not in resources:
                raise LawDataError("what-if", f"resources.{name}", f"no such resource; one of {', '.join(resources)}")
            resources[name] = resources[name].model_copy(update={"value": value})
        return self.model_copy(update={"resources": resources})
