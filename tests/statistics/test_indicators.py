"""Each indicator of law-kz.md's table against the hand-built caseload (caseload.py).

The expected numbers were counted by hand from the cases described in caseload.py's
docstring; suppression is off here (threshold 1) so every count shows — suppression has
its own tests. As of 2026-11-25: whatever limit was still running then is past.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from habeas.clock import FixedClock
from habeas.db.engine import make_engine, migrate
from habeas.jurisdictions import load
from habeas.services import statistics
from habeas.services.register import Register
from habeas.statistics.spec import ReportSpec
from tests.conftest import REGISTRAR
from tests.statistics.caseload import lines

AS_OF = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('stats') / 'habeas.db'}"
    engine = make_engine(url)
    migrate(engine)
    Register(engine, load("kz"), FixedClock(AS_OF)).import_lines(lines(), REGISTRAR)
    report = statistics.report(engine, ReportSpec.parse("years=2023-2025"), AS_OF, threshold=1)
    yield engine, report
    engine.dispose()


@pytest.fixture(scope="module")
def cell(built):
    values = {
        (
            c.indicator,
            c.measure.split(".", 1)[-1] if c.measure.startswith(c.indicator) else c.measure,
            c.region,
            c.year,
        ): c.value
        for c in built[1].cells
    }

    def get(indicator, measure, region, year):
        return values[(indicator, measure, region, year)]

    return get


def table(cell, indicator, measures, region, year):
    return {m: cell(indicator, m, region, year) for m in measures}


def test_L1_unsentenced_share_on_the_stock_day(cell):
    m = ["held", "unsentenced", "sentenced", "share_unsentenced"]
    assert table(cell, "L1", m, "almaty", 2024) == {
        "held": 1,
        "unsentenced": 0,
        "sentenced": 1,
        "share_unsentenced": 0.0,
    }
    assert table(cell, "L1", m, "almaty", 2025) == {
        "held": 2,
        "unsentenced": 0,
        "sentenced": 2,
        "share_unsentenced": 0.0,
    }
    assert table(cell, "L1", m, "shymkent", 2025) == {
        "held": 1,
        "unsentenced": 1,
        "sentenced": 0,
        "share_unsentenced": 100.0,
    }
    assert table(cell, "L1", m, "kz", 2025) == {"held": 3, "unsentenced": 1, "sentenced": 2, "share_unsentenced": 33.3}
    assert cell("L1", "held", "kz", 2023) == 0


def test_L2_detentions_ended_within_the_limit(cell):
    m = ["ended", "within", "past", "share_within"]
    assert table(cell, "L2", m, "almaty", 2024) == {"ended": 3, "within": 2, "past": 1, "share_within": 66.7}
    assert table(cell, "L2", m, "shymkent", 2024) == {"ended": 2, "within": 2, "past": 0, "share_within": 100.0}
    assert table(cell, "L2", m, "kz", 2024) == {"ended": 5, "within": 4, "past": 1, "share_within": 80.0}
    assert table(cell, "L2", m, "shymkent", 2023) == {"ended": 1, "within": 0, "past": 1, "share_within": 0.0}


def test_L3_people_held_past_a_limit_by_stage(cell):
    m = ["detention_past", "custody_past"]
    assert table(cell, "L3", m, "almaty", 2024) == {"detention_past": 1, "custody_past": 0}
    assert table(cell, "L3", m, "shymkent", 2024) == {"detention_past": 0, "custody_past": 1}
    assert table(cell, "L3", m, "shymkent", 2023) == {"detention_past": 1, "custody_past": 0}
    assert table(cell, "L3", m, "kz", 2024) == {"detention_past": 1, "custody_past": 1}


def test_L5_length_of_pre_trial_custody(cell):
    m = ["ended", "mean_days", "median_days"]
    assert table(cell, "L5", m, "almaty", 2024) == {"ended": 1, "mean_days": 40.0, "median_days": 40.0}
    assert table(cell, "L5", m, "kz", 2024) == {"ended": 1, "mean_days": 40.0, "median_days": 40.0}
    assert table(cell, "L5", m, "shymkent", 2024) == {"ended": 0, "mean_days": None, "median_days": None}


def test_L6_counsel_at_the_first_questioning(cell):
    m = ["questioned", "with_counsel", "without_counsel", "share_counsel"]
    assert table(cell, "L6", m, "almaty", 2024) == {
        "questioned": 3,
        "with_counsel": 2,
        "without_counsel": 1,
        "share_counsel": 66.7,
    }
    assert table(cell, "L6", m, "shymkent", 2024) == {
        "questioned": 1,
        "with_counsel": 0,
        "without_counsel": 1,
        "share_counsel": 0.0,
    }
    assert table(cell, "L6", m, "kz", 2024) == {
        "questioned": 4,
        "with_counsel": 2,
        "without_counsel": 2,
        "share_counsel": 50.0,
    }


def test_L7_rights_explained_on_record(cell):
    m = ["detentions", "explained", "not_explained", "share_explained"]
    assert table(cell, "L7", m, "almaty", 2024) == {
        "detentions": 3,
        "explained": 2,
        "not_explained": 1,
        "share_explained": 66.7,
    }
    assert table(cell, "L7", m, "shymkent", 2024) == {
        "detentions": 2,
        "explained": 1,
        "not_explained": 1,
        "share_explained": 50.0,
    }
    assert table(cell, "L7", m, "kz", 2024) == {
        "detentions": 5,
        "explained": 3,
        "not_explained": 2,
        "share_explained": 60.0,
    }


def test_L9_custody_petitions_granted(cell):
    m = ["petitions", "granted", "refused", "pending", "share_granted"]
    assert table(cell, "L9", m, "almaty", 2024) == {
        "petitions": 1,
        "granted": 1,
        "refused": 0,
        "pending": 0,
        "share_granted": 100.0,
    }
    assert table(cell, "L9", m, "shymkent", 2024) == {
        "petitions": 2,
        "granted": 1,
        "refused": 1,
        "pending": 0,
        "share_granted": 50.0,
    }
    assert table(cell, "L9", m, "kz", 2024) == {
        "petitions": 3,
        "granted": 2,
        "refused": 1,
        "pending": 0,
        "share_granted": 66.7,
    }


def test_T1_torture_complaints_from_filing_to_conviction(cell):
    m = ["filed", "registered", "investigated", "sent_to_court", "convicted"]
    assert table(cell, "T1", m, "shymkent", 2023) == dict.fromkeys(m, 1)
    assert table(cell, "T1", m, "almaty", 2023) == dict.fromkeys(m, 0)
    assert table(cell, "T1", m, "kz", 2024) == dict.fromkeys(m, 0)


def test_T3_deaths_in_custody(cell):
    m = ["deaths", "place_detention", "place_custody", "place_prison", "cause_illness", "cause_other", "per_10000"]
    assert table(cell, "T3", m, "shymkent", 2023) == {
        "deaths": 1,
        "place_detention": 1,
        "place_custody": 0,
        "place_prison": 0,
        "cause_illness": 1,
        "cause_other": 0,
        "per_10000": None,
    }  # no one was held on 31 January 2023: no rate
    assert cell("T3", "deaths", "kz", 2024) == 0
    assert cell("T3", "per_10000", "kz", 2025) == 0.0  # 3 held, no death


def test_T4_medical_examination_after_an_allegation(cell):
    m = ["allegations", "examined", "not_examined", "examined_in_time", "share_examined"]
    assert table(cell, "T4", m, "shymkent", 2023) == {
        "allegations": 1,
        "examined": 1,
        "not_examined": 0,
        "examined_in_time": 1,
        "share_examined": 100.0,
    }


def test_F1_acquittals_and_closures(cell):
    m = ["tried", "convicted", "acquitted", "acquittal_rate"]
    assert table(cell, "F1", m, "almaty", 2024) == {"tried": 2, "convicted": 1, "acquitted": 1, "acquittal_rate": 50.0}
    assert table(cell, "F1", m, "shymkent", 2024) == {"tried": 1, "convicted": 1, "acquitted": 0, "acquittal_rate": 0.0}
    assert table(cell, "F1", m, "kz", 2024) == {"tried": 3, "convicted": 2, "acquitted": 1, "acquittal_rate": 33.3}
    c = ["closed", "closed_reconciliation", "closed_no_evidence", "closed_no_crime", "closed_pre_trial", "closed_trial"]
    assert table(cell, "F1", c, "almaty", 2024) == {
        "closed": 1,
        "closed_reconciliation": 0,
        "closed_no_evidence": 1,
        "closed_no_crime": 0,
        "closed_pre_trial": 1,
        "closed_trial": 0,
    }
    assert table(cell, "F1", c, "shymkent", 2024) == {
        "closed": 1,
        "closed_reconciliation": 1,
        "closed_no_evidence": 0,
        "closed_no_crime": 0,
        "closed_pre_trial": 1,
        "closed_trial": 0,
    }


def test_F2_appeals(cell):
    m = ["filed", "late", "in_time", "outcome_upheld", "outcome_other", "undecided"]
    assert table(cell, "F2", m, "almaty", 2024) == {
        "filed": 1,
        "late": 0,
        "in_time": 1,
        "outcome_upheld": 1,
        "outcome_other": 0,
        "undecided": 0,
    }
    assert cell("F2", "filed", "shymkent", 2024) == 0


def test_F4_reconciliation_closures(cell):
    m = ["F1.closed_reconciliation", "without_consent", "ineligible"]
    assert table(cell, "F4", m, "shymkent", 2024) == {
        "F1.closed_reconciliation": 1,
        "without_consent": 1,
        "ineligible": 0,
    }
    assert table(cell, "F4", m, "almaty", 2024) == dict.fromkeys(m, 0)


def test_P1_prisoners_per_100000_against_the_space_median(cell, built):
    m = ["L1.held", "population", "per_100k", "space_median"]
    # almaty 2025: 2 held of 2,292,333 (the Bureau's first release for 1 January) → 0.087 per 100,000
    assert table(cell, "P1", m, "almaty", 2025) == {
        "L1.held": 2,
        "population": 2_292_333,
        "per_100k": 0.1,
        "space_median": None,
    }
    # the country 2025: 3 held of 20,283,399 (the Bureau's published figure at 1 January) → 0.015
    assert table(cell, "P1", m, "kz", 2025) == {
        "L1.held": 3,
        "population": 20_283_399,
        "per_100k": 0.0,
        "space_median": 105,
    }
    estimate = {(c.measure, c.region, c.year): c.estimate for c in built[1].cells if c.indicator == "P1"}
    assert not estimate[("population", "almaty", 2025)] and not estimate[("P1.per_100k", "almaty", 2025)]
    assert estimate[("population", "abai", 2025)]  # no published figure found for the Abai region
    assert not estimate[("population", "kz", 2025)] and not estimate[("P1.per_100k", "kz", 2025)]
    assert not estimate[("L1.held", "almaty", 2025)]  # a count is never an estimate
    assert cell("P1", "space_median", "kz", 2023) is None  # no SPACE I version before 2024 in the data


def test_every_population_figure_is_dated_sourced_and_marked():
    """population.yaml: each figure published or an estimate; each named source listed with
    its date; the country's published figure stands for `kz` (not the sum of estimates)."""
    from habeas.jurisdictions import reference
    from habeas.statistics.indicators import _population

    raw = reference.load("kz")["population"]
    sources = raw["sources"]
    assert all(s.get("published") and s.get("title") for s in sources.values())
    regions = {r["code"] for r in reference.load("kz")["regions"]["regions"]}
    for version in raw["years"]:
        assert set(version["by_region"]) == regions, version["year"]
        for figure in [*version["by_region"].values(), version.get("national")]:
            if isinstance(figure, dict):
                assert figure["certainty"] in ("published", "estimate") and figure["source"] in sources
    by_year = _population(raw)
    figures, estimated = by_year[2026]
    assert figures["kz"] == 20_495_975 and "kz" not in estimated  # Kazinform, 2 February 2026
    assert figures["almaty"] == 2_347_924 and "almaty" not in estimated
    assert "abai" in estimated and "pavlodar" in estimated
    figures, estimated = by_year[2025]
    assert figures["almaty"] == 2_292_333 and figures["ulytau"] == 221_317 and "astana" not in estimated
    figures, estimated = by_year[2024]
    assert figures["astana"] == 1_430_105 and "almaty-region" in estimated  # its 1 February figure only
    figures, estimated = by_year[2021]
    assert figures["kz"] == 18_879_552 and "kz" not in estimated
    figures, estimated = by_year[2020]
    assert "kz" in estimated and figures["kz"] == sum(v for k, v in figures.items() if k != "kz")


