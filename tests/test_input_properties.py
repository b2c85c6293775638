"""Any file, however mangled: stored whole or refused line by line, alike on both stores (Hypothesis).

Valid import lines are mutated at random (a field dropped, retyped or renamed, the line cut
short, a value nested deep, extreme numbers, times and lengths, bad Unicode) and imported
as a user imports them: through `Register.import_lines` on SQLite and on PostgreSQL, and for
some files through the real `habeas import` in a subprocess. For every file: everything is
stored (exit 0), or nothing is and each bad line is named (exit 2); never an exception, a
traceback or exit 1; the same verdict on both stores. Examples: HABEAS_INPUT_EXAMPLES
(default 80) and HABEAS_INPUT_CLI_EXAMPLES (default 3).
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from habeas.clock import FixedClock
from habeas.db.engine import make_engine, migrate
from habeas.db.schema import metadata
from habeas.domain.events import Refused, decode_line, parse_event
from habeas.domain.vocabulary import KINDS
from habeas.jurisdictions import load
from habeas.services import maintenance
from habeas.services.register import Register
from tests.conftest import POSTGRES_URL, REGISTRAR, _drop_postgres_database, _postgres_database, one_case_lines

LAW = load("kz")
CLOCK = FixedClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
ACTOR = {"id": "inv-301", "role": "investigator", "agency": "police-astana-almaty-district"}
BASE = [json.loads(line) for line in one_case_lines()] + [
    {
        "id": "ex-0020",
        "kind": "facility.visited",
        "occurred_at": "2024-08-01T10:00:00+05:00",
        "actor": {"id": "npm-1", "role": "ombudsman"},
        "data": {"facility": "EC-166/1", "findings": "overcrowded cells"},
    },
    {
        "id": "ex-0021",
        "kind": "record.corrected",
        "case": "KZ-2024-000123",
        "occurred_at": "2024-08-02T10:00:00+05:00",
        "actor": ACTOR,
        "data": {
            "event": "ex-0005",
            "reason": "wrong time and place",
            "data": {"occurred_at": "2024-04-01T16:30:00+05:00", "place": "bus stop"},
        },
    },
    {
        "id": "ex-0022",
        "kind": "record.corrected",
        "case": "KZ-2024-000123",
        "occurred_at": "2024-08-02T11:00:00+05:00",
        "actor": {"id": "ij-5", "role": "investigating_judge"},
        "data": {"event": "ex-0014", "reason": "typo", "data": {"until": "2024-05-25T09:00+05:00"}},
    },
    json.loads(one_case_lines()[2]),  # sent twice: skipped
]
IDS = sorted({raw["id"] for raw in BASE})
EXAMPLES = int(os.environ.get("HABEAS_INPUT_EXAMPLES", "80"))
CLI_EXAMPLES = int(os.environ.get("HABEAS_INPUT_CLI_EXAMPLES", "3"))
SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]

ODD = st.sampled_from([None, True, False, 0, 1, -1, 2.5, "", " ", "x", "yes", "no", "2", "24", [], {}, ["x"], {"a": 1}])
TIMES = st.sampled_from(
    [
        "9999-12-31T23:59:59+05:00",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+05:00",
        "2024-04-02+05:00",
        "2024-04-02",
        "2024-04-02T10:00",
        "2200-12-31T23:30:00-05:00",
        "1900-01-01T00:30:00+05:00",
        "1900-01-01T05:00:00+05:00",
        "2200-12-31T23:59:59Z",
        "2024-03-01T10:00:00+05:00:30",
        "2024-03-01T10:00:00+14:00",
        "2024-03-01 10:00:00.123456+05:00",
        "2024-13-01T10:00:00+05:00",
    ]
)
LONG = st.builds(lambda c, n: c * n, st.sampled_from(["x", "Ж", "😀"]), st.sampled_from([128, 129, 200, 4001, 70_000]))
TEXTS = LONG | st.sampled_from(
    ["\ud83d", "x\u0000y", "\udfff\ud83d", "😀", "a\u2028b", "\x1b[31mred", "Жалоба", "[/]", "F" * 150, "F" * 151]
)
NUMBERS = st.integers(-(10**25), 10**25) | st.sampled_from([2**63, -(2**63) - 1, 1e308, -0.0, 1e-300])
# text put in place of a value: numbers the JSON encoder would not write, and nesting
LITERALS = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" * 21, "1" * 5000, "0.1e-99999"]) | (
    st.sampled_from([1, 15, 16, 17, 100, 1000, 5000]).map(lambda n: "[" * n + "1" + "]" * n)
)


def paths(value, prefix: tuple = ()) -> list[tuple]:
    """Where a mutation may strike: every field and list item, at any depth."""
    found: list[tuple] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        found.append((*prefix, key))
        found += paths(inner, (*prefix, key))
    return found


@st.composite
def mutated_line(draw, raw: dict) -> str:
    raw = copy.deepcopy(raw)
    where = draw(st.sampled_from(paths(raw)))
    parent = raw
    for key in where[:-1]:
        parent = parent[key]
    key = where[-1]
    how = draw(
        st.sampled_from(
            ["drop", "retype", "rename", "truncate", "time", "text", "number", "literal", "add", "kind", "case", "id"]
        )
    )
    literal = None
    if how == "drop":
        del parent[key]
    elif how == "retype":
        parent[key] = draw(ODD)
    elif how == "rename" and isinstance(parent, dict):
        parent[key + draw(st.sampled_from(["_", "s", "\u0000", "\ud83d"]))] = parent.pop(key)
    elif how == "kind":
        raw["kind"] = draw(st.sampled_from(KINDS))
    elif how == "case":
        raw["case"] = draw(st.sampled_from(["facility:EC-166/1", "#facility:EC-166/1", "KZ-OTHER", "K" * 129, None]))
    elif how == "id":
        raw["id"] = draw(st.sampled_from(IDS))
    elif how == "time":
        parent[key] = draw(TIMES)
    elif how == "text":
        parent[key] = draw(TEXTS)
    elif how == "number":
        parent[key] = draw(NUMBERS)
    elif how == "literal":
        parent[key], literal = "@LITERAL@", draw(LITERALS)
    elif how == "add" and isinstance(parent, dict):
        parent[draw(st.sampled_from(["extra", "notes", "grounds", "case", "id"]))] = draw(ODD | TEXTS)
    line = json.dumps(raw, ensure_ascii=draw(st.booleans()))
    if literal is not None:
        line = line.replace('"@LITERAL@"', literal)
    if how == "truncate":
        line = line[: draw(st.integers(0, len(line) - 1))]
    return line


@st.composite
def mutated_files(draw) -> tuple[list[str], set[int]]:
    """A prefix of a valid case (so later lines have their case), 0 to 3 lines mutated."""
    raws = BASE[: draw(st.integers(3, len(BASE)))]
    lines = [json.dumps(raw) for raw in raws]
    mutated: set[int] = set()
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(raws) - 1))
        lines[index] = draw(mutated_line(raws[index]))
        mutated.add(index + 1)
    return lines, mutated


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """One database per store for all examples, emptied before each (a fresh database per
    example would cost more than the example). PostgreSQL when the suite is given one."""
    urls = [f"sqlite:///{tmp_path_factory.mktemp('input') / 'habeas.db'}"]
    if POSTGRES_URL:
        urls.append(_postgres_database())
    engines = []
    for url in urls:
        engine = make_engine(url)
        migrate(engine)
        engines.append(engine)
    yield list(zip(urls, engines, strict=True))
    for url, engine in zip(urls, engines, strict=True):
        engine.dispose()
        if url.startswith("postgresql"):
            _drop_postgres_database(url)


def empty(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events")).scalar()


def alone_refused(line: str) -> bool:
    """Whether the line is bad on its own (the parser's verdict, apart from the register)."""
    try:
        parse_event(decode_line(line.strip()))
    except Refused:
        return True
    return False


def verdict(engine, lines: list[str]) -> tuple:
    """Import as the service does; check what must hold whatever the file; the verdict."""
    empty(engine)
    report = Register(engine, LAW, CLOCK).import_lines(lines, REGISTRAR)
    said = [text for error in report.errors for text in error.lines()]
    if report.ok:
        assert report.stored + report.skipped == len([line for line in lines if line.strip()])
        assert count(engine) == report.stored and maintenance.verify(engine).intact
    else:
        assert report.stored == 0 and count(engine) == 0
        assert [e.line for e in report.errors] == sorted({e.line for e in report.errors})
        for error in report.errors:
            assert 1 <= error.line <= len(lines) and error.problems
            assert all(p.field and p.reason and "\n" not in str(p) for p in error.problems), error
    refused = {e.line for e in report.errors}
    assert {n for n, line in enumerate(lines, 1) if line.strip() and alone_refused(line)} <= refused
    return report.ok, report.stored, report.skipped, said


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=SLOW)
@given(file=mutated_files())
def test_a_mutated_file_is_stored_whole_or_refused_line_by_line_alike_on_both_stores(stores, file):
    lines, _ = file
    verdicts = [verdict(engine, lines) for _, engine in stores]
    assert all(v == verdicts[0] for v in verdicts), verdicts


