"""The stored rows of the streams a batch created, kept so that they are projected without
being read back from the log (`registry.after_append(held=...)`).

A large import creates more rows than memory should hold. Beyond `limit` rows, those of the
least recently touched streams are written to an unnamed temporary file and read from there,
once, when the batch finishes. Reading them back from the log instead cost a walk of the
stream index and a random page of the events table per row: a sixth of the importing
process's time on 100,000 events. The file is the process's own (`marshal`, never read by
anything else) and goes when the batch ends.
"""

from __future__ import annotations

import marshal
import os
import tempfile
from collections import OrderedDict
from collections.abc import Iterator, Mapping

IOV_MAX = 1024  # buffers one writev takes (POSIX's minimum, Linux's value)


def _write_all(fd: int, parts: list[bytes]) -> None:
    """Write the parts in order, without joining them into one copy: `writev` a group at a
    time, and finish a short write (which a regular file seldom makes) buffer by buffer."""
    for start in range(0, len(parts), IOV_MAX):
        group = parts[start : start + IOV_MAX]
        written = os.writev(fd, group)
        for part in group:
            if written >= len(part):
                written -= len(part)
                continue
            view = memoryview(part)[written:]
            while view:
                view = view[os.write(fd, view) :]
            written = 0


class HeldRows(Mapping[str, list[tuple]]):
    """{stream: every row this batch stored for it, in order}, for the streams the batch created."""

    def __init__(self, limit: int):
        self.limit = limit
        self._memory: OrderedDict[str, list[tuple]] = OrderedDict()  # least recently touched first
        self._count = 0  # rows in memory
        self._spilled: dict[str, list[tuple[int, int, int]]] = {}  # stream: (offset, size, rows) of each part
        self._file = None
        self._end = 0
        self._streams: set[str] = set()  # every stream held, in memory or written out

    def created(self, stream: str) -> None:
        """A stream this batch creates: every row it will have, this batch appends."""
        self._memory[stream] = []
        self._streams.add(stream)

    def add(self, stream: str, row: tuple) -> None:
        """A row stored for `stream` (passed over unless the batch created the stream)."""
        rows = self._memory.get(stream)
        if rows is None:
            if stream not in self._spilled:
                return
            rows = self._memory[stream] = []  # written out before, touched again
        else:
            self._memory.move_to_end(stream)
        rows.append(row)
        self._count += 1

    def trim(self) -> None:
        """Beyond `limit` rows in memory, write out the least recently touched streams' rows
        down to half of it, in one write."""
        if self._count <= self.limit:
            return
        parts: list[bytes] = []
        while self._count > self.limit // 2:
            stream, rows = self._memory.popitem(last=False)
            self._count -= len(rows)
            blob = marshal.dumps(rows)
            self._spilled.setdefault(stream, []).append((self._end, len(blob), len(rows)))
            self._end += len(blob)
            parts.append(blob)
        if self._file is None:
            self._file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 (lives as long as the batch: `clear`)
        _write_all(self._file.fileno(), parts)

    def __getitem__(self, stream: str) -> list[tuple]:
        spilled = self._spilled.get(stream)
        if spilled is None:
            return self._memory[stream]
        rows: list[tuple] = []
        fd = self._file.fileno()
        for offset, size, _ in spilled:
            rows += marshal.loads(os.pread(fd, size, offset))
        return rows + self._memory.get(stream, [])

    def rows_in(self, stream: str) -> int:
        """How many rows `self[stream]` holds, without reading what was written out."""
        return sum(part[2] for part in self._spilled.get(stream, ())) + len(self._memory.get(stream, ()))

    # asked per chunk of cases (`registry._replaced`): each in constant time
    def __contains__(self, stream: object) -> bool:
        return stream in self._streams

    def __iter__(self) -> Iterator[str]:
        return iter(self._streams)

    def __len__(self) -> int:
        return len(self._streams)

    def clear(self) -> None:
        """Forget every row, and the file."""
        self._memory.clear()
        self._spilled.clear()
        self._streams.clear()
        self._count = self._end = 0
        if self._file is not None:
            self._file.close()
            self._file = None
