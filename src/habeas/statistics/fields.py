"""The named fields of each kind of episode: what the indicators count by."""

from __future__ import annotations

# What each kind of episode's fields mean: the names the indicators count by (indicators.yaml
# `count`), over the stored columns (stat_episodes keeps generic columns, so no kind needs a
# migration). `ended` (an end on record: for a custody, of its pre-trial part) and
# `past_limit` (as of the report) are every episode's; `case_found`, `case_stage` a
# complaint's linked case (by the ERDR number it was registered under).
NAMED: dict[str, dict[str, str]] = {
    "case": {
        "reported": "flag",
        "registered": "flag2",
        "stage": "outcome",
        "agency": "detail",
        "accused": "person",
        "erdr": "link",
        "iccs": "iccs",
        "article": "article",
    },
    "detention": {"counsel": "flag", "rights_explained": "flag2", "outcome": "outcome", "late": "late"},
    "custody": {"outcome": "outcome", "late": "late"},
    "prison": {},
    "stock": {"sentenced": "flag"},  # a person held on a stock day (indicators.stock_rows)
    "petition": {"answer": "outcome"},
    "complaint": {
        "about": "detail",
        "registered": "flag",
        "examined": "flag2",
        "examined_in_time": "flag3",
        "erdr": "link",
    },
    "closure": {"ground": "outcome", "stage": "detail", "without_consent": "flag2", "ineligible": "flag3"},
    "verdict": {"outcome": "outcome", "sentence": "detail"},
    "appeal": {"late": "late", "outcome": "outcome", "by": "detail"},
    "death": {"cause": "outcome", "place": "detail"},
}
DERIVED_FIELDS = ("ended", "past_limit", "case_found", "case_stage")
