"""A baseline and a what-if, side by side, over replications.

A what-if is a law overlay (dated parameter changes and rule switches, `Law.with_overlay`)
plus resource changes (`investigators: 7000`). Each replication simulates the same seeded
caseload under both, and the law judges every case of both as of the end of the period;
the report gives each measure's mean with a 95 % interval over the replications.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean, stdev
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.law.package import Law, Overlay, validated
from habeas.law.rules import judge
from habeas.simulator.calibration import Calibration
from habeas.simulator.engine import Simulation
from habeas.simulator.runners import SERIAL, Runner

Z95 = 1.96


class WhatIf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "what-if"
    description: str | None = None
    overlay: Overlay | None = None
    resources: dict[str, float] = Field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any, file: str = "what-if") -> WhatIf:
        return validated(cls, raw, file)

    def apply(self, law: Law, calibration: Calibration) -> tuple[Law, Calibration]:
        if self.overlay is not None:
            law = law.with_overlay(self.overlay.model_copy(update={"name": self.overlay.name or self.name}))
        return law, calibration.with_resources(self.resources)


def measures(law: Law, events: Iterable[dict], sim: Simulation) -> dict[str, float]:
    """What one run shows: breaches by code as of the period's end, and the run's totals."""
    by_case: dict[str, list] = {}
    for raw in events:
        if raw["case"] not in sim.stock_cases:  # the period's cases: the stock is where it starts
            by_case.setdefault(raw["case"], []).append(parse_event(raw))
    at = sim.end
    breaches: Counter[str] = Counter()
    for case_events in by_case.values():
        for finding in judge(fold_all(case_events), law, at):
            if finding.status_at(at) == "breached":
                breaches[finding.code] += 1
    t = sim.totals
    out = {
        "cases": float(t.cases),
        "detentions": float(t.detentions),
        "detention-days": t.detention_hours / 24,
        "custody petitions granted": float(t.granted),
        "registration wait, h per case": t.registration_wait_hours / max(t.cases, 1),
        "sent to court": float(t.sent_to_court),
        "prisoners admitted": float(t.prisoners),
        "prison population at the end": float(t.prison_at_end),
        "prison population the admissions sustain": t.served_years / max(sim.years, 1e-9),
        "prison regions over capacity at the end": float(
            sum(n > t.prison_places.get(r, n) for r, n in t.prison_by_region.items())
        ),
        "custody population (average)": t.custody_days / max((sim.end - sim.start).days, 1),
        "backlog at the end": float(t.open_at_end),
    }
    out.update({f"breaches {code}": float(n) for code, n in sorted(breaches.items())})
    return out


@dataclass
class Summary:
    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Summary:
        mean = fmean(values)
        half = Z95 * stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
        return cls(mean, mean - half, mean + half)


@dataclass
class Comparison:
    name: str
    replications: int
    baseline: dict[str, Summary] = field(default_factory=dict)
    what_if: dict[str, Summary] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for key in sorted(set(self.baseline) | set(self.what_if)):
            base, other = self.baseline.get(key), self.what_if.get(key)
            rows.append(
                {
                    "measure": key,
                    "baseline": base.__dict__ if base else None,
                    "what_if": other.__dict__ if other else None,
                }
            )
        return {"what_if": self.name, "replications": self.replications, "measures": rows}


def run_once(
    variant: tuple[Law, Calibration], cases: int, years: float, seed: int, start: datetime
) -> dict[str, float]:
    """One replication of one variant on the event-driven engine: what it shows."""
    law, calibration = variant
    sim = Simulation(law, calibration, cases=cases, years=years, seed=seed, start=start)
    return measures(law, list(sim), sim)


def run_fast(
    variant: tuple[Law, Calibration], cases: int, replications: int, seed: int, start: datetime
) -> dict[str, list[float]]:
    """All replications of one variant on the vectorised path (one generator: not split)."""
    from habeas.simulator.fast import replicate

    law, calibration = variant
    counts = replicate(law, calibration, cases=cases, replications=replications, seed=seed, at=start)
    return {k: [float(v) for v in values] for k, values in counts.items()}


def _summaries(found: list[dict[str, float]]) -> dict[str, Summary]:
    keys = {k for run in found for k in run}
    return {k: Summary.of([run.get(k, 0.0) for run in found]) for k in keys}


def variants_of(law: Law, calibration: Calibration, what_ifs: list[WhatIf]) -> list[tuple[Law, Calibration]]:
    return [(law, calibration)] + [what_if.apply(law, calibration) for what_if in what_ifs]


def run_variants(
    variants: list[tuple[Law, Calibration]],
    *,
    fast: bool,
    cases: int,
    years: float,
    seed: int,
    replications: int,
    start: datetime,
    runner: Runner,
    progress: Callable[[int], None] | None,
) -> list[dict[str, Summary]]:
    """Each variant's measures over the replications, in the variants' order.

    The engine runs one task per replication and variant (replication n on seed + n, the
    same seed for every variant); the vectorised path one task per variant. The runner may
    run them anywhere, in any order: the results are put back in this order, so a summary
    is computed from the same numbers in the same order as a serial run's."""
    if fast:
        tasks = [(i, cases, replications, seed, start) for i in range(len(variants))]
        found = runner.map(run_fast, variants, tasks, progress)
        return [{k: Summary.of(values) for k, values in counts.items()} for counts in found]
    tasks = [(i, cases, years, seed + n, start) for n in range(replications) for i in range(len(variants))]
    found = runner.map(run_once, variants, tasks, progress)
    return [_summaries(found[i :: len(variants)]) for i in range(len(variants))]


