"""What is there when a simulated period starts: prisoners serving, and people on remand.

A period starts with prisons full and cases under way, not empty. The calibrated stocks
(`stock.prisoners`, `stock.remand`, scaled like the arrivals) become cases of their own:
- each prisoner's case was registered, tried and sentenced before the period, its prisoner
  admitted; the rest of the sentence is served in the period (a longer sentence the likelier,
  as in any standing population) and the prisoner is released when it ends; those tried
  before the period and admitted within it join them;
- each remand prisoner's case is an ordinary case that arrived before the period with its
  suspect detained and held in custody, at a point of its investigation drawn evenly: it
  goes on in the period as every case does (extended, tried, sentenced or released).
So the register holds the stock on its first day and the statistics count it.
"""

from __future__ import annotations

import numpy as np

from habeas.simulator.model import (
    D_HELD,
    D_INVESTIGATION,
    HOURS_PER_YEAR,
    U_DETAINED,
    U_FOUND,
    U_GRANTED,
    U_PETITION,
    CaseRun,
)

REMAND = 10_000_000  # remand cases are numbered from minus this (the prisoners' from minus one)
PIPELINE = 2 * HOURS_PER_YEAR  # how far back cases that reach prison within the period are drawn


class Stock:
    """The stock's draws and processes (a part of `Simulation`)."""

    def _stock(self) -> list[tuple[float, CaseRun, object]]:
        """The stock's processes, each with the hour it starts (before the period)."""
        cal, arrivals = self.cal, self.arrivals
        places = cal.resources["prison_places"].value * arrivals.scale if "prison_places" in cal.resources else 0
        self.totals.prison_places = {
            r: round(places * w) for r, w in zip(arrivals.regions, arrivals.region_weights, strict=True)
        }
        rng = np.random.default_rng([self.seed, 1])  # apart from the cases' draws
        found = self._prisoners(rng)
        found += self._remand(rng)
        return found

    def _prisoners(self, rng: np.random.Generator) -> list:
        arrivals, prob = self.arrivals, self.cal.probabilities
        served = np.array([self._served_hours(g) for g in arrivals.groups])
        imprisoned = np.array([prob["imprisoned"].of(g) for g in arrivals.groups])
        stock = self.cal.stock.get("prisoners")
        count = round(stock.value * arrivals.scale) if stock else 0
        self.totals.prison_at_start = count
        group = arrivals.groups_drawn(rng, count, arrivals.group_shares * imprisoned * served)
        admitted = -rng.random(count) * served[group]  # part of the sentence already served
        region = arrivals.regions_drawn(rng, count)
        # those reported before the period who reach prison within it: drawn as the vectorised
        # path draws (officials taken to be free)
        n = int(rng.poisson(arrivals.per_hour * PIPELINE))
        late_group = arrivals.groups_drawn(rng, n)
        sent = (rng.random(n) < prob["suspect_identified"].value) & (rng.random(n) < prob["sent_to_court"].value)
        late = sent & (rng.random(n) >= prob["acquitted"].value) & (rng.random(n) < imprisoned[late_group])
        durations = self.cal.durations

        def drawn(name: str) -> np.ndarray:
            return durations[name].median * np.exp(rng.normal(0.0, durations[name].spread or 0.0, n))

        reported = -rng.random(n) * PIPELINE
        late_admitted = reported + drawn("investigation") + 1.1 * drawn("trial") + durations["to_prison"].median
        late &= (late_admitted >= 0) & (late_admitted <= self.end_h)
        late_region = arrivals.regions_drawn(rng, n)
        groups = np.concatenate([group, late_group[late]]).tolist()
        times = np.concatenate([admitted, late_admitted[late]]).tolist()
        regions = np.concatenate([region, late_region[late]]).tolist()
        found = []
        for k, (g, at, r) in enumerate(zip(groups, times, regions, strict=True)):
            c = CaseRun(-(k + 1), f"KZ-SIM-{self.seed}-P{k + 1:07d}", [], [])
            c.region, c.gravity = arrivals.regions[r], arrivals.groups[g]
            c.article, c.part = arrivals.articles[c.gravity][0]
            begins = at - 60 * 24  # registered two months before admission
            found.append((begins, c, self._stock_prisoner(c, at)))
        return found

    def _stock_prisoner(self, c: CaseRun, admitted: float):
        """A case tried before the period: registered, sent to court, sentenced, admitted."""
        data = {"erdr_number": f"P{self.seed}{-c.number:09d}"[-12:], "article": c.article, "region": c.region}
        if c.part is not None:
            data["part"] = c.part
        self._emit(c, "report.received", {"channel": "in_person", "summary": f"a {c.gravity} offence"})
        self._emit(c, "case.registered", data)
        self._emit(c, "party.added", {"person": "P1", "role": "suspect", "name": "Simulated Prisoner"})
        yield self._working(admitted - 30 * 24)  # the court sits on working days
        self._emit(c, "case.sent_to_court", {"court": f"court-{c.region}-district"})
        yield self._working(admitted - 25 * 24)
        self._emit(c, "trial.started", {"court": f"court-{c.region}-district"})
        yield self._working(admitted - 10 * 24)
        sentence = {"kind": "imprisonment", "months": self.cal.durations["sentence_months"].of(c.gravity)}
        self._emit(c, "verdict.delivered", {"person": "P1", "outcome": "convicted", "sentence": sentence})
        yield admitted
        yield from self._serve(c, self._served_hours(c.gravity))

    def _remand(self, rng: np.random.Generator) -> list:
        """Cases under way, their suspects in custody: ordinary cases that arrived earlier."""
        stock = self.cal.stock.get("remand")
        count = round(stock.value * self.arrivals.scale) if stock else 0
        self.totals.remand_at_start = count
        found = []
        draws = self.arrivals.stream(np.random.default_rng([self.seed, 2]), self.seed, count)
        for k, (_, c) in enumerate(draws):
            c.number, c.case = -(REMAND + k), f"KZ-SIM-{self.seed}-R{k + 1:07d}"
            for i in (U_FOUND, U_DETAINED, U_PETITION, U_GRANTED):
                c.u[i] = 0.0  # a suspect found, detained, petitioned against and held
            begins = -float(rng.random()) * (c.d[D_INVESTIGATION] + c.d[D_HELD])
            found.append((begins, c, self._case(c)))
        return found
