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


def test_thousands_of_streams_written_out_at_once_come_back_whole():
    """One trim writes more parts than one `writev` takes (1024): all of them, in order."""
    held = HeldRows(limit=2000)
    streams = [f"S{n}" for n in range(2500)]
    for stream in streams:
        held.created(stream)
        held.add(stream, row(stream, 1))
    held.add("S0", row("S0", 2))
    held.trim()
    assert len(held._spilled) > 1024
    assert held["S0"] == [row("S0", 1), row("S0", 2)]
    assert all(held[s] == [row(s, 1)] for s in streams[1:])


def test_a_short_write_is_finished(monkeypatch):
    from habeas.services import held as held_module

    real = held_module.os.writev
    monkeypatch.setattr(held_module.os, "writev", lambda fd, parts: real(fd, [bytes(parts[0])[:3]]))
    held = HeldRows(limit=1)
    for stream in ("A", "B", "C"):
        held.created(stream)
        held.add(stream, row(stream, 1))
    held.trim()
    assert [held[s] for s in ("A", "B", "C")] == [[row(s, 1)] for s in ("A", "B", "C")]


def test_how_many_rows_a_stream_has_is_told_without_reading_the_file(monkeypatch):
    from habeas.services import held as held_module

    held = HeldRows(limit=2)
    held.created("A")
    for version in range(1, 6):
        held.add("A", row("A", version))
        held.trim()
    monkeypatch.setattr(held_module.os, "pread", None)  # any read of the file would fail
    assert held.rows_in("A") == 5 and held.rows_in("B") == 0