def compare(
    law: Law,
    calibration: Calibration,
    what_if: WhatIf | None,
    *,
    cases: int,
    years: float = 1.0,
    seed: int,
    replications: int,
    start: datetime,
    fast: bool = False,
    runner: Runner = SERIAL,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Each replication: the same seed under the baseline and under the what-if.

    `progress(n)` is told of n more finished runs (`runs(...)` of them in all)."""
    variants = variants_of(law, calibration, [what_if] if what_if else [])
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
    result = Comparison(what_if.name if what_if else "none", replications, baseline=summaries[0])
    if what_if is not None:
        result.what_if = summaries[1]
    return result


def compare_fast(
    law: Law,
    calibration: Calibration,
    what_if: WhatIf | None,
    *,
    cases: int,
    seed: int,
    replications: int,
    start: datetime,
) -> Comparison:
    """The same comparison on the vectorised path (no queues): for sweeps over many replications."""
    return compare(law, calibration, what_if, cases=cases, seed=seed, replications=replications, start=start, fast=True)


def runs(replications: int, variants: int, fast: bool) -> int:
    """How many tasks a comparison or sweep of so many variants (baseline included) runs."""
    return variants if fast else replications * variants


def chart(comparison: Comparison, path: str) -> None:
    """The measures that differ, baseline beside what-if with their intervals (PNG or SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [
        k
        for k in sorted(comparison.baseline)
        if k.startswith("breaches") or k in ("detention-days", "registration wait, h per case", "backlog at the end")
    ]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(keys) + 1.5))
    ys = range(len(keys))
    for offset, (label, data) in enumerate((("baseline", comparison.baseline), (comparison.name, comparison.what_if))):
        if not data:
            continue
        means = [data[k].mean if k in data else 0 for k in keys]
        errors = [
            [m - data[k].low if k in data else 0 for k, m in zip(keys, means, strict=True)],
            [data[k].high - m if k in data else 0 for k, m in zip(keys, means, strict=True)],
        ]
        ax.barh([y + offset * 0.4 for y in ys], means, height=0.4, xerr=errors, label=label)
    ax.set_yticks([y + 0.2 for y in ys], keys)
    ax.invert_yaxis()
    ax.set_title(f"Simulated: baseline and {comparison.name} ({comparison.replications} replications, 95 % intervals)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


__all__ = ["Comparison", "WhatIf", "chart", "compare", "compare_fast", "measures"]
