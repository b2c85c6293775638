"""The coverage table of the offence catalogue, for `jurisdictions/kz/README.md`.

    python scripts/offence_coverage.py            # print the table
    python scripts/offence_coverage.py --write    # put it into the README, between its markers
    python scripts/offence_coverage.py --check    # exit 1 if the README's table is not current

Per chapter of the Special Part: its articles (in force today, excluded), its rows (parts, one
per wording), and how many rows are of each certainty (C confirmed in the statute, P partly, M
from memory, U uncertain). Read from the chapter files with the csv and yaml modules alone, so
the table says what the files hold, whatever the loader makes of them. A test
(`tests/law_data/test_catalogue_statute.py`) checks that the README holds the current table.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "habeas" / "jurisdictions" / "kz"
README = PACKAGE / "README.md"
START = "<!-- offence-coverage:start (scripts/offence_coverage.py --write) -->"
END = "<!-- offence-coverage:end -->"
CERTAINTIES = ("C", "P", "M", "U")


def table(package: Path = PACKAGE) -> str:
    """The coverage table, in Markdown, of the chapter files in `package/offences/`."""
    lines = [
        "| chapter | title | articles | in force | excluded | rows | parts in force | C | P | M | U |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    totals = [0] * 9
    for listing_path in sorted((package / "offences").glob("ch*.yaml")):
        listing = yaml.safe_load(listing_path.read_text(encoding="utf-8"))
        with listing_path.with_suffix(".csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        articles = listing.get("articles") or []
        excluded = listing.get("excluded") or []
        in_force = [r for r in rows if not (r.get("valid_until") or "").strip()]
        counts = [sum(1 for r in rows if (r.get("certainty") or "").strip() == c) for c in CERTAINTIES]
        figures = [len(articles), len(articles) - len(excluded), len(excluded), len(rows), len(in_force), *counts]
        totals = [t + f for t, f in zip(totals, figures, strict=True)]
        title = str(listing.get("title_en") or "").replace("|", "/")
        lines.append(f"| {listing['chapter']} | {title} | " + " | ".join(str(f) for f in figures) + " |")
    lines.append("| | **all** | " + " | ".join(f"**{t}**" for t in totals) + " |")
    return "\n".join(lines)


def with_table(readme: str, current: str) -> str:
    """The README's text with its coverage table replaced by `current`."""
    if START not in readme or END not in readme:
        raise SystemExit(f"{README}: no coverage markers ({START} … {END})")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{current}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the table into the README")
    parser.add_argument("--check", action="store_true", help="exit 1 unless the README holds the current table")
    args = parser.parse_args(argv)
    current = table()
    readme = README.read_text(encoding="utf-8")
    if args.check:
        if with_table(readme, current) != readme:
            print(f"{README.relative_to(ROOT)}: the offence coverage table is not current: run {__file__} --write")
            return 1
        return 0
    if args.write:
        README.write_text(with_table(readme, current), encoding="utf-8")
        return 0
    print(current)
    return 0


if __name__ == "__main__":
    sys.exit(main())
