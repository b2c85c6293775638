"""`habeas simulate`: a calibrated caseload through the law engine, a what-if beside it."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from habeas import bootstrap, config
from habeas.cli.common import database, err, fail, law, out, progress, when
from habeas.cli.options import JsonOption
from habeas.presentation import terminal

Cases = Annotated[int, typer.Option("--cases", min=1, help="Cases reported over the period.")]
Seed = Annotated[int, typer.Option("--seed", help="The same seed gives the same caseload.")]
Years = Annotated[float, typer.Option("--years", min=0.01, help="The period simulated, in years.")]
WhatIfFile = Annotated[
    Path | None, typer.Option("--what-if", help="YAML: `overlay` (dated law changes) and `resources` changes.")
]
Replications = Annotated[int, typer.Option("--replications", min=1, help="Runs to average over.")]
Start = Annotated[str, typer.Option("--start", help="When the period begins (ISO 8601 with offset).")]
RecordIn = Annotated[
    str | None, typer.Option("--db", help="Also record the first baseline run in this register (the service).")
]
Chart = Annotated[Path | None, typer.Option("--chart", help="The comparison as a chart (.png or .svg).")]
Fast = Annotated[bool, typer.Option("--fast", help="The vectorised path: no queues, many replications.")]
Sweep = Annotated[
    str | None,
    typer.Option(
        "--sweep",
        help="NAME=V1,V2,…: a law parameter (e.g. detention.limit.adult=24,48,72) or resources.NAME at each"
        " value from the period's start, each beside the baseline (not with --what-if).",
    ),
]
OnDask = Annotated[
    bool, typer.Option("--dask", help="Run the replications on a Dask cluster (a local one unless named).")
]
DaskScheduler = Annotated[
    str | None,
    typer.Option(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="The Dask scheduler to run on (e.g. tcp://10.0.0.5:8786; implies --dask); its workers need habeas.",
    ),
]


def simulate(
    cases: Cases = 2000,
    seed: Seed = 1,
    years: Years = 1.0,
    what_if: WhatIfFile = None,
    replications: Replications = 3,
    start: Start = "2024-01-01T00:00:00+05:00",
    db: RecordIn = None,
    chart: Chart = None,
    fast: Fast = False,
    sweep: Sweep = None,
    on_dask: OnDask = False,
    dask_scheduler: DaskScheduler = None,
    json_out: JsonOption = False,
) -> None:
    """A calibrated caseload through the law engine: a baseline and a what-if side by side, or a sweep.

    The same seeds give the same result, serial or on Dask."""
    from habeas.simulator import compare as comparing
    from habeas.simulator import sweep as sweeping

    if sweep is not None and what_if is not None:
        raise fail("--sweep and --what-if: give one of them", 2)
    package = law()
    begin = when(start)
    calibrated, change, axis = _changes(package, what_if, sweep, begin)
    if db is not None:
        _record(db, package, calibrated, cases=cases, years=years, seed=seed, start=begin)
    variants = 1 + (len(axis.values) if axis else change is not None)
    total = comparing.runs(replications, variants, fast)
    with (
        _runner(on_dask or dask_scheduler is not None, dask_scheduler) as runner,
        progress(total, f"simulating {replications} replication(s)") as (advance, _),
    ):
        run = {
            "cases": cases,
            "years": years,
            "seed": seed,
            "replications": replications,
            "start": begin,
            "fast": fast,
            "runner": runner,
            "progress": advance,
        }
        if axis is not None:
            result = sweeping.sweep(package, calibrated, axis, **run)
        else:
            result = comparing.compare(package, calibrated, change, **run)
    if chart is not None:
        (sweeping.chart if axis else comparing.chart)(result, str(chart))
    if json_out:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    out.print((terminal.sweep if axis else terminal.comparison)(result.to_dict()))


def _changes(package, what_if: Path | None, sweep: str | None, begin: datetime):
    """The calibration, and the what-if or the sweep's axis, each refused now (exit 2) if it names
    an unknown parameter, rule or resource, before any run."""
    import yaml

    from habeas.law.package import LawDataError
    from habeas.simulator import calibration
    from habeas.simulator import compare as comparing
    from habeas.simulator import sweep as sweeping

    try:
        calibrated = calibration(config.jurisdiction())
        change, axis = None, None
        if what_if is not None:
            try:
                raw = yaml.safe_load(what_if.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                raise fail(f"--what-if {what_if}: cannot read it ({exc})", 2) from None
            change = comparing.WhatIf.parse(raw, str(what_if))
            change.apply(package, calibrated)  # refuses an unknown parameter, rule or resource now
        if sweep is not None:
            axis = sweeping.Axis.parse(sweep)
            sweeping.what_ifs(axis, package, calibrated, begin)  # the same refusals, before any run
    except LawDataError as exc:
        raise fail(str(exc), 2) from None
    except yaml.YAMLError as exc:
        raise fail(f"--sweep {sweep}: a value is not readable ({exc.__class__.__name__})", 2) from None
    return calibrated, change, axis


def _record(db: str, package, calibrated, **simulated) -> None:
    """The first baseline run recorded in the register of `db`, through the service."""
    from habeas.services.register import Register
    from habeas.simulator import SIMULATOR, lines
    from habeas.simulator.engine import Simulation

    sim = Simulation(package, calibrated, **simulated)
    with database(db) as engine:
        # on a fixed clock (recorded at the period's end): the same seed, the same log, byte for byte
        register = Register(engine, package, bootstrap.FixedClock(sim.end))
        report = register.import_lines(lines(sim.as_of(sim.end)), SIMULATOR)
    if report.errors:  # the simulator emits only valid facts: this is a bug, said plainly
        raise fail(f"the register refused {len(report.errors)} simulated lines: {report.errors[0].lines()[0]}", 1)
    err.print(f"recorded {report.stored} simulated events in the register", highlight=False)


@contextmanager
def _runner(on_dask: bool, scheduler: str | None):
    """Serial, or on Dask (imported only then: `habeas --help` stays fast)."""
    from habeas.simulator import runners

    if not on_dask:
        yield runners.SERIAL
        return
    try:
        with runners.dask(scheduler) as runner:
            yield runner
    except runners.ClusterUnavailable as exc:
        raise fail(str(exc), 1) from None
