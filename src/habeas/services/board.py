"""The detention board: who is held under the police hold now, where, since when, and how
long is left before the limit — a prosecutor's or a monitor's screen (issue 10).

Which rules limit a detention, and which acts open and close it, are the law package's
(`episodes.yaml`, the `detention` episode and its `limits`: in kz KZ-DETENTION-LIMIT, whose
clock every closing act stops, checked when the package loads). The board is the deadlines
projection's rows of those rules still running at `at` (not yet met by then), breached
first, then by time left. Like `queries.alerts`, it names persons: each case shown is
checked by the policy (`case:read`) and leaves a read record (what: `detention_board`).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, literal, or_, select
from sqlalchemy import case as case_

from habeas.access.facts import Principal
from habeas.db.schema import deadlines
from habeas.domain.case import fold_all
from habeas.law.episodes import definitions
from habeas.law.package import Law
from habeas.ledger import reads as reads_log
from habeas.ledger import store
from habeas.projections.base import naive_utc
from habeas.services import guard

EPISODE = "detention"
WHAT = "detention_board"


def detention_codes(law: Law) -> list[str]:
    """The codes of the rules that limit a detention (the law package's `detention` episode)."""
    found = definitions(law).episodes.get(EPISODE)
    return list(found.limits) if found else []


def held(
    engine: Engine,
    law: Law,
    at: datetime,
    *,
    reader: Principal,
    now: datetime,
    purpose: str | None = "detention board",
    region: str | None = None,
    limit: int = 500,
    listing: Engine | None = None,
) -> list[dict]:
    """The people held at `at` whose cases `reader` may read: one row per running limit
    (case, person, name, place, since, due_at, status, code, citation), breached first,
    then by due time. Each case shown leaves a read record. The rows may be listed from a
    replica (`listing`); each case shown is decided, and its read recorded, on the primary."""
    codes = detention_codes(law)
    if not codes:
        return []
    moment = naive_utc(at)
    query = _running(codes, moment, limit)
    with (listing or engine).connect() as conn:
        found = [(row.case, json.loads(row.finding), row.status) for row in conn.execute(query)]
    everywhere = guard.decide(law, reader, "case:read")
    rows: list[dict] = []
    with guard.writing(engine) as conn:
        streams = store.streams_events(conn, dict.fromkeys(c for c, _, _ in found))
        decisions = {}
        for name, events in streams.items():
            facts = guard.facts(conn, name, events)
            if region and facts.region != region:
                continue
            decisions[name] = everywhere if everywhere.allowed else guard.decide(law, reader, "case:read", facts)
        shown = {name for name, decision in decisions.items() if decision.allowed}
        states = {name: fold_all(streams[name]) for name in shown}
        for name, finding, state_now in found:
            if name not in shown:
                continue
            rows.append(_row(law, name, finding, state_now, states[name]))
        named: dict[str, set[str]] = {}  # whose data each case's rows showed: the held person (issue 23)
        for row in rows:
            named.setdefault(row["case"], set()).update(
                [row["person"]] if row["person"] else states[row["case"]].parties
            )
        reads_log.append(
            conn,
            [guard.entry(reader, decisions[name], now, WHAT, purpose, name, persons=named[name]) for name in named],
        )
    return rows


def _running(codes: list[str], moment: datetime, limit: int):
    """The deadlines rows of the detention limits running at `moment`, breached first."""
    d = deadlines.c
    status = case_((d.due_at < moment, literal("breached")), else_=literal("open")).label("status")
    query = (
        select(d.case, d.finding, status)
        .where(
            d.code.in_(codes),
            d.started_at.is_not(None),
            d.started_at <= moment,
            or_(d.met_at.is_(None), d.met_at > moment),  # still held at `at`
        )
        .order_by(status, d.due_at, d.case, d.id)  # "breached" sorts before "open"
        .limit(limit)
    )
    return query


def _row(law: Law, case: str, finding: dict, status: str, state) -> dict:
    """A board row: the finding's times, and place and name from the (corrected) case file."""
    person = finding.get("person")
    evidence = set(finding.get("evidence") or [])
    opens = definitions(law).episodes[EPISODE].opens
    detained = next((e for e in state.timeline if e.kind in opens and e.id in evidence), None) if state else None
    party = state.parties.get(person) if state and person else None
    return {
        "case": case,
        "region": state.region if state else None,  # whose local time the row's times are in
        "person": person,
        "name": party.name if party else None,
        "place": detained.data.get("place") if detained else None,
        "since": finding.get("started_at") or (detained.occurred_at.isoformat() if detained else None),
        "due_at": finding.get("due_at"),
        "status": status,
        "code": finding.get("code"),
        "citation": finding.get("citation"),
    }
