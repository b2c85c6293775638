"""Importing a JSONL stream: its lines read in chunks, each parsed and offered to the batch,
and the report of what was stored, skipped and refused, line by line."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from habeas.domain.events import Event, Problem, Refused, decode_line, parse_event
from habeas.domain.fast_parse import parse_line
from habeas.services.register.answers import new_event_id
from habeas.services.register.batch import Batch

# While an import runs, the cyclic garbage collector runs this seldom: an import allocates
# millions of objects that are not garbage (held rows, case states, findings), and each
# collection walks them all (~15% of an import's time at Python's default of 700).
GC_THRESHOLD = (50_000, 20, 100)
_gc_lock = threading.Lock()
_gc_imports = 0
_gc_saved: tuple[int, ...] = gc.get_threshold()


@contextmanager
def fewer_collections():
    """Raise the collector's thresholds for the duration (restored when the last import ends)."""
    global _gc_imports, _gc_saved
    with _gc_lock:
        if _gc_imports == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(*GC_THRESHOLD)
        _gc_imports += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_imports -= 1
            if _gc_imports == 0:
                gc.set_threshold(*_gc_saved)


def processes() -> int:
    """Judging processes by default: one per core, at most 2; none where fork is not offered."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(2, os.cpu_count() or 1)


@dataclass
class LineError:
    line: int
    problems: list[Problem]

    def lines(self) -> list[str]:
        return [f"line {self.line}: {p.field}: {p.reason}" for p in self.problems]


@dataclass
class ImportReport:
    stored: int = 0
    skipped: int = 0
    lines: int = 0
    errors: list[LineError] = field(default_factory=list)
    head_position: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class Cursor:
    """Where an import is: the line being stored, and the line of each id of the chunk."""

    line: int | None = None
    lines: dict[str, int] = field(default_factory=dict)


def import_chunk(batch: Batch, chunk: list[tuple[int, str]], report: ImportReport, cursor: Cursor) -> int:
    """Decide and append a chunk's lines; returns their size in bytes (for progress)."""
    parsed: list[tuple[int, Event]] = []
    size = 0
    for number, text in chunk:
        report.lines += 1
        try:
            length = len(text) if text.isascii() else len(text.encode("utf-8"))
        except UnicodeEncodeError:  # a lone surrogate: decode_line names where
            length = None
        size += (length or len(text)) + 1
        try:
            # the typed fast path for a usual line; anything it does not accept is the exact path's
            event = parse_line(text, length) if length is not None else None
            parsed.append((number, event or parse_event(decode_line(text, length), assign_id=new_event_id)))
        except Refused as refused:
            report.errors.append(LineError(number, refused.problems))
    cursor.line = chunk[0][0]
    cursor.lines = {}
    batch.prefetch([e for _, e in parsed])
    for number, event in parsed:
        cursor.line = number
        cursor.lines.setdefault(event.id, number)
        try:
            outcome = batch.offer(event)
        except Refused as refused:
            report.errors.append(LineError(number, refused.problems))
            continue
        if outcome.status == "stored":
            report.stored += 1
        else:
            report.skipped += 1
    return size


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSONL text as `habeas import` reads a file: split at line feeds only
    (a JSON string may hold U+2028, U+2029 or U+0085, which `str.splitlines` would split at;
    a carriage return before the feed is trimmed with the line's other outer whitespace)."""
    return text.split("\n")


def chunks(lines: Iterable[str], size: int):
    """(line number, text) chunks; blank lines are skipped but keep their numbers."""
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if number == 1:
            text = text.lstrip("\ufeff")  # a byte-order mark some editors write
        if not text:
            continue
        chunk.append((number, text))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
