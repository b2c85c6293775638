"""The authorization matrix as data (`matrix.csv`) and the three worlds it is asked in."""

from __future__ import annotations

import csv
from pathlib import Path

from habeas.access.facts import PUBLIC, CaseFacts, Principal
from habeas.domain.vocabulary import ROLES

MATRIX = Path(__file__).with_name("matrix.csv")
RELATIONS = ("assigned", "unassigned", "own")
COURT_ROLES = ("judge", "court_clerk", "investigating_judge")


def rows() -> list[dict]:
    with MATRIX.open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def principal(role: str) -> Principal:
    agency = "court-astana" if role in COURT_ROLES else "police-astana"
    return Principal(f"{role}-1", role, agency, "astana", person=("KZ-OWN", "P1"))


def case(relation: str, role: str) -> CaseFacts:
    me = f"{role}-1"
    if relation == "assigned":
        return CaseFacts(
            "KZ-MINE",
            "astana",
            frozenset({"court-astana"}),
            frozenset({"police-astana"}),
            frozenset({me}),
            frozenset({me}),
            frozenset({"P1"}),
        )
    if relation == "unassigned":
        return CaseFacts(
            "KZ-OTHER",
            "almaty",
            frozenset({"court-almaty"}),
            frozenset({"police-almaty"}),
            frozenset({"someone"}),
            frozenset({"lawyer-9"}),
            frozenset({"P1"}),
        )
    return CaseFacts(
        "KZ-OWN",
        "almaty",
        frozenset({"court-almaty"}),
        frozenset({"police-almaty"}),
        frozenset(),
        frozenset(),
        frozenset({"P1"}),
    )


ALL_ROLES = (*ROLES, PUBLIC)
