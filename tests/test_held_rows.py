"""`services.held.HeldRows`: the rows of the streams a batch created, in memory or written out."""

from __future__ import annotations

from habeas.services.held import HeldRows


def row(stream: str, version: int) -> tuple:
    return (version, f"{stream}-{version}", stream, version, "kind", "2024-01-01T00:00:00Z", None, "ünïcode ✓")


def test_every_row_of_a_stream_comes_back_in_order_whether_held_or_written_out():
    held = HeldRows(limit=4)
    for stream in ("A", "B", "C"):
        held.created(stream)
    added: dict[str, list[tuple]] = {"A": [], "B": [], "C": []}
    for version in range(1, 7):
        for stream in ("A", "B", "C"):
            held.add(stream, row(stream, version))
            added[stream].append(row(stream, version))
        held.trim()
    assert held._spilled  # some rows went to the file, some came back to memory after
    assert held._count <= 4
    for stream in ("A", "B", "C"):
        assert held[stream] == added[stream]
    assert set(held) == {"A", "B", "C"} and len(held) == 3 and held


def test_a_stream_the_batch_did_not_create_is_not_held():
    held = HeldRows(limit=10)
    held.add("old", row("old", 5))
    assert "old" not in held and not held
    held.created("new")
    held.add("new", row("new", 1))
    assert "new" in held and "old" not in held


def test_clear_forgets_the_rows_and_the_file():
    held = HeldRows(limit=1)
    held.created("A")
    held.add("A", row("A", 1))
    held.add("A", row("A", 2))
    held.trim()
    assert held["A"] == [row("A", 1), row("A", 2)] and held._file is not None
    held.clear()
    assert "A" not in held and held._file is None and not held
