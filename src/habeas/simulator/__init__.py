"""The simulator (design §8): a calibrated caseload through the same engine and service.

- `calibration`: the figures a caseload is drawn from, each with its source;
- `engine`: the event-driven engine (cases as processes, officials as queues);
- `caseload`: the detailed path of every case, streamed in time order (demos, tests, the
  bench): `generate`, `write_jsonl`, `Caseload`, `DEFAULT_START`, exported here;
- `compare`: a baseline and a what-if (a law overlay plus resource changes) side by side;
- `sweep`: one parameter (or resource) at several values, each beside the baseline;
- `runners`: where the runs go: one after another, or on a Dask cluster (byte-identical results);
- `store`: a simulated caseload recorded through the register service, as an import is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from habeas.domain.events import Actor
from habeas.jurisdictions import read_calibration
from habeas.simulator.calibration import Calibration

SIMULATOR = Actor("simulator", "registrar", "habeas-simulator")


def __getattr__(name: str):
    # the caseload on first use: `habeas.simulator` stays light for the CLI's start
    if name in ("generate", "write_jsonl", "Caseload", "DEFAULT_START"):
        from habeas.simulator import caseload

        return getattr(caseload, name)
    raise AttributeError(name)


def calibration(jurisdiction: str) -> Calibration:
    return Calibration.parse(read_calibration(jurisdiction))


def lines(events: Iterator[dict]) -> Iterator[str]:
    """The events as import lines (the register takes a simulated caseload as it takes a file)."""
    for raw in events:
        yield json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
