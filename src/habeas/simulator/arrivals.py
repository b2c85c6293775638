"""The arrivals model: how many cases come, when, where and for what offence.

One model for every path of the simulator (the event-driven engine, its stock of prisoners,
the vectorised path, the detailed caseload's regions and gravities): a Poisson stream at the
calibrated national rate scaled to the cases asked for, each case in a region by the regions'
weights, of a gravity by the year's `gravity_mix`, for one of that gravity's representative
`articles`. A second jurisdiction
arrives through its calibration file alone.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate

import numpy as np

from habeas.simulator.calibration import Calibration
from habeas.simulator.model import DURATIONS, UNIFORMS, CaseRun

BLOCK = 4096  # cases drawn at once


class Arrivals:
    def __init__(self, calibration: Calibration, *, cases: int, years: float):
        self.cal = calibration
        weights = calibration.regions.value
        total = sum(weights.values())
        self.regions = list(weights)
        self.region_weights = [weights[r] / total for r in self.regions]
        self.region_cum = list(accumulate(self.region_weights))
        mix = calibration.arrivals["gravity_mix"].value
        self.groups = list(mix)
        self.group_shares = np.array([mix[g] for g in self.groups], dtype=float) / sum(mix.values())
        self.group_cum = list(accumulate(mix[g] for g in self.groups))
        self.articles = {  # each group's articles as (article, part)
            g: [_article(text) for text in calibration.arrivals["articles"].of(g)] for g in self.groups
        }
        self.cases, self.years = cases, years
        self.per_hour = cases / (years * 24 * 365)
        # the share of the national caseload simulated: resources and stocks are scaled by it
        self.scale = (cases / years) / calibration.arrivals["per_year"].value
        durations = calibration.durations
        self.medians = np.array([durations[n].median for n in DURATIONS])
        self.spreads = np.array([durations[n].spread or 0.0 for n in DURATIONS])

    def region(self, u: float) -> str:
        return self.regions[min(bisect_right(self.region_cum, u), len(self.regions) - 1)]

    def gravity(self, u: float) -> str:
        """The gravity group of a case, by the year's `gravity_mix`."""
        groups = self.groups
        return groups[min(bisect_right(self.group_cum, u * self.group_cum[-1]), len(groups) - 1)]

    def offence(self, u_group: float, u_article: float) -> tuple[str, str, int | None]:
        """(the gravity group drawn, the article, its part)."""
        group = self.gravity(u_group)
        articles = self.articles[group]
        return (group, *articles[int(u_article * len(articles))])

    def stream(self, rng: np.random.Generator, seed: int, cases: int | None = None) -> Iterator[tuple[float, CaseRun]]:
        """The cases in arrival order, each with its draws (numpy, a block of cases at a time)."""
        at, number, cases = 0.0, 0, self.cases if cases is None else cases
        while number < cases:
            n = min(BLOCK, cases - number)
            times = (at + np.cumsum(rng.exponential(1 / self.per_hour, n))).tolist()
            uniforms = rng.random((n, UNIFORMS)).tolist()
            normals = rng.standard_normal((n, len(DURATIONS)))
            durations = (self.medians * np.exp(self.spreads * normals)).tolist()
            for k in range(n):
                number += 1
                yield times[k], CaseRun(number, f"KZ-SIM-{seed}-{number:07d}", uniforms[k], durations[k])
            at = times[-1]

    def groups_drawn(self, rng: np.random.Generator, shape, weights: np.ndarray | None = None) -> np.ndarray:
        """Gravity groups (their indexes) for `shape` cases, by the mix or by other weights."""
        p = self.group_shares if weights is None else weights / weights.sum()
        return rng.choice(len(self.groups), size=shape, p=p)

    def regions_drawn(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(len(self.regions), size=n, p=np.array(self.region_weights))


def _article(text: str) -> tuple[str, int | None]:
    article, _, part = text.partition(".")
    return article, int(part) if part else None
