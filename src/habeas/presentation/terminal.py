"""The register's answers as Rich renderables for a terminal.

Recorded text (names, places, reasons, case numbers) is data, never markup: every cell
is a `Text`, so `[/]` or `[bold]` in a name prints as written. A table shows only the
columns that say something: each has a header, and a column no row fills is left out.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from habeas.presentation.wording import Wording

# The terminal's words: English, times in the local time of the case's region (`wording`).
WORDING = Wording()

Cell = str | Text | None
Column = tuple[str, Callable[[Any], Cell]]

STATUS_STYLE = {"breached": "bold red", "open": "yellow"}
CERTAINTY = "(C confirmed, P partly, M from memory, U uncertain)"


def console(stderr: bool = False) -> Console:
    """A console that takes no markup from strings (styles come as `Text`) and, piped, is
    not cut at 80 columns: tables stay readable in files and logs."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else int(os.environ.get("COLUMNS", "160"))
    return Console(stderr=stderr, soft_wrap=True, width=width, markup=False)


def table(title: str, columns: Sequence[Column], rows: Iterable[Any]) -> Table:
    """A table of `rows`, one cell per column getter; columns with no content are left out."""
    rows = list(rows)
    cells = [[_text(get(row)) for _, get in columns] for row in rows]
    keep = [i for i in range(len(columns)) if any(line[i].plain.strip() for line in cells)]
    shown = Table(*(columns[i][0] for i in keep), title=Text(title), title_justify="left")
    for line in cells:
        shown.add_row(*(line[i] for i in keep))
    return shown


def _text(value: Cell) -> Text:
    if value is None:
        return Text("")
    return value if isinstance(value, Text) else Text(str(value))


def findings(found: list[dict], title: str, *, with_case: bool = True, region: str | None = None) -> RenderableType:
    """Findings explained by `presentation.findings.explain`: alerts (with their case) or a file's."""
    if not found:
        return Text(f"{title}: none")
    columns: list[Column] = [("status", lambda f: Text(f["status"], STATUS_STYLE.get(f["status"], "")))]
    if with_case:
        columns.append(("case", lambda f: f.get("case")))
    columns += [
        ("person", lambda f: f.get("person")),
        ("code", lambda f: f["code"]),
        ("due", lambda f: WORDING.stamp(f.get("due_at"), f.get("region") or region) or f.get("due_before")),
        ("overdue / left", WORDING.timing),
        ("citation", lambda f: f.get("citation")),
        ("what the law requires", lambda f: f.get("text")),
    ]
    return table(title, columns, found)


def case_file(file: dict) -> list[RenderableType]:
    """`case show`: the headline, parties, timeline and findings of a case file."""
    s = file["summary"]
    article = (s.get("article") or "-") + (f" part {s['part']}" if s.get("part") else "")
    headline = Text.assemble(
        (file["case"], "bold"), f"  stage {s['stage']}  article ", article, "  region ", s.get("region") or "-"
    )
    offence = s.get("offence")
    if offence:
        named = f"CC art. {offence['article']}" + (f" part {offence['part']}" if offence.get("part") else "")
        if offence.get("known"):
            penalty = f"{offence['max_penalty']}; certainty {offence['certainty']}"
            said = f"{offence['title']}: {offence['gravity']} ({penalty})"
        else:
            said = "not in the offence catalogue on the day it was named: gravity unknown"
        headline.append(Text.assemble("\noffence ", named, " — ", said))
    parties = table(
        "Parties",
        [
            ("person", lambda p: p["person"]),
            ("role", lambda p: p["role"]),
            ("name", lambda p: p.get("name")),
            ("born", lambda p: p.get("birth_date")),
        ],
        file["parties"],
    )
    timeline = table(
        "Timeline",
        [
            ("#", lambda e: str(e["position"])),
            ("occurred", lambda e: WORDING.stamp(e["occurred_at"], s.get("region"))),
            ("kind", lambda e: e["kind"]),
            ("by", lambda e: f"{e['actor']['role']} {e['actor']['id']}"),
            ("details", _details),
        ],
        file["events"],
    )
    at = WORDING.stamp(file["at"], s.get("region"))
    found = findings(file["findings"], f"Findings as of {at}", with_case=False, region=s.get("region"))
    return [headline, parties, timeline, found]


def _details(event: dict) -> Text:
    details = Text(", ".join(f"{k}={v}" for k, v in event["data"].items()))
    if event.get("corrected_by"):
        details.append(f"  (corrected by {', '.join(event['corrected_by'])})", style="yellow")
    return details


def case_list(found: list[dict]) -> Table:
    return table(
        "Cases",
        [
            ("case", lambda c: c["case"]),
            ("stage", lambda c: c["stage"]),
            ("region", lambda c: c["region"] or "-"),
            ("article", lambda c: (c["article"] or "-") + (f" part {c['part']}" if c["part"] else "")),
            ("events", lambda c: str(c["events"])),
            ("registered", lambda c: WORDING.stamp(c["registered_at"], c["region"]) or "-"),
        ],
        found,
    )


