"""A small inline SVG bar chart for the statistics page: the first indicator's headline
value by region in the last year asked. Drawn here rather than by matplotlib
(`presentation.charts`, the CLI's file charts) so that its words are in the reader's
language, it scales with the page, and a withheld cell is named, never drawn."""

from __future__ import annotations

from html import escape

from habeas.presentation.charts import headline

ROW, LABEL, WIDTH = 22, 170, 560


def bars(report, _) -> dict | None:
    first = next(iter(report.indicators), None)
    head = headline(report, first) if first else None
    if head is None:
        return None
    key, kind = head
    year = max(report.spec.years)
    cells = [c for c in report.cells if c.indicator == first and c.measure == key and c.year == year]
    if not any(c.value is not None for c in cells):
        return None  # nothing published to draw
    top = max((c.value for c in cells if c.value is not None), default=0) or 1
    title = f"{first} {cells[0].label}, {year}"
    height = ROW * len(cells) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="chart-title" class="chart"><title id="chart-title">{escape(title)}</title>'
    ]
    for n, cell in enumerate(cells):
        y = n * ROW + 5
        name = escape(report.region_names.get(cell.region, cell.region))
        parts.append(f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end">{name}</text>')
        if cell.suppressed or cell.value is None:
            shown = escape(report.withheld()) + f" ({escape(_('withheld'))})" if cell.suppressed else "–"
            parts.append(f'<text x="{LABEL + 4}" y="{y + 15}" class="withheld">{shown}</text>')
            continue
        length = max(1, round((WIDTH - LABEL - 70) * cell.value / top))
        value = f"{cell.value:.1f}" if isinstance(cell.value, float) else str(cell.value)
        parts.append(f'<rect x="{LABEL}" y="{y + 3}" width="{length}" height="{ROW - 8}" class="bar"/>')
        parts.append(f'<text x="{LABEL + length + 4}" y="{y + 15}">{escape(value)}</text>')
    parts.append("</svg>")
    return {"title": title, "svg": "".join(parts), "kind": kind}
