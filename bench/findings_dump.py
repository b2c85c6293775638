"""Every case's findings as JSON lines, to compare two versions of the code on the same log.

    python -m bench.findings_dump SQLITE_URL OUT.jsonl [PREFIX_CASES]

Folds every case of the log and writes, per case, its summary (`CaseState.summary`), its
findings (`rules.deadlines`), those judged at the moment of its middle event (`rules.judge`,
facts after it ignored), and, for the first PREFIX_CASES cases (default 2,000), the findings
after each of its events folded one by one (as the register judges a case after each submit).
Run it with the old code's and the new code's PYTHONPATH and compare the two files (`cmp`): a
change that only makes folding and judging faster leaves them identical.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

AT = datetime(2030, 1, 1, tzinfo=UTC)  # the time each finding's status is spelt at


def _spelt(findings) -> list:
    return [f.to_dict(AT) for f in findings]


def main(url: str, out: str, prefix_cases: int = 2000) -> None:
    from habeas.db.engine import make_engine
    from habeas.domain.case import fold
    from habeas.jurisdictions import load
    from habeas.law.rules import deadlines, judge
    from habeas.ledger import store

    engine = make_engine(url)
    law = load("kz")
    cases: list[list] = []
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"{store.SELECT_ROWS} WHERE stream NOT LIKE '#%' ORDER BY stream, version")
        for row in rows:
            if not cases or cases[-1][0].stream != row[2]:
                cases.append([])
            cases[-1].append(store.row_to_event(row))
    engine.dispose()
    counted = {"cases": 0, "findings": 0, "prefix_states": 0}
    with open(out, "w", encoding="utf-8") as handle:
        for index, events in enumerate(cases):
            state = None
            prefixes = []
            for event in events:
                state = fold(state, event)
                if index < prefix_cases:
                    prefixes.append(_spelt(deadlines(state, law)))
                    counted["prefix_states"] += 1
            found = deadlines(state, law)
            middle = events[len(events) // 2].occurred_at
            record = {
                "case": events[0].stream,
                "findings": _spelt(found),
                "at_middle": _spelt(judge(state, law, middle)),
                "prefixes": prefixes,
                "summary": state.summary(),  # the folded case file's summary, as the projection keeps it
            }
            handle.write(json.dumps(record, sort_keys=True, default=str) + "\n")
            counted["cases"] += 1
            counted["findings"] += len(found)
    print(json.dumps(counted))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:4]))
