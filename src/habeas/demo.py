"""`python -m habeas.demo --db URL [--cases N]`: a register with a simulated caseload in it.

Migrates the database, imports the bundled `samples/one-case.jsonl`, then simulates a
calibrated caseload (`habeas.simulator`: tens of thousands of events) and records it
through the register (as `habeas import` does), then shows the counts, the most urgent
alerts and one case file as the CLI shows them (`habeas.presentation`). Safe to run twice:
the same seed gives the same event ids, and the second run stores nothing new.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from importlib import resources

from habeas import bootstrap
from habeas.access.facts import Principal
from habeas.domain.events import Actor
from habeas.jurisdictions.zones import midnight
from habeas.presentation import findings as words
from habeas.presentation import terminal
from habeas.services import maintenance, queries, users
from habeas.services.register import Register
from habeas.simulator import calibration, lines
from habeas.simulator.engine import Simulation

REGISTRAR = Actor("demo", "registrar", "habeas-demo")
READER = users.operator("demo")  # the demo reads as the local operator: every read is logged
# A fixed start, so that a second run generates the very same events (and stores none).
START = midnight("kz", date(2025, 9, 1))  # local midnight, from the package's zone


def clock_of(years: float) -> datetime:
    """The demo register's clock: fixed at the end of the simulated period. The caseload is
    recorded as known then (no fact dated after it: cases still running go on past it in the
    simulation only), alerts and the case file are judged then, and `--serve` starts there."""
    return START + timedelta(days=365 * years)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m habeas.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///habeas-demo.db", help="database URL")
    parser.add_argument("--cases", type=int, default=5000, help="cases to simulate (default 5000)")
    parser.add_argument("--years", type=float, default=0.5, help="the period they are reported over (default 0.5)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the sample (default 1)")
    parser.add_argument("--serve", action="store_true", help="then serve the web UI and the API")
    parser.add_argument("--host", default="127.0.0.1", help="with --serve: the address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="with --serve: the port (default 8000)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    out = terminal.console()

    with bootstrap.engine(args.db) as engine:
        revision = bootstrap.prepare(engine)
        out.print(f"database ready: {args.db} (schema {revision})")
        law = bootstrap.law("kz")
        clock = clock_of(args.years)
        register = Register(engine, law, bootstrap.FixedClock(clock))

        bundled = resources.files("habeas") / "samples" / "one-case.jsonl"
        with resources.as_file(bundled) as path, open(path, encoding="utf-8") as handle:
            report = register.import_lines(handle, REGISTRAR)
        _report(out, "samples/one-case.jsonl", report)

        simulation = Simulation(law, calibration("kz"), cases=args.cases, years=args.years, seed=args.seed, start=START)
        report = register.import_lines(lines(simulation.as_of(clock)), REGISTRAR)
        _report(out, f"{simulation.totals.events} simulated events ({args.cases} cases, seed {args.seed})", report)

        checked = maintenance.verify(engine)
        out.print(
            f"\nthe register holds {checked.count} events in {queries.count_cases(engine)} cases; "
            f"chain {'intact' if checked.intact else 'BROKEN'}, head {checked.head_position} "
            f"{checked.head_hash[:16]}…"
        )

        every = queries.alerts(engine, clock, reader=READER, law=law, now=clock, purpose="demo")
        found = words.alerts_json(every[:10], clock, law)
        telling = ("KZ-DETENTION", "KZ-CUSTODY", "KZ-COUNSEL", "KZ-TORTURE")  # a case worth opening
        detained = [f["case"] for f in every if f["code"].startswith(telling)]
        case = _demo_case(engine, law, detained or [f["case"] for f in every] or ["KZ-2024-000123"], clock)
        out.print(terminal.findings(found, f"The 10 most urgent alerts as of {clock.isoformat()}"))

        out.print(f"\nThe case file of {case}, as `habeas case show {case}` prints it:\n")
        file = queries.case_file(engine, law, case, READER, "demo", clock, clock)
        for part in terminal.case_file(words.case_file_json(file, clock, law)):
            out.print(part)

        signing_in = demo_users(engine, law, case, clock)

    db = f" --db {args.db}" if args.db != "sqlite:///habeas.db" else ""
    out.print(
        "\nExplore:\n"
        f"  habeas case list{db}\n"
        f"  habeas case show {case}{db} [--json] [--at 2025-10-01T12:00+05:00]\n"
        f"  habeas alerts{db} [--at {clock.isoformat()}] [--code KZ-DETENTION-LIMIT]\n"
        f"  habeas verify{db}\n"
        f"  habeas reads --case {case}{db}   (the read you just made is logged)\n"
        "  habeas simulate --cases 3000 --years 0.25 --what-if WHAT-IF.yaml   (a reform, side by side)",
    )
    out.print("\nSign in to the web UI as (login and token):")
    for login, sees, token in signing_in:
        out.print(f"  {login:<16} {token}   {sees}", highlight=False)
    if args.serve:
        serve(out, args, clock)
    return 0


def demo_users(engine, law, case: str, now: datetime) -> list[tuple[str, str, str]]:
    """A user of every role, each able to open the demo cases it is entitled to, with a fresh
    token each run: (login, what they see, token). Their agencies, courts, counsel and
    persons are those of the simulated caseload: the investigator and inquiry officer of
    the unit that brought `case`, its region's prosecutor, the lawyer admitted in it, its
    suspect; the court and its clerk of a case of the region before a court; the
    investigating judge, the prison officer and the doctor assigned to `case` by the
    prosecutor (their access to a case is an assignment)."""
    file = queries.case_file(engine, law, case, READER, "demo: the demo's users", now, now)
    region = file["summary"].get("region") or "almaty"
    unit = next((e["actor"].get("agency") for e in file["events"] if e["actor"].get("agency")), f"police-{region}")
    lawyer = next((e["data"]["lawyer"] for e in file["events"] if e["kind"] == "counsel.admitted"), None)
    suspect = next((p["person"] for p in file["parties"] if p["role"] in ("suspect", "accused")), "P1")
    tried, court = _court_case(engine, law, region, now)
    wanted = [
        ("investigator", "investigator", unit, f"the cases of {unit}, recording"),
        ("inquiry", "inquiry_officer", unit, f"the cases of {unit}, recording"),
        ("prosecutor", "prosecutor", f"prosecutor-{region}", f"every case of {region}, approvals, complaints"),
        ("inv-judge", "investigating_judge", f"court-{region}-investigating", f"assigned to {case}: custody"),
        ("judge", "judge", court, f"the cases before {court} ({tried or 'none yet'})"),
        ("clerk", "court_clerk", court, f"the cases before {court}: trials and terms"),
        ("prison", "prison_officer", f"sizo-{region}", f"assigned to {case}: admissions, releases"),
        ("doctor", "doctor", f"medical-{region}", f"assigned to {case}: examinations"),
        (lawyer or "lawyer", "defence_lawyer", f"bar-{region}", f"their clients ({case})" if lawyer else "no client"),
        ("ombudsman", "ombudsman", "ombudsman", "detention and complaints everywhere, the breaches"),
        ("analyst", "analyst", "statistics", "statistics reports"),
        ("registrar", "registrar", "ministry-records", "recording for others (imports)"),
        ("suspect", "person", None, f"their own case {case}: who looked at it"),
    ]
    made = []
    for login, role, agency, sees in wanted:
        person = (case, suspect) if role == "person" else None
        try:
            token = users.add(engine, law, READER, now, login, role, agency, region, person).token
        except users.UserError:  # a second run: the user is there, its token is renewed
            token = users.renew_token(engine, law, READER, now, login)
        made.append((login, sees, token))
    by = Principal("prosecutor", "prosecutor", f"prosecutor-{region}", region)
    for login in ("inv-judge", "prison", "doctor"):
        _assign(engine, law, now, by, case, login)
    return made


def _demo_case(engine, law, candidates: list[str], now: datetime) -> str:
    """The first of `candidates` with a lawyer admitted (so the demo's lawyer has a client),
    else the first."""
    for case in list(dict.fromkeys(candidates))[:30]:
        file = queries.case_file(engine, law, case, READER, "demo: choosing the demo case", now, now)
        if any(e["kind"] == "counsel.admitted" for e in file["events"]):
            return case
    return candidates[0]


def _court_case(engine, law, region: str, now: datetime) -> tuple[str | None, str]:
    """A case of `region` before a court (any region if none), and its court."""
    listed = queries.listed_cases(engine, law, READER, now, region, "court", 1) or queries.listed_cases(
        engine, law, READER, now, None, "court", 1
    )  # a list names cases: read as the demo's operator, and logged
    if not listed:
        return None, f"court-{region}-district-1"
    tried = listed[0]["case"]
    file = queries.case_file(engine, law, tried, READER, "demo: the demo's users", now, now)
    courts = [e["data"]["court"] for e in file["events"] if e["kind"] in ("case.sent_to_court", "trial.started")]
    return tried, courts[-1] if courts else f"court-{region}-district-1"


def _assign(engine, law, now: datetime, by: Principal, case: str, login: str) -> None:
    from habeas.services import assignments, guard

    with guard.writing(engine) as conn:
        if login in guard.facts(conn, case).assigned:
            return  # a second run: assigned already
    assignments.assign(engine, law, bootstrap.FixedClock(now), by, case, login)


def serve(out, args, clock: datetime) -> None:
    import uvicorn

    from habeas.api import create_app

    url = f"http://{args.host}:{args.port}/"
    out.print(f"\nThe web UI: {url}  (the API: {url}api/v1, its contract: {url}openapi.json)")
    out.print(
        f"The register's clock starts at {clock.isoformat()}, the end of the simulated period,"
        " and runs from there: people are held, deadlines run."
    )
    out.print("Ctrl-C stops the server.")
    app = create_app(bootstrap.Settings(database_url=args.db, clock=bootstrap.ShiftedClock(clock)))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


def _report(out, what: str, report) -> None:
    if report.errors:
        for error in report.errors[:20]:
            for text in error.lines():
                out.print(text)
        raise SystemExit(f"{what}: {len(report.errors)} lines refused; nothing stored")
    out.print(f"{what}: stored {report.stored}, skipped {report.skipped} (already stored)")


if __name__ == "__main__":
    raise SystemExit(main())
