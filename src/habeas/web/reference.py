"""The courts and agencies of the package's reference data (`reference/courts.yaml`,
`reference/agencies.yaml`), named in the reader's language: a form's choice of them, and a
case file's court or agency shown by name beside its code."""

from __future__ import annotations

from habeas.services import statistics as stats

STEMS = ("courts", "agencies")


def choices(law, stem: str, lang: str) -> list[dict]:
    """{value: its code, title: its name in `lang`} of each court or agency, in the file's order."""
    try:
        listed = stats.reference_data(law.jurisdiction)[stem].get(stem) or []
    except (KeyError, FileNotFoundError, AttributeError):
        return []
    return [{"value": e["code"], "title": e["names"].get(lang) or e["names"]["en"]} for e in listed]


def names(law, lang: str) -> dict[str, str]:
    """{code: name in `lang`} of every court and agency."""
    return {c["value"]: c["title"] for stem in STEMS for c in choices(law, stem, lang)}
