"""`habeas report`: the spec, its shareable query, the formats, the chart, nothing logged."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from habeas.db.engine import make_engine, migrate
from habeas.statistics.spec import ReportSpec, SpecError, parse_years
from tests.statistics.caseload import caseload
from tests.test_cli import habeas

AT = "2026-11-25T12:00:00+00:00"
SECTIONS = ["detention", "custody", "torture", "trial", "corruption"]
REGIONS = ["almaty", "shymkent", "astana", "abai", "north-kazakhstan", "kz", "unknown"]


@given(
    st.sets(st.integers(1990, 2100), min_size=1, max_size=12),
    st.lists(st.sampled_from(SECTIONS), unique=True),
    st.lists(st.sampled_from(REGIONS), unique=True),
)
def test_a_spec_and_its_query_round_trip(years, sections, regions):
    spec = ReportSpec(tuple(years), tuple(sections), tuple(regions))
    query = spec.query()
    assert ReportSpec.parse(query) == spec
    assert ReportSpec.parse(query).query() == query


def test_years_read_as_runs_and_bad_specs_name_their_part():
    assert parse_years("2022-2024") == (2022, 2023, 2024)
    assert ReportSpec.parse("years=2024,2019,2020-2021&regions=almaty,almaty").query() == (
        "years=2019-2021,2024&regions=almaty"
    )
    for bad, part in (
        ("years=20x4", "years"),
        ("years=2024&colour=red", "colour"),
        ("sections=detention", "years"),
        ("years=2030-2020", "years"),
    ):
        try:
            ReportSpec.parse(bad)
        except SpecError as exc:
            assert str(exc).startswith(part), exc
        else:
            raise AssertionError(bad)


def imported(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'stats.db'}"
    migrate(make_engine(url))
    path = tmp_path / "caseload.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in caseload()) + "\n", encoding="utf-8")
    habeas("import", str(path), db=url)
    return url


def test_report_formats_and_the_shareable_query(tmp_path):
    url = imported(tmp_path)
    args = ("report", "--years", "2023-2025", "--section", "detention", "--region", "almaty", "--region", "shymkent")
    body = json.loads(habeas(*args, "--format", "json", "--at", AT, db=url).stdout)
    assert body["query"] == "years=2023-2025&sections=detention&regions=almaty,shymkent"
    assert body["regions"] == ["almaty", "shymkent", "kz"]
    assert list(body["indicators"]) == ["L2", "L3", "L6", "L7"]
    assert body["indicators"]["L2"]["findings"] == ["KZ-DETENTION-LIMIT"]
    ended = {(c["region"], c["year"]): c for c in body["cells"] if c["indicator"] == "L2" and c["measure"] == "ended"}
    assert ended[("almaty", 2024)] == {
        "indicator": "L2",
        "measure": "ended",
        "label": "detentions ended",
        "region": "almaty",
        "year": 2024,
        "value": None,
        "suppressed": True,
        "withheld": "small",
    }
    assert ended[("almaty", 2023)]["value"] == 0  # a zero counts no one: published
    assert all(c["value"] is None for c in body["cells"] if c["suppressed"])
    # the query reproduces the report
    again = json.loads(habeas("report", "--query", body["query"], "--format", "json", "--at", AT, db=url).stdout)
    assert again == body
    rows = list(csv.DictReader(io.StringIO(habeas(*args, "--format", "csv", "--at", AT, db=url).stdout)))
    assert rows[0].keys() == {"indicator", "measure", "label", "region", "year", "value", "suppressed", "withheld"}
    withheld = [r for r in rows if r["suppressed"] == "true"]
    assert withheld and {r["value"] for r in withheld if r["withheld"] == "small"} == {"< 5"}
    assert {r["value"] for r in withheld if r["withheld"] != "small"} <= {"x"}
    shown = habeas(*args, "--at", AT, db=url).stdout
    assert "< 5" in shown and "share: habeas report --query 'years=2023-2025&sections=detention" in shown


def test_reading_a_report_logs_nothing(tmp_path):
    url = imported(tmp_path)
    habeas("report", "--years", "2024", "--format", "json", db=url)
    with make_engine(url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reads")).scalar() == 0


def test_a_chart_as_svg_and_png(tmp_path):
    url = imported(tmp_path)
    svg, png = tmp_path / "r.svg", tmp_path / "r.png"
    habeas("report", "--years", "2023-2025", "--section", "trial", "--chart", str(svg), "--at", AT, db=url)
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    habeas("report", "--years", "2023-2024", "--chart", str(png), "--format", "csv", db=url)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = habeas("report", "--years", "2024", "--chart", str(tmp_path / "r.gif"), db=url, check=False)
    assert bad.returncode == 2 and ".svg or .png" in bad.stderr


def test_unknown_names_are_refused(tmp_path):
    url = imported(tmp_path)
    done = habeas("report", "--years", "2024", "--region", "atlantis", db=url, check=False)
    assert done.returncode == 2 and "regions: 'atlantis' is not a region" in done.stderr
    done = habeas("report", "--years", "2024", "--section", "weather", db=url, check=False)
    assert done.returncode == 2 and "sections: 'weather'" in done.stderr
    done = habeas("report", db=url, check=False)
    assert done.returncode == 2 and "--years" in done.stderr
