"""`habeas report`: the public statistics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from habeas.cli.common import database, err, fail, law, out, reading, when
from habeas.cli.options import AtOption, DbOption, ReadDbOption


def report(
    years: Annotated[str | None, typer.Option("--years", help="Years: 2024, 2022-2024 or 2019,2022-2024.")] = None,
    section: Annotated[
        list[str] | None, typer.Option("--section", help="A section (detention, custody, torture, trial, corruption).")
    ] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="A region's code (almaty, shymkent, …).")] = None,
    query: Annotated[
        str | None, typer.Option("--query", help="A report's shareable spec: years=2022-2024&sections=…&regions=…")
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="table, csv or json; or an export (CSV): offences (open data), un-cts.")
    ] = "table",
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Also draw the report's charts to FILE.svg or .png.")
    ] = None,
    at: AtOption = None,
    db: DbOption = None,
    read_db: ReadDbOption = None,
) -> None:
    """Public statistics: the oversight indicators by year and region, small counts suppressed."""
    from habeas.presentation import statistics as shown  # imported here: the CLI starts fast
    from habeas.services import statistics

    if format_ not in ("table", "csv", "json", "offences", "un-cts"):
        raise fail(f"--format {format_!r}: one of table, csv, json, offences, un-cts", 2)
    try:
        spec = _spec(query, years, section, region)
        moment = when(at)
        with database(db) as engine, reading(engine, read_db) as reads:
            replica = None if reads is engine else reads  # the released figures are read there
            if format_ in statistics.EXPORTS:
                columns, rows = statistics.export(engine, format_, spec, moment, load=law, replica=replica)
                sys.stdout.write(shown.rows_csv(columns, rows))
                return
            found = statistics.report(engine, spec, moment, load=law, replica=replica)
    except statistics.SpecError as exc:
        raise fail(str(exc), 2) from None
    if chart is not None:
        _draw(found, chart)
    _show(found, spec, format_)
    if chart is not None:
        err.print(f"chart written to {chart}", highlight=False)


def _spec(query: str | None, years: str | None, section: list[str] | None, region: list[str] | None):
    """The report asked for: a shareable spec (--query), or years, sections and regions."""
    from habeas.services import statistics

    if query is not None:
        if years or section or region:
            raise statistics.SpecError("--query: give the spec alone, or --years/--section/--region")
        return statistics.ReportSpec.parse(query)
    if not years:
        raise statistics.SpecError("--years: which years (2024, 2022-2024)")
    return statistics.ReportSpec(statistics.parse_years(years), tuple(section or ()), tuple(region or ()))


def _draw(found, chart: Path) -> None:
    from habeas.presentation import charts

    try:
        charts.draw(found, chart)
    except ValueError as exc:
        raise fail(str(exc), 2) from None


def _show(found, spec, format_: str) -> None:
    from habeas.presentation import statistics as shown

    if format_ == "json":
        print(shown.to_json(found))
    elif format_ == "csv":
        sys.stdout.write(shown.to_csv(found))
    else:
        for table in shown.tables(found):
            out.print(table)
        out.print(
            f"withheld: < {found.min_count} counts fewer people; x is withheld so that another cannot be worked out"
            " (or drawn from a withheld count)",
            highlight=False,
        )
        out.print(f"share: habeas report --query '{spec.query()}'", highlight=False)
