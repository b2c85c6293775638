"""The command line driven as a records officer drives it: real processes, real files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ONE_CASE, event


def habeas(
    *args: str, db: str, cwd: Path | None = None, check: bool = True, env_extra: dict | None = None, **kw
) -> subprocess.CompletedProcess:
    env = {**os.environ, "HABEAS_DATABASE_URL": db, "COLUMNS": "200", **(env_extra or {})}
    done = subprocess.run(
        [sys.executable, "-m", "habeas", *args], capture_output=True, text=True, env=env, cwd=cwd, **kw
    )
    if check and done.returncode != 0:
        raise AssertionError(f"habeas {' '.join(args)} -> {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'records.db'}"
    habeas("init", db=url)
    return url


def test_init_is_safe_twice(db):
    again = habeas("init", db=db).stdout
    assert "database ready" in again and "(schema 0012)" in again


def test_default_database_is_a_sqlite_file_in_the_working_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HABEAS_DATABASE_URL"}
    subprocess.run([sys.executable, "-m", "habeas", "init"], cwd=tmp_path, env=env, check=True, capture_output=True)
    assert (tmp_path / "habeas.db").exists()


def test_import_twice_then_show_verify_export_rebuild(db, tmp_path):
    assert habeas("import", str(ONE_CASE), db=db).stdout.strip() == "stored 19, skipped 0 (already stored)"
    assert habeas("import", str(ONE_CASE), db=db).stdout.strip() == "stored 0, skipped 19 (already stored)"

    shown = json.loads(habeas("case", "show", "KZ-2024-000123", "--json", db=db).stdout)
    assert shown["case"] == "KZ-2024-000123"
    assert len(shown["events"]) == 19 and shown["events"][0]["id"] == "ex-0001"
    assert {p["person"] for p in shown["parties"]} == {"P1", "V1"}
    # the shared example records none of the three facts the second edition of the law adds
    assert sorted(f["code"] for f in shown["findings"] if f["status"] in ("open", "breached")) == [
        "KZ-DETENTION-MEDICAL",
        "KZ-QUALIFICATION-TERM",
        "KZ-RELATIVES-NOTICE",
    ]

    verified = habeas("verify", db=db).stdout
    assert verified.startswith("intact: 19 events, head 19 ")

    copy = tmp_path / "copy.jsonl"
    copy.write_text(habeas("export", db=db).stdout)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    habeas("init", db=other)
    assert "stored 19" in habeas("import", str(copy), db=other).stdout
    again = json.loads(habeas("case", "show", "KZ-2024-000123", "--json", db=other).stdout)
    assert again["summary"] == shown["summary"]
    assert [e["data"] for e in again["events"]] == [e["data"] for e in shown["events"]]

    assert habeas("rebuild", db=db).stdout.strip() == "rebuilt projections from 19 events"
    reads = json.loads(habeas("reads", "--case", "KZ-2024-000123", "--json", db=db).stdout)
    assert [r["what"] for r in reads] == ["case_file", "export:jsonl"]  # the export read every case


def test_a_bad_file_stores_nothing_and_lists_every_bad_line(db, tmp_path):
    lines = ONE_CASE.read_text().splitlines()
    custody_by_investigator = event(
        "custody.ordered", {"person": "P1", "until": "2024-05-01T00:00:00+05:00"}, case="KZ-2024-000123"
    )
    lines[3] = '{"kind": "report.received"'
    lines.insert(10, json.dumps(custody_by_investigator))
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    done = habeas("import", str(bad), db=db, check=False)
    assert done.returncode == 2
    assert "line 4: json: not valid JSON" in done.stderr
    assert "line 11: actor.role: an investigator may not record custody.ordered" in done.stderr
    assert "nothing was stored" in done.stderr
    assert habeas("verify", db=db).stdout.startswith("intact: 0 events")


def test_a_byte_order_mark_and_windows_line_ends_are_read(db, tmp_path):
    crlf = tmp_path / "windows.jsonl"
    crlf.write_bytes(b"\xef\xbb\xbf" + ONE_CASE.read_bytes().replace(b"\n", b"\r\n"))
    assert habeas("import", str(crlf), db=db).stdout.strip() == "stored 19, skipped 0 (already stored)"


def test_unknown_case_and_uninitialised_database_are_clear_errors(db, tmp_path):
    done = habeas("case", "show", "KZ-NONE", db=db, check=False)
    assert done.returncode == 1 and "no case 'KZ-NONE'" in done.stderr
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    done = habeas("verify", db=fresh, check=False)
    assert done.returncode == 1 and "habeas init" in done.stderr and "Traceback" not in done.stderr


def test_verify_exits_1_at_the_first_changed_record(db, tmp_path):
    habeas("import", str(ONE_CASE), db=db)
    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE events SET data = replace(data, 'street', 'park') WHERE position = 5")
    done = habeas("verify", db=db, check=False)
    assert done.returncode == 1 and done.stdout.startswith("broken at position 5: ")


def _big_file(path: Path, cases: int) -> None:
    with path.open("w") as out:
        for n in range(cases):
            case = f"KZ-2024-{n:06d}"
            out.write(
                json.dumps(event("report.received", {"channel": "phone", "summary": "s"}, case=case, id=f"{case}-r"))
                + "\n"
            )
            for p in range(4):
                out.write(
                    json.dumps(
                        event(
                            "party.added",
                            {"person": f"P{p}", "role": "witness", "name": "W"},
                            case=case,
                            id=f"{case}-{p}",
                        )
                    )
                    + "\n"
                )


def _midway(url: str) -> bool:
    """The import's transaction is open and has written: SQLite's WAL has grown, or a
    PostgreSQL backend has held a transaction open for over a second."""
    if url.startswith("sqlite"):
        wal = Path(url.removeprefix("sqlite:///") + "-wal")
        return wal.exists() and wal.stat().st_size > 2_000_000
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        busy = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND xact_start < now() - interval '1 second'"
            )
        ).scalar()
    engine.dispose()
    return busy > 0


def test_an_import_killed_midway_leaves_the_database_as_before(db_url, tmp_path):
    habeas("import", str(ONE_CASE), db=db_url)
    big = tmp_path / "big.jsonl"
    _big_file(big, 30_000)
    env = {**os.environ, "HABEAS_DATABASE_URL": db_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "habeas", "import", str(big)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _midway(db_url):
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be killed: make the file bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert habeas("verify", db=db_url).stdout.startswith("intact: 19 events, head 19 ")
    assert len(json.loads(habeas("case", "list", "--json", db=db_url).stdout)) == 1


def test_db_may_come_before_the_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'first.db'}"
    env = {k: v for k, v in os.environ.items() if k != "HABEAS_DATABASE_URL"}
    for args in (["init"], ["import", str(ONE_CASE)], ["verify"]):
        done = subprocess.run(
            [sys.executable, "-m", "habeas", "--db", url, *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("intact: 19 events")
    assert not (tmp_path / "habeas.db").exists()  # the default file was never touched


def test_case_list_filters_and_reads_of_one_person(db, tmp_path):
    habeas("import", str(ONE_CASE), db=db)
    other = tmp_path / "other.jsonl"
    other.write_text(
        json.dumps(
            event(
                "case.registered",
                {"erdr_number": "9", "article": "190", "region": "shymkent"},
                case="KZ-2024-000999",
                id="o-1",
            )
        )
        + "\n"
    )
    habeas("import", str(other), db=db)
    every = json.loads(habeas("case", "list", "--json", db=db).stdout)
    astana = json.loads(habeas("case", "list", "--region", "astana", "--json", db=db).stdout)
    assert [c["case"] for c in every] == ["KZ-2024-000123", "KZ-2024-000999"]
    assert [(c["case"], c["stage"], c["article"], c["events"]) for c in astana] == [
        ("KZ-2024-000123", "court", "188", 19)
    ]

    added = habeas(
        "user",
        "add",
        "--login",
        "pr-12",
        "--role",
        "prosecutor",
        "--agency",
        "prosecutor-astana",
        "--region",
        "astana",
        db=db,
    ).stdout
    token = added.split("token (shown once): ")[1].strip()
    habeas(
        "case",
        "show",
        "KZ-2024-000123",
        "--as",
        "pr-12",
        "--purpose",
        "supervision",
        db=db,
        env_extra={"HABEAS_TOKEN": token},
    )
    reads = json.loads(habeas("reads", "--case", "KZ-2024-000123", "--person", "P1", "--json", db=db).stdout)
    # a list names the cases it shows, so each listing is a read of those cases too
    assert [(r["actor"]["id"], r["actor"]["role"], r["purpose"]) for r in reads] == [
        ("root", "admin", "case list"),
        ("root", "admin", "case list"),
        ("pr-12", "prosecutor", "supervision"),
    ]
    other_reads = json.loads(habeas("reads", "--case", "KZ-2024-000999", "--json", db=db).stdout)
    assert [r["purpose"] for r in other_reads] == ["case list"]


def test_a_read_database_is_a_postgresql_replica(db):
    refused = habeas("case", "list", "--read-db", "sqlite:///other.db", db=db, check=False)
    assert refused.returncode == 2 and "PostgreSQL streaming replica" in refused.stderr
    served = habeas("serve", "--read-db", "postgresql://nowhere/x", db=db, check=False, timeout=60)
    assert served.returncode == 2 and "PostgreSQL streaming replica" in served.stderr
