"""A statistics report for people: a Rich table per indicator, and CSV.

Regions are rows and years columns; a withheld cell reads `< 5` (a count under the threshold
in force) or `x` (withheld to protect another, or drawn from a withheld count).
Charts are `presentation.charts`. Shared by the CLI and (later) the web pages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from rich.table import Table
from rich.text import Text

from habeas.presentation.findings import dumps
from habeas.statistics.report import COLUMNS, Report


def to_json(report: Report) -> str:
    """The report as indented JSON, as `json.dumps(…, ensure_ascii=False, indent=2)` writes it
    (through msgspec where that gives the same text: a year's table is thousands of cells)."""
    return dumps(report.to_dict())


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report.rows():
        writer.writerow({k: _plain(row[k]) for k in COLUMNS})
    return buffer.getvalue()


def rows_csv(columns, rows) -> str:
    """An export's rows (`services.statistics.export`) as CSV."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _plain(row[k]) for k in columns})
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    return "true" if value is True else "false" if value is False else value


def tables(report: Report) -> Iterator[Table]:
    """One table per indicator: its measures by region, a column per year."""
    years = list(report.spec.years)
    rows: dict[str, dict[tuple[str, str], dict[int, str]]] = {}
    labels: dict[str, str] = {}
    for cell in report.rows():
        ind = cell["indicator"]
        key = (cell["label"], cell["region"])
        rows.setdefault(ind, {}).setdefault(key, {})[cell["year"]] = _shown(cell["value"])
    for ind, definition in report.indicators.items():
        labels[ind] = f"{ind} {definition.get('title', '')}"
        table = Table("measure", "region", *(str(y) for y in years), title=Text(labels[ind]), title_justify="left")
        for (label, region), by_year in rows.get(ind, {}).items():
            table.add_row(
                Text(label),
                Text(report.region_names.get(region, region)),
                *(Text(by_year.get(y, ""), justify="right") for y in years),
            )
        yield table


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