def reads(found: list[dict], case: str) -> Table:
    """`habeas reads`: who read, when, why; a case column only when the reads span cases."""
    many = len({r.get("case") for r in found}) > 1
    return table(
        f"Reads of {case}",
        [
            ("when", lambda r: WORDING.stamp(r["read_at"])),
            ("who", lambda r: r["actor"]["id"]),
            ("role", lambda r: r["actor"]["role"]),
            ("agency", lambda r: r["actor"]["agency"]),
            ("case", lambda r: r.get("case") if many else None),
            ("what", lambda r: r["what"]),
            ("purpose", lambda r: r["purpose"]),
            ("assigned", lambda r: "yes" if r.get("assigned") else "no"),
            ("refused", lambda r: r.get("reason")),
        ],
        found,
    )


def users(found: list[dict]) -> Table:
    """`habeas user list`: who may sign in (no token, no hash)."""
    return table(
        "Users",
        [
            ("login", lambda u: u["login"]),
            ("role", lambda u: u["role"]),
            ("title", lambda u: u.get("title")),
            ("agency", lambda u: u["agency"]),
            ("region", lambda u: u["region"]),
            ("person", lambda u: u["person"]),
            ("disabled", lambda u: "disabled" if u["disabled"] else None),
            ("since", lambda u: WORDING.stamp(u["created_at"], u.get("region"))),
        ],
        found,
    )


def rule(described: dict) -> list[RenderableType]:
    """`law show CODE`: a rule, its parameters' versions with dates, citations, certainty."""
    shown: list[RenderableType] = [Text.assemble((described["code"], "bold"), "  ", described.get("title") or "")]
    start = ", ".join((described.get("start") or {}).get("kinds", []))
    stop = ", ".join((described.get("stop") or {}).get("kinds", []))
    if start:
        shown.append(Text(f"  clock starts at {start}" + (f"; stops at {stop}" if stop else "")))
    shown.append(Text(f"  citations: {described.get('citation') or '-'}"))
    shown.append(Text(f"  certainty: {described.get('certainty') or '-'}  {CERTAINTY}"))
    force = [
        f"from {described['valid_from']}" if described.get("valid_from") else "",
        f"until {described['valid_until']}" if described.get("valid_until") else "",
    ]
    if any(force):
        shown.append(Text("  in force " + " ".join(x for x in force if x)))
    if described.get("overlay"):
        shown.append(Text(f"  switched by the overlay {described['overlay']!r}, not the package"))
    calendar = described.get("calendar") or {}
    if calendar.get("moves_last_day_off"):
        shown.append(
            Text(
                f"  a term ending on a non-working day ends on the next working day ({calendar.get('citation') or '-'})"
            )
        )
    descriptions = described.get("parameter_descriptions") or {}
    for name, versions in (described.get("parameters") or {}).items():
        columns: list[Column] = [
            ("value", _value),
            ("valid from", lambda v: str(v.get("valid_from"))),
            ("valid until", lambda v: str(v.get("valid_until") or "-")),
            ("certainty", lambda v: v.get("certainty")),
            ("citation", lambda v: f"overlay {v['overlay']!r}" if v.get("overlay") else v.get("citation")),
            ("verified", lambda v: str(v.get("verified") or "")),
        ]
        shown.append(table(f"{name}: {descriptions.get(name, '')}", columns, versions))
    return shown


def _value(version: dict) -> str:
    value = version.get("value")
    if isinstance(value, dict):  # a value by case (the competent body by what it is about)
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    value = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"{value} {version.get('unit') or ''}".strip()


def comparison(found: dict) -> Table:
    """`habeas simulate`: each measure, baseline and what-if, mean with its 95 % interval."""

    def shown(summary: dict | None) -> str:
        if summary is None:
            return "-"
        if summary["high"] - summary["low"] < 1e-9:
            return f"{summary['mean']:,.1f}"
        return f"{summary['mean']:,.1f} ({summary['low']:,.1f} to {summary['high']:,.1f})"

    columns: list[Column] = [("measure", lambda r: r["measure"]), ("baseline", lambda r: shown(r["baseline"]))]
    if any(r["what_if"] for r in found["measures"]):
        columns.append((found["what_if"], lambda r: shown(r["what_if"])))
    return table(f"simulated, {found['replications']} replication(s), mean (95 % interval)", columns, found["measures"])


def _interval(summary: dict | None) -> str:
    if summary is None:
        return "-"
    if summary["high"] - summary["low"] < 1e-9:
        return f"{summary['mean']:,.1f}"
    return f"{summary['mean']:,.1f} ({summary['low']:,.1f} to {summary['high']:,.1f})"


def sweep(found: dict) -> Table:
    """`habeas simulate --sweep`: each measure, the baseline, then the parameter at each value."""
    columns: list[Column] = [("measure", lambda r: r["measure"]), ("baseline", lambda r: _interval(r["baseline"]))]
    for i, value in enumerate(found["values"]):
        columns.append((f"{found['sweep']}={value}", lambda r, i=i: _interval(r["values"][i])))
    # the title names what is swept too: a narrow terminal cuts the headers, never the title
    title = f"simulated sweep of {found['sweep']}, {found['replications']} replication(s), mean (95 % interval)"
    return table(title, columns, found["measures"])
