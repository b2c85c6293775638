"""Where a simulation's runs are run: here, one after another, or on a Dask cluster.

A runner maps a function over tasks and answers the results in the tasks' order, whatever
order they finished in. Each task names one of a few shared arguments by index (a variant:
the law and the calibration, about a megabyte pickled), so a cluster receives each once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from typing import Any, Protocol


class Runner(Protocol):
    def map(
        self,
        fn: Callable[..., Any],
        shared: Sequence[Any],
        tasks: Sequence[tuple],
        progress: Callable[[int], None] | None = None,
    ) -> list[Any]:
        """[fn(shared[task[0]], *task[1:]) for task in tasks]; `progress(1)` per finished task."""
        ...


class Serial:
    def map(self, fn, shared, tasks, progress=None):
        found = []
        for index, *args in tasks:
            found.append(fn(shared[index], *args))
            if progress:
                progress(1)
        return found


SERIAL = Serial()


class OnDask:
    """The tasks on a `dask.distributed` cluster, through `client`."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def map(self, fn, shared, tasks, progress=None):
        from dask.distributed import as_completed

        # hash=False: dask would otherwise tokenise the law to name it, which costs more than sending it
        on_workers = self.client.scatter(list(shared), broadcast=True, hash=False)
        futures = [self.client.submit(fn, on_workers[index], *args, pure=False) for index, *args in tasks]
        for _ in as_completed(futures):
            if progress:
                progress(1)
        return self.client.gather(futures)


class ClusterUnavailable(Exception):
    """The scheduler named could not be reached (or dask is not installed)."""


@contextmanager
def dask(scheduler: str | None = None, *, workers: int | None = None, timeout: float = 15.0):
    """A runner on the scheduler at `scheduler`, or on a local cluster of worker processes.

    Workers elsewhere need habeas (and this jurisdiction's law package) installed: they are
    sent the law and the calibration, not the code."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ClusterUnavailable("--dask needs dask.distributed: pip install 'habeas[dask]'") from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise ClusterUnavailable(f"no Dask scheduler answers at {scheduler} ({exc.__class__.__name__})") from None
        with client:
            yield OnDask(client)
        return
    # one thread a worker: the engine is pure Python, so threads would only wait for each other
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,  # not a warning a user can act on: a worker slow to stop at the end
        ) as cluster,
        Client(cluster) as client,
    ):
        yield OnDask(client)
