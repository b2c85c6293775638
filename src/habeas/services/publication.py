"""The checkpoint log: where `habeas checkpoint` publishes, outside the database.

An append-only file of JSON lines (`ledger.checkpoint.line`), each a signed checkpoint
naming the one before it. Put it where whoever can write the database cannot rewrite it:
another machine's share, an object store with retention, a file a monitor copies away.
Appends hold an exclusive lock on the file (flock) from reading its last line to writing
the new one, so two checkpoints made at once are chained, not forked.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from habeas.ledger import checkpoint as signed


def read_lines(path: Path) -> list[str]:
    """The lines of a checkpoint log (OSError if it cannot be read)."""
    return path.read_text(encoding="utf-8").splitlines()


def published(path: Path, trusted: bytes) -> list[dict[str, Any]]:
    """Every checkpoint of the log at `path`, once the whole log holds (`checkpoint.published`:
    Forged naming the first line that does not)."""
    return signed.published(read_lines(path), trusted)


@contextmanager
def _locked(path: Path) -> Iterator[int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield descriptor
    finally:
        os.close(descriptor)  # releases the lock


def _last(descriptor: int) -> dict[str, Any] | None:
    os.lseek(descriptor, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(descriptor, 1 << 16):
        chunks.append(chunk)
    lines = [x for x in b"".join(chunks).decode("utf-8").splitlines() if x.strip()]
    return json.loads(lines[-1]) if lines else None


def append(path: Path, make: Callable[[dict[str, Any] | None], dict[str, Any]]) -> dict[str, Any]:
    """Append the checkpoint `make(last published or None)` returns, as one line, and fsync."""
    with _locked(path) as descriptor:
        made = make(_last(descriptor))
        os.write(descriptor, (signed.line(made) + "\n").encode("utf-8"))
        os.fsync(descriptor)
    return made
