"""Small inline SVG charts for the statistics page, one pair per indicator: its headline
value by year (a column per year and region shown) and, when more than one region is
shown, the regions ranked by it in the last year. Drawn here rather than by matplotlib
(`presentation.charts`, the CLI's file charts) so that the words are in the reader's
language, they scale with the page and need no script or CDN. A withheld value is never
drawn: it is named ("< 5") where its column or bar would be."""

from __future__ import annotations

from html import escape

from habeas.presentation.charts import headline
from habeas.statistics.indicators import UNKNOWN

ROW, LABEL, WIDTH = 22, 170, 560
TREND_HEIGHT, TREND_TOP, TREND_BOTTOM = 200, 18, 34
MAX_SERIES = 6  # more regions than this and the trend shows the whole country only
PALETTE = ("#2f5d8a", "#c0504d", "#4f8a3c", "#8a5a9e", "#d08a2e", "#3b9ab2")


def _value(value) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _head(report, indicator: str) -> tuple[str, str, str] | None:
    """(measure key, kind, label) a chart shows for an indicator."""
    head = headline(report, indicator)
    if head is None:
        return None
    key, kind = head
    label = next((c.label for c in report.cells if c.indicator == indicator and c.measure == key), key)
    return key, kind, label


def trend(report, indicator: str, _) -> dict | None:
    """Columns by year of the indicator's headline, for the country and the regions shown."""
    head = _head(report, indicator)
    if head is None:
        return None
    key, kind, label = head
    label = _(label)  # the package's English label: the catalogue's words for it
    years = list(report.spec.years)
    regions = [r for r in report.region_names if r != UNKNOWN]
    if len(regions) > MAX_SERIES:
        regions = [report.national]
    cells = {(c.region, c.year): c for c in report.cells if c.indicator == indicator and c.measure == key}
    if not any(cells.get((r, y)) is not None and cells[(r, y)].value is not None for r in regions for y in years):
        return None  # nothing published to draw
    top = _top(cells, regions, years)
    title = f"{indicator} {label}: {_('trend by year')}"
    plot = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    group = (WIDTH - 20) / len(years)
    bar = max(4.0, min(40.0, (group - 10) / len(regions)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {TREND_HEIGHT + 22 * ((len(regions) + 2) // 3)}"'
        f' role="img" class="chart" data-chart="trend" data-measure="{escape(key)}" data-kind="{escape(kind)}">'
        f"<title>{escape(title)}</title>",
        f'<line x1="10" y1="{TREND_TOP + plot}" x2="{WIDTH - 10}" y2="{TREND_TOP + plot}" class="axis"/>',
    ]
    for n, year in enumerate(years):
        x0 = 10 + n * group + (group - bar * len(regions)) / 2
        for m, region in enumerate(regions):
            parts += _column(report, cells.get((region, year)), region, year, m, x0 + m * bar, bar, plot, top, _)
        parts.append(
            f'<text x="{10 + n * group + group / 2:.1f}" y="{TREND_TOP + plot + 16}" text-anchor="middle">{year}</text>'
        )
    parts += _legend(report, regions, _)
    parts.append("</svg>")
    return {"title": title, "svg": "".join(parts), "kind": kind}


def _top(cells, regions, years) -> float:
    """The highest published value drawn (1 when none is above zero): the columns' full height."""
    return (
        max(
            (
                cells[(r, y)].value
                for r in regions
                for y in years
                if cells.get((r, y)) is not None and cells[(r, y)].value is not None
            ),
            default=0,
        )
        or 1
    )


def _column(report, cell, region: str, year, m: int, x: float, bar: float, plot: float, top, _) -> list[str]:
    """A region's column in a year, with its value over it; a withheld value named in its place."""
    parts: list[str] = []
    name = escape(_(report.region_names.get(region, region)))
    if cell is None or cell.value is None:
        shown = report.marker(cell) if cell is not None and cell.suppressed else "–"
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{TREND_TOP + plot - 4}" text-anchor="middle" '
            f'class="withheld" data-region="{escape(region)}" data-year="{year}">'
            f"{escape(shown)}</text>"
        )
        return parts
    height = max(1.0, plot * cell.value / top)
    y = TREND_TOP + plot - height
    parts.append(
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 1:.1f}" height="{height:.1f}" '
        f'fill="{PALETTE[m % len(PALETTE)]}" data-region="{escape(region)}" data-year="{year}" '
        f'data-value="{escape(_value(cell.value))}"><title>{name}, {year}: '
        f"{escape(_value(cell.value))}</title></rect>"
    )
    parts.append(
        f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" class="value">'
        f"{escape(_value(cell.value))}</text>"
    )
    return parts


def _legend(report, regions, _) -> list[str]:
    """The trend's legend, three regions to a line, each in its column's colour."""
    parts: list[str] = []
    for m, region in enumerate(regions):
        x, y = 10 + (m % 3) * 180, TREND_HEIGHT + 22 * (m // 3)
        parts.append(f'<rect x="{x}" y="{y - 10}" width="10" height="10" fill="{PALETTE[m % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}">{escape(_(report.region_names.get(region, region)))}</text>')
    return parts


def ranked(report, indicator: str, _) -> dict | None:
    """The regions shown, ranked by the indicator's headline in the last year; the withheld
    ones named in one line under the bars."""
    head = _head(report, indicator)
    if head is None:
        return None
    key, kind, label = head
    label = _(label)
    year = max(report.spec.years)
    cells = [
        c
        for c in report.cells
        if c.indicator == indicator
        and c.measure == key
        and c.year == year
        and c.region not in (report.national, UNKNOWN)
    ]
    shown = sorted((c for c in cells if c.value is not None), key=lambda c: (-c.value, c.region))
    withheld = [c for c in cells if c.suppressed]
    if len(cells) < 2 or not shown:
        return None
    top = max(c.value for c in shown) or 1
    title = f"{indicator} {label}, {year}: {_('regions ranked')}"
    height = ROW * len(shown) + (ROW + 6 if withheld else 0) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="chart" '
        f'data-chart="ranked" data-measure="{escape(key)}" data-kind="{escape(kind)}"><title>{escape(title)}</title>'
    ]
    for n, cell in enumerate(shown):
        y = n * ROW + 5
        name = escape(_(report.region_names.get(cell.region, cell.region)))
        length = max(1, round((WIDTH - LABEL - 70) * cell.value / top))
        parts.append(f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end">{name}</text>')
        parts.append(
            f'<rect x="{LABEL}" y="{y + 3}" width="{length}" height="{ROW - 8}" class="bar" '
            f'data-region="{escape(cell.region)}" data-value="{escape(_value(cell.value))}"/>'
        )
        parts.append(f'<text x="{LABEL + length + 4}" y="{y + 15}" class="value">{escape(_value(cell.value))}</text>')
    if withheld:
        y = len(shown) * ROW + 5 + 15
        names = [_(report.region_names.get(c.region, c.region)) for c in withheld]
        words = _("Withheld (%(marker)s): %(regions)s") % {
            "marker": ", ".join(dict.fromkeys(report.marker(c) for c in withheld)),
            "regions": ", ".join(names) if len(names) <= 3 else _("%(n)s regions, see the table") % {"n": len(names)},
        }
        parts.append(f'<text x="4" y="{y}" class="withheld">{escape(words)}</text>')
    parts.append("</svg>")
    return {"title": title, "svg": "".join(parts), "kind": kind}
