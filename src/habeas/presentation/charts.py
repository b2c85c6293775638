"""Charts of a statistics report, as SVG or PNG (matplotlib, Agg: no display, no CDN).

Three panels, each drawn when the report has what it needs: the trend by year of each
indicator's headline value in the whole country; the regions ranked by the first
indicator's headline in the last year (a withheld region is named, with no bar); and the
flow from reports to verdicts (W1) in the last year. Withheld cells are never drawn.
"""

from __future__ import annotations

from pathlib import Path

from habeas.statistics.indicators import UNKNOWN
from habeas.statistics.report import Report

HEADLINE_KINDS = ("share", "rate", "mean")


def headline(report: Report, indicator: str) -> tuple[str, str] | None:
    """(measure, kind) a chart shows for an indicator: its first share, rate or mean, else its first count."""
    measures = report.indicators[indicator].get("measures", [])
    keys = [
        (m["key"] if "." in m["key"] or m["key"] == "population" else f"{indicator}.{m['key']}", m.get("kind", "count"))
        for m in measures
    ]
    for key, kind in keys:
        if kind in HEADLINE_KINDS:
            return key, kind
    return keys[0] if keys else None


def draw(report: Report, path: Path) -> None:
    suffix = Path(path).suffix.lower()
    if suffix not in (".svg", ".png"):
        raise ValueError(f"--chart {path}: a .svg or .png file")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "habeas"  # the same report draws the same file
    panels = [p for p in (_trend, _ranked, _flow) if p(report, None)]
    if not panels:
        raise ValueError("nothing to draw: the report has no published values")
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 4.2 * len(panels)), squeeze=False)
    for panel, ax in zip(panels, axes[:, 0], strict=True):
        panel(report, ax)
    fig.suptitle(
        f"habeas report {report.spec.query()} (< {report.min_count}: fewer people; x: withheld to protect another)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, format=suffix[1:], metadata={"Date": None} if suffix == ".svg" else None)
    plt.close(fig)


def _label(report: Report, key: str) -> str:
    for c in report.cells:
        if c.measure == key:
            return f"{c.indicator} {c.label}"
    return key


def _trend(report: Report, ax) -> bool:
    """Shares (%) when the report has any, else counts: one axis, one unit."""
    years = list(report.spec.years)
    heads = [(ind, headline(report, ind)) for ind in report.indicators]
    heads = [(ind, h) for ind, h in heads if h is not None]
    shares = [(ind, h) for ind, h in heads if h[1] == "share"]
    chosen = shares or [(ind, h) for ind, h in heads if h[1] == "count"]
    lines = []
    for ind, (key, _) in chosen:
        by_year = {
            c.year: c.value
            for c in report.cells
            if c.measure == key and c.region == report.national and c.indicator == ind
        }
        if any(v is not None for v in by_year.values()):
            lines.append((key, [by_year.get(y) for y in years]))
    if ax is None:
        return len(years) > 1 and bool(lines)
    for key, values in lines:
        xs = [y for y, v in zip(years, values, strict=True) if v is not None]
        ys = [v for v in values if v is not None]
        ax.plot(xs, ys, marker="o", label=_label(report, key))
    ax.set_title("Trend by year, whole country" + (" (%)" if shares else ""))
    ax.set_xticks(years)
    ax.legend(fontsize=7)
    return True


def _ranked(report: Report, ax) -> bool:
    first = next(iter(report.indicators), None)
    head = headline(report, first) if first else None
    key = head[0] if head else None
    year = max(report.spec.years)
    cells = [
        c
        for c in report.cells
        if c.measure == key and c.year == year and c.indicator == first and c.region not in (report.national, UNKNOWN)
    ]
    if ax is None:
        return len(cells) > 1 and any(c.value is not None for c in cells)
    shown = sorted((c for c in cells if c.value is not None), key=lambda c: c.value)
    withheld = [c for c in cells if c.suppressed]
    names = [report.region_names.get(c.region, c.region) for c in shown]
    ax.barh(names, [c.value for c in shown], color="#4c72b0")
    for c in withheld:
        ax.barh(report.region_names.get(c.region, c.region), 0)
        ax.text(
            0,
            report.region_names.get(c.region, c.region),
            f" {report.marker(c)}",
            va="center",
            fontsize=7,
        )
    ax.set_title(f"Regions ranked, {year}: {_label(report, key)}")
    return True


FLOW = ("W1.reported", "W1.registered", "W1.sent_to_court", "W1.verdict", "W1.convicted")


def _flow(report: Report, ax) -> bool:
    year = max(report.spec.years)
    cells = {
        c.measure: c for c in report.cells if c.indicator == "W1" and c.region == report.national and c.year == year
    }
    found = {k: c.value for k, c in cells.items()}
    if ax is None:
        return any(found.get(k) for k in FLOW)
    labels = [_label(report, k).split(" ", 1)[1] for k in FLOW]
    values = [found.get(k) or 0 for k in FLOW]
    ax.bar(labels, values, color="#55a868")
    for i, k in enumerate(FLOW):
        ax.text(
            i,
            values[i],
            report.marker(cells[k]) if k in cells and cells[k].suppressed else str(values[i]),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_title(f"From report to verdict, whole country, {year} (cases)")
    ax.tick_params(axis="x", labelsize=8)
    return True
