"""What a reader sees: recorded text printed as written, tables without holes, duties that say when."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.table import Table

from habeas.law.rules import describe, rule_codes
from habeas.presentation import findings as words
from habeas.presentation import terminal
from habeas.services import queries
from tests.conftest import OPERATOR, REGISTRAR, event
from tests.test_alerts import detention_case
from tests.test_cli import habeas

CASE = "KZ-2024-000500"
EARLY = datetime.fromisoformat("2024-03-01T12:00:00+05:00")  # detained, rights not yet explained
MARKUP = ["[/]", "[bold]", "[red]x[/red]", "[link=http://x]y[/link]", "\\[/]"]


def markup_case() -> list[dict]:
    """A case whose recorded text looks like Rich markup everywhere it can."""
    case = detention_case()
    case[0]["data"]["summary"] = "fight [/] outside [bold]the bar"
    case[2]["data"]["name"] = "[bold]Aset[/] [/] Nur"
    case[3]["data"]["place"] = "[red]street[/red] [/]"
    fix = event(
        "record.corrected",
        {"event": f"{CASE}-4", "reason": "misread [/] [bold]", "data": {"place": "[/]park"}},
        case=CASE,
        id="fix-1",
    )
    return [*case, fix]


@pytest.fixture
def recorded(tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    habeas("init", db=db)
    lines = tmp_path / "case.jsonl"
    lines.write_text("\n".join(json.dumps(e) for e in markup_case()) + "\n")
    habeas("import", str(lines), db=db)
    return db


def test_recorded_text_that_looks_like_markup_is_printed_as_written(recorded):
    shown = habeas("case", "show", CASE, "--purpose", "review [/] [bold]", db=recorded).stdout
    for text in ("fight [/] outside [bold]the bar", "[bold]Aset[/] [/] Nur", "[red]street[/red] [/]", "misread [/]"):
        assert text in shown
    assert "[/]park" in shown
    reads = habeas("reads", "--case", CASE, db=recorded).stdout
    assert "review [/] [bold]" in reads
    assert "KZ-DETENTION-RIGHTS" in habeas("alerts", "--at", EARLY.isoformat(), db=recorded).stdout


def test_an_unknown_case_named_in_markup_is_an_error_that_quotes_it(recorded):
    for spelling in MARKUP:
        done = habeas("case", "show", spelling, db=recorded, check=False)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        # brackets are no part of a case number: refused as such, quoted as typed, not read as markup
        assert f"refused: {spelling!r} is not a case number" in done.stderr


def header_cells(output: str) -> list[list[str]]:
    """The header row of every table printed (the line after each top border)."""
    lines = output.splitlines()
    return [
        [cell.strip() for cell in lines[i + 1].strip("┃").split("┃")]
        for i, line in enumerate(lines)
        if line.startswith("┏")
    ]


def test_every_column_the_cli_prints_has_a_header(recorded):
    for args in (
        ("alerts", "--at", EARLY.isoformat()),
        ("case", "show", CASE, "--at", EARLY.isoformat()),
        ("case", "list"),
        ("reads", "--case", CASE),
        ("law", "show", "KZ-DETENTION-LIMIT"),
    ):
        printed = header_cells(habeas(*args, db=recorded).stdout)
        assert printed, args
        for headers in printed:
            assert all(headers), (args, headers)


def assert_no_holes(table: Table) -> None:
    """Every column has a header and at least one row that fills it."""
    for column in table.columns:
        assert str(column.header).strip(), [str(c.header) for c in table.columns]
        assert any(str(cell).strip() for cell in column.cells), f"column {column.header!r} is empty"


def test_a_duty_with_no_due_time_says_what_it_is_due_before(register, engine, law):
    register.import_lines([json.dumps(e) for e in detention_case()], REGISTRAR)
    found = words.alerts_json(queries.alerts(engine, EARLY, reader=OPERATOR, law=law, now=EARLY), EARLY, law)
    rights = next(f for f in found if f["code"] == "KZ-DETENTION-RIGHTS")
    assert rights["due_at"] is None
    assert rights["due_before"] == "before the first questioning or detention protocol"
    assert all("due_before" not in f for f in found if f["due_at"])
    board = terminal.findings(found, "Alerts")
    assert_no_holes(board)
    due = next(c for c in board.columns if c.header == "due")
    assert "before the first questioning or detention protocol" in [str(cell) for cell in due.cells]


def test_what_a_duty_is_due_before_is_read_from_the_rule(law):
    before = [code for code in rule_codes(law) if describe(law, code)["mechanism"] == "before"]
    assert before, "the kz package has a before-duty"
    for code in before:
        kinds = describe(law, code)["due_kinds"]
        said = words.due_before(law, code)
        assert said.startswith("before the first ")
        assert said.count(" or ") == len(kinds) - 1
    deadline = next(code for code in rule_codes(law) if describe(law, code)["mechanism"] == "deadline")
    assert words.due_before(law, deadline) is None


def test_a_case_files_findings_have_no_case_column_and_no_empty_one(register, engine, law, clock):
    register.import_lines([json.dumps(e) for e in detention_case()], REGISTRAR)
    file = queries.case_file(engine, law, CASE, OPERATOR, "test", EARLY, clock.now())
    headline, parties, timeline, found = terminal.case_file(words.case_file_json(file, EARLY, law))
    for table in (parties, timeline, found):
        assert_no_holes(table)
    assert "case" not in [c.header for c in found.columns]
    assert "born" in [c.header for c in parties.columns]


def test_a_column_no_row_fills_is_left_out():
    shown = terminal.table(
        "T", [("a", lambda r: r[0]), ("b", lambda r: r[1]), ("c", lambda r: None)], [("1", ""), ("2", " ")]
    )
    assert [c.header for c in shown.columns] == ["a"]


def test_alerts_with_no_person_and_no_time_left_show_neither_column(law):
    found = [
        {"code": "KZ-INCONSISTENT-TIMELINE", "status": "breached", "case": "KZ-1", "person": None, "due_at": None,
         "citation": "CPC art. 1", "kind": "violation", "message": "KZ-INCONSISTENT-TIMELINE", "params": {}},
    ]  # fmt: skip
    board = terminal.findings(words.alerts_json(found, EARLY, law), "Alerts")
    assert_no_holes(board)
    assert [c.header for c in board.columns] == ["status", "case", "code", "citation", "what the law requires"]


FINITE_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**18), 10**18)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.just("2026-11-30T06:05:24.777050+00:00"),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=1000, deadline=None)
@given(FINITE_JSON)
def test_an_answer_is_written_as_json_writes_it_whichever_encoder_writes_it(answer):
    """msgspec writes the answer unless it holds a float; a time's fraction in a string is none."""
    try:
        expected = json.dumps(answer, ensure_ascii=False, indent=2)
        expected.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no answer holds one
        return
    assert words.dumps(answer) == expected