def test_C1_corruption_cases_by_agency(cell):
    m = ["cases", "agency_police", "agency_anticorruption", "agency_prosecutor"]
    assert table(cell, "C1", m, "almaty", 2024) == {
        "cases": 1,
        "agency_police": 1,
        "agency_anticorruption": 0,
        "agency_prosecutor": 0,
    }
    assert table(cell, "C1", m, "unknown", 2024) == {
        "cases": 1,
        "agency_police": 0,
        "agency_anticorruption": 1,
        "agency_prosecutor": 0,
    }
    assert table(cell, "C1", m, "kz", 2024) == {
        "cases": 2,
        "agency_police": 1,
        "agency_anticorruption": 1,
        "agency_prosecutor": 0,
    }
    # by the accused official's agency: KZ-U names the police (v2 field); KZ-A5 names none (as v1)
    m = ["accused_police", "accused_penitentiary", "accused_other", "accused_not_recorded"]
    assert table(cell, "C1", m, "unknown", 2024) == {
        "accused_police": 1,
        "accused_penitentiary": 0,
        "accused_other": 0,
        "accused_not_recorded": 0,
    }
    assert table(cell, "C1", m, "almaty", 2024) == {
        "accused_police": 0,
        "accused_penitentiary": 0,
        "accused_other": 0,
        "accused_not_recorded": 1,
    }
    assert table(cell, "C1", m, "kz", 2024) == {
        "accused_police": 1,
        "accused_penitentiary": 0,
        "accused_other": 0,
        "accused_not_recorded": 1,
    }


def test_the_projection_and_a_scan_of_the_log_give_the_same_report(register, engine):
    register.import_lines(lines(), REGISTRAR)
    spec = ReportSpec.parse("years=2023-2025")
    assert (
        statistics.report(engine, spec, AS_OF, threshold=1).to_dict()
        == statistics.report_from_log(engine, spec, AS_OF, threshold=1).to_dict()
    )
    plain = statistics.report(engine, spec, AS_OF, threshold=1)
    suppressed = statistics.report(engine, spec, AS_OF)
    assert suppressed.min_count == 5
    for shown, hidden in zip(plain.cells, suppressed.cells, strict=True):
        assert (shown.indicator, shown.measure, shown.region, shown.year) == (
            hidden.indicator,
            hidden.measure,
            hidden.region,
            hidden.year,
        )
        counted = "." in shown.measure and isinstance(shown.value, int)
        if counted and 0 < shown.value < 5:
            assert hidden.suppressed and hidden.value is None, shown
        if not hidden.suppressed:
            assert hidden.value == shown.value
