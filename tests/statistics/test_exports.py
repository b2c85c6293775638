"""The offence-level open data and the UN-CTS export: counted by hand on the hand-built
caseload, and suppressed in one table with the reports (no product reveals another's
withheld count)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

from habeas.jurisdictions import load, reference
from habeas.law.offences import iccs_of
from habeas.services import episode_counts, statistics
from habeas.simulator import generate
from habeas.statistics.indicators import NATIONAL, OPEN_DATA, UN_CTS, Definitions, Regions, compute
from habeas.statistics.spec import ReportSpec
from habeas.statistics.suppression import Relation
from tests.conftest import REGISTRAR
from tests.statistics.caseload import lines
from tests.statistics.test_report import imported
from tests.statistics.test_suppression import recoverable
from tests.test_cli import habeas

AS_OF = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SPEC = ReportSpec.parse("years=2024")


def _code(article: str, part: int) -> str:
    """The one ICCS code of an article and part, as the law package's catalogue gives it."""
    (code,) = iccs_of(load("kz"), article, part, date(2024, 3, 1))
    return code


def _category(code: str) -> set[str]:
    """The UN-CTS categories a code counts in (prefixes, un-cts.yaml)."""
    layout = reference.load("kz")["un-cts"]["categories"]
    return {c["code"] for c in layout if any(code.startswith(p) for p in c["iccs"])}


def test_open_data_by_article_and_region(register, engine):
    register.import_lines(lines(), REGISTRAR)
    columns, rows = statistics.export(engine, "offences", SPEC, AS_OF, threshold=1)
    assert columns == ("year", "region", "article", "iccs", "cases_registered", "suppressed", "withheld")
    got = {(r["region"], r["article"], r["iccs"]): r["cases_registered"] for r in rows if r["cases_registered"]}
    theft, aggravated = _code("188", 1), _code("188", 2)
    expected: dict = {}
    for key, n in [
        (("almaty", "188", aggravated), 2),  # A1, A2 (part 2)
        (("almaty", "188", theft), 1),  # A4 (part 1)
        (("almaty", "190", _code("190", 1)), 1),  # A3
        (("almaty", "361", _code("361", 1)), 1),  # A5
        (("shymkent", "188", aggravated), 2),  # S1, S3
        (("unknown", "366", _code("366", 1)), 1),  # U
        (("kz", "188", aggravated), 4),
        (("kz", "188", theft), 1),
        (("kz", "190", _code("190", 1)), 1),
        (("kz", "361", _code("361", 1)), 1),
        (("kz", "366", _code("366", 1)), 1),
    ]:
        expected[key] = expected.get(key, 0) + n
    assert got == expected
    assert all(" " not in code for _, _, code in got)  # one code a row: no case counted twice


def test_hooliganism_and_serious_assault_have_their_un_cts_categories():
    assert _category(_code("293", 1)) == {"public_order"}
    assert _category(_code("293", 2)) == {"public_order"}
    assert "serious_assault" in _category(_code("106", 1))  # grave harm to health: 020111
    assert _category(_code("99", 1)) == {"homicide"}
    assert _category(_code("146", 1)) == {"torture"}


def test_un_cts_layout(register, engine):
    register.import_lines(lines(), REGISTRAR)
    _, rows = statistics.export(engine, "un-cts", SPEC, AS_OF, threshold=1)
    got = {(r["section"], r["item"]): r["value"] for r in rows}
    # 188 part 1 is theft; part 2 (A1, A2, S1, S3) theft or burglary as the catalogue says, never both
    aggravated = _category(_code("188", 2))
    assert "theft" in _category(_code("188", 1)) and len(aggravated & {"theft", "burglary"}) == 1
    assert got[("offences_recorded", "theft")] == 1 + (4 if "theft" in aggravated else 0)  # A4 (+ part 2)
    assert got[("offences_recorded", "burglary")] == (4 if "burglary" in aggravated else 0)
    assert got[("offences_recorded", "fraud")] == 1
    assert got[("offences_recorded", "corruption")] == 2  # A5, U
    assert got[("offences_recorded", "bribery")] == 1  # U
    assert got[("offences_recorded", "homicide")] == 0  # S2 was registered in 2023
    assert got[("persons", "tried")] == 3 and got[("persons", "convicted")] == 2 and got[("persons", "acquitted")] == 1
    assert got[("persons", "held")] == 1 and got[("persons", "unsentenced")] == 0
    # suppressed as the reports are: corruption (2) is withheld in both
    _, rows = statistics.export(engine, "un-cts", SPEC, AS_OF)
    withheld = {r["item"]: r["value"] for r in rows if r["suppressed"]}
    assert withheld["corruption"] == "< 5"
    report = statistics.report(engine, SPEC, AS_OF)
    assert next(c for c in report.cells if c.measure == "C1.cases" and c.region == NATIONAL).suppressed


def test_the_exports_from_the_command_line(tmp_path):
    url = imported(tmp_path)
    done = habeas("report", "--years", "2024", "--format", "offences", db=url).stdout
    rows = list(csv.DictReader(io.StringIO(done)))
    counts = {r["cases_registered"] for r in rows}
    assert rows and "< 5" in counts  # a small caseload: most withheld
    assert not counts & {"1", "2", "3", "4"}  # no count of one to four people is published
    # one code a row (so a case is counted once)
    assert all(" " not in r["iccs"] for r in rows)
    done = habeas("report", "--years", "2024", "--format", "un-cts", db=url).stdout
    assert done.splitlines()[0] == "year,section,item,label,iccs,value,suppressed,withheld"


def test_reports_and_exports_together_reveal_no_withheld_count(register, engine):
    """Every product's cells, one year: with all the relations between them, none withheld is pinned down."""
    register.import_lines([json.dumps(e) for e in generate(events=6000, seed=11)], REGISTRAR)
    ref = reference.load("kz")
    defs, regions = Definitions.parse(ref["indicators"]), Regions(ref["regions"])
    moment = AS_OF.astimezone(UTC).replace(tzinfo=None)
    found, links = episode_counts.read(engine, SPEC.years, moment, statistics.reference_data("kz"), "kz")
    cells = compute(found, SPEC.years, AS_OF.replace(tzinfo=None), ref, 5, links)
    counted = {
        (c.measure, c.region): c for c in cells if c.measure in defs.count_keys or c.indicator in (OPEN_DATA, UN_CTS)
    }
    hidden = {k for k, c in counted.items() if c.suppressed}
    assert hidden  # the test means something
    everywhere = [*regions.all, NATIONAL]
    offences = sorted({m for m, _ in counted if m.startswith("OD.")})
    relations = [Relation((k, NATIONAL), tuple((k, r) for r in regions.all)) for k in [*defs.count_keys, *offences]]
    for total, parts in defs.relations:
        relations += [Relation((total, r), tuple((p, r) for p in parts)) for r in everywhere]
    for r in everywhere:
        relations.append(Relation(("W1.registered", r), tuple((k, r) for k in offences)))
        relations.append(Relation(("C1.cases", r), tuple((k, r) for k in offences if " 0703" in " " + k.split("|")[1])))
    for cat in ref["un-cts"]["categories"]:
        parts = tuple(
            (k, NATIONAL)
            for k in offences
            if any(code.startswith(p) for code in k.split("|")[1].split() for p in cat["iccs"])
        )
        if parts:
            relations.append(Relation((f"UN.{cat['code']}", NATIONAL), parts))
    assert recoverable(hidden, relations) == set()
