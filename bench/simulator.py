"""`python -m bench.simulator [--cases N]`: the simulator against SimPy, in the same process.

The peer is the same queueing model written with SimPy (the well-known discrete-event
library): the same arrivals, the same pools of investigators, investigating judges and
judges, the same calibrated durations and probabilities, generation only (no store).
Reported: cases per second for SimPy, for habeas's event-driven engine (which also asks
the law engine every limit and records each fact: as compact records, generation only, and
as the design §4 dicts a consumer reads), for the vectorised path, and the full path through
the register into SQLite in events per second. The engine runs without its stock of prisoners
and remand prisoners (`stock=False`), as the SimPy model has none (with it, a tenth of a year
carries a whole stock). The machine is shared: each figure is the best of `--repeat` runs, the
peers interleaved, so that a burst of load elsewhere hurts neither.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import tempfile
import time
from datetime import datetime
from pathlib import Path

START = datetime.fromisoformat("2024-01-01T00:00:00+05:00")


def simpy_peer(cal, cases: int, years: float, seed: int) -> int:
    """The queueing model in SimPy; returns how many cases it carried through."""
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    duty = cal.resources["duty"].value
    scale = (cases / years) / cal.arrivals["per_year"].value
    weights = cal.regions.value
    total = sum(weights.values())

    def size(kind: str, weight: float) -> int:
        return max(1, round(cal.resources[kind].value * duty * scale * weight / total))

    pools = {
        (kind, region): simpy.Resource(env, capacity=size(kind, w))
        for kind in ("investigators", "investigating_judges", "judges")
        for region, w in weights.items()
    }
    regions, region_weights = list(weights), [w / total for w in weights.values()]
    mix = cal.arrivals["gravity_mix"].value
    prob, dur = cal.probabilities, cal.durations
    done = [0]

    def draw(name):
        figure = dur[name]
        return figure.median * math.exp(rng.gauss(0, figure.spread or 0))

    def serve(pool, hours):
        with pool.request() as request:
            yield request
            yield env.timeout(hours)

    def case():
        region = rng.choices(regions, region_weights)[0]
        gravity = rng.choices(list(mix), list(mix.values()))[0]
        yield from serve(pools[("investigators", region)], draw("registration_work"))
        if rng.random() < prob["suspect_identified"].value:
            yield env.timeout(draw("identify_suspect"))
            if rng.random() < prob["detained"].of(gravity):
                if rng.random() < prob["custody_petition"].of(gravity):
                    yield env.timeout(draw("petition_preparation"))
                    yield from serve(pools[("investigating_judges", region)], draw("custody_decision_work"))
                else:
                    yield env.timeout(draw("release_without_petition"))
            yield from serve(pools[("investigators", region)], draw("investigation_work"))
            yield env.timeout(draw("investigation"))
            if rng.random() < prob["sent_to_court"].value:
                yield from serve(pools[("judges", region)], draw("trial") / 10)
                yield env.timeout(draw("trial"))
        done[0] += 1

    def arrivals():
        rate = cases / (years * 24 * 365)
        for _ in range(cases):
            yield env.timeout(rng.expovariate(rate))
            env.process(case())

    env.process(arrivals())
    env.run()
    return done[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.simulator")
    parser.add_argument("--cases", type=int, default=15_000, help="cases (a tenth of a national year: 14,030)")
    parser.add_argument("--years", type=float, default=0.1)
    parser.add_argument("--replications", type=int, default=100, help="for the vectorised path")
    parser.add_argument("--no-store", action="store_true", help="leave out the path into SQLite")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is reported")
    args = parser.parse_args(argv)

    from habeas.clock import FixedClock
    from habeas.domain.events import Actor
    from habeas.jurisdictions import load
    from habeas.services.register import Register
    from habeas.services.setup import open_database, prepare
    from habeas.simulator import calibration, lines
    from habeas.simulator.engine import Simulation
    from habeas.simulator.fast import replicate

    law, cal = load("kz"), calibration("kz")
    figures = {}

    def best_once(run) -> tuple[float, object]:
        gc.collect()
        began = time.perf_counter()
        result = run()
        return time.perf_counter() - began, result

    simpy_s = simpy_nogc_s = engine_s = dicts_s = math.inf
    asked = 0

    def without_collector():
        gc.disable()
        try:
            return simpy_peer(cal, args.cases, args.years, 1)
        finally:
            gc.enable()

    for _ in range(args.repeat):  # interleaved: the peers meet the same load
        took, carried = best_once(lambda: simpy_peer(cal, args.cases, args.years, 1))
        simpy_s = min(simpy_s, took)
        simpy_nogc_s = min(simpy_nogc_s, best_once(without_collector)[0])
        sim = Simulation(law, cal, cases=args.cases, years=args.years, seed=1, start=START, stock=False)
        took, records = best_once(lambda: sum(1 for _ in sim.records()))  # noqa: B023
        engine_s, asked = min(engine_s, took), sim.law_asked
        sim = Simulation(law, cal, cases=args.cases, years=args.years, seed=1, start=START, stock=False)
        took, events = best_once(lambda: list(sim))  # noqa: B023
        dicts_s = min(dicts_s, took)
    figures["simpy, cases/s"] = carried / simpy_s
    figures["simpy, collector off, cases/s"] = carried / simpy_nogc_s  # as the engine runs
    figures["engine (records), cases/s"] = args.cases / engine_s
    figures["engine (records), events/s"] = records / engine_s
    figures["engine (design §4 dicts), cases/s"] = args.cases / dicts_s
    figures["law engine asked, per case"] = asked / args.cases

    took = min(
        best_once(lambda: replicate(law, cal, cases=args.cases, replications=args.replications, seed=1, at=START))[0]
        for _ in range(args.repeat)
    )
    figures["vectorised, cases/s"] = args.cases * args.replications / took

    if not args.no_store:
        with tempfile.TemporaryDirectory() as folder, open_database(f"sqlite:///{Path(folder) / 'sim.db'}") as db:
            prepare(db)
            began = time.perf_counter()
            # on a clock that has seen every fact (the engine runs sentences on years past the period)
            clock = FixedClock(datetime.fromisoformat(max(e["occurred_at"] for e in events)))
            report = Register(db, law, clock).import_lines(lines(iter(events)), Actor("bench", "registrar"))
            figures["through the register into SQLite, events/s"] = report.stored / (time.perf_counter() - began)

    figures["engine (records) / simpy"] = figures["engine (records), cases/s"] / figures["simpy, cases/s"]
    figures["engine (records) / simpy, collector off"] = (
        figures["engine (records), cases/s"] / figures["simpy, collector off, cases/s"]
    )
    figures["engine (dicts) / simpy"] = figures["engine (design §4 dicts), cases/s"] / figures["simpy, cases/s"]
    figures["vectorised / simpy"] = figures["vectorised, cases/s"] / figures["simpy, cases/s"]
    for name, value in figures.items():
        print(f"{name:48} {value:14,.2f}")
    print(json.dumps({"cases": args.cases, **figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