@settings(max_examples=CLI_EXAMPLES, deadline=None, suppress_health_check=SLOW)
@given(file=mutated_files().filter(lambda f: f[1]))
def test_habeas_import_of_a_mutated_file_exits_0_or_2_with_the_same_lines(stores, tmp_path_factory, file):
    lines, _ = file
    path = tmp_path_factory.mktemp("cli") / "mutated.jsonl"
    # a file is UTF-8: a lone surrogate can only come escaped (the raw ones fail as a whole file)
    lines = [SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", line) for line in lines]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    for url, engine in stores:
        ok, stored, skipped, said = verdict(engine, lines)
        empty(engine)
        done = subprocess.run(
            [sys.executable, "-m", "habeas", "import", str(path)],
            capture_output=True,
            text=True,
            env={**os.environ, "HABEAS_DATABASE_URL": url, "COLUMNS": "200"},
            timeout=300,
        )
        assert "Traceback" not in done.stderr, done.stderr
        if ok:
            assert done.returncode == 0, done.stderr
            assert done.stdout.strip() == f"stored {stored}, skipped {skipped} (already stored)"
            assert count(engine) == stored
        else:
            assert done.returncode == 2, done.stderr
            assert [line for line in done.stderr.split("\n") if line.startswith("line ")] == said
            assert count(engine) == 0


SURROGATE = re.compile("[\ud800-\udfff]")
