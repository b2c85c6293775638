"""A sweep: one law parameter (or resource) at several values, each beside the baseline.

`detention.limit.adult=24,48,72` runs the baseline and three what-ifs, each the law with
that parameter at that value from the period's first day (`resources.investigators=5000,7000`
changes a resource instead), over the same seeded replications as a comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from habeas.law.package import Law, LawDataError, Overlay
from habeas.simulator.calibration import Calibration
from habeas.simulator.compare import Summary, WhatIf, run_variants, variants_of
from habeas.simulator.runners import SERIAL, Runner

RESOURCE = "resources."


@dataclass(frozen=True)
class Axis:
    """What a sweep changes, and the values it takes."""

    name: str
    values: tuple[Any, ...]

    @classmethod
    def parse(cls, text: str) -> Axis:
        """`NAME=V1,V2,…`; each value read as YAML reads it (24 a number, true a flag, 2024-01-01 a date)."""
        name, sep, listed = text.partition("=")
        name = name.strip()
        values = tuple(yaml.safe_load(v) for v in listed.split(",") if v.strip())
        if not sep or not name or not values:
            raise LawDataError("--sweep", text, "give NAME=VALUE,VALUE,… (a law parameter or resources.NAME)")
        return cls(name, values)

    def what_if(self, value: Any, start: datetime) -> WhatIf:
        label = f"{self.name}={value}"
        if self.name.startswith(RESOURCE):
            return WhatIf(name=label, resources={self.name.removeprefix(RESOURCE): value})
        change = {"value": value, "valid_from": start.date()}
        return WhatIf(name=label, overlay=Overlay.parse({"name": label, "parameters": {self.name: [change]}}))


@dataclass
class Sweep:
    axis: Axis
    replications: int
    baseline: dict[str, Summary] = field(default_factory=dict)
    points: list[dict[str, Summary]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        keys = sorted(set(self.baseline).union(*self.points))

        def summary(found: dict[str, Summary], key: str) -> dict | None:
            return found[key].__dict__ if key in found else None

        return {
            "sweep": self.axis.name,
            "values": [
                value if isinstance(value, (int, float, str, bool)) else str(value) for value in self.axis.values
            ],
            "replications": self.replications,
            "measures": [
                {
                    "measure": key,
                    "baseline": summary(self.baseline, key),
                    "values": [summary(point, key) for point in self.points],
                }
                for key in keys
            ],
        }


def what_ifs(axis: Axis, law: Law, calibration: Calibration, start: datetime) -> list[WhatIf]:
    """The sweep's what-ifs, each checked now (an unknown parameter or resource is refused)."""
    found = [axis.what_if(value, start) for value in axis.values]
    for what_if in found:
        what_if.apply(law, calibration)
    return found


def sweep(
    law: Law,
    calibration: Calibration,
    axis: Axis,
    *,
    cases: int,
    years: float = 1.0,
    seed: int,
    replications: int,
    start: datetime,
    fast: bool = False,
    runner: Runner = SERIAL,
    progress: Callable[[int], None] | None = None,
) -> Sweep:
    variants = variants_of(law, calibration, what_ifs(axis, law, calibration, start))
    summaries = run_variants(
        variants,
        fast=fast,
        cases=cases,
        years=years,
        seed=seed,
        replications=replications,
        start=start,
        runner=runner,
        progress=progress,
    )
    return Sweep(axis, replications, baseline=summaries[0], points=summaries[1:])


CHARTED = ("detention-days", "registration wait, h per case", "backlog at the end")


def chart(found: Sweep, path: str) -> None:
    """One panel per measure that moves: its mean (95 % interval) at each value, the baseline dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [
        k
        for k in sorted(set(found.baseline).union(*found.points))
        if k.startswith("breaches") or k in CHARTED or k == "detentions"
    ] or sorted(found.baseline)[:4]
    columns = min(3, len(keys))
    rows = -(-len(keys) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3 * rows), squeeze=False)
    xs = range(len(found.axis.values))
    for ax, key in zip(axes.flat, keys, strict=False):
        means = [point[key].mean if key in point else 0.0 for point in found.points]
        errors = [
            [m - point[key].low if key in point else 0.0 for point, m in zip(found.points, means, strict=True)],
            [point[key].high - m if key in point else 0.0 for point, m in zip(found.points, means, strict=True)],
        ]
        ax.errorbar(xs, means, yerr=errors, marker="o", capsize=3)
        if key in found.baseline:
            ax.axhline(found.baseline[key].mean, linestyle="--", color="grey", label="baseline")
        ax.set_xticks(list(xs), [str(v) for v in found.axis.values])
        ax.set_title(key, fontsize=9)
    for ax in list(axes.flat)[len(keys) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"Simulated sweep of {found.axis.name} ({found.replications} replications, 95 % intervals)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


__all__ = ["Axis", "Sweep", "chart", "sweep", "what_ifs"]
