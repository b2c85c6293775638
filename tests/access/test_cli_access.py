"""The command line as officials, a person and the operator drive it (a sample of the matrix)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ONE_CASE
from tests.test_cli import habeas

CASE = "KZ-2024-000123"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'r.db'}"
    habeas("init", db=db)
    habeas("import", str(ONE_CASE), db=db)
    tokens = {}
    for login, *options in (
        ("inv", "--role", "investigator", "--agency", "police-almaty", "--region", "almaty"),
        ("pr", "--role", "prosecutor", "--agency", "prosecutor-astana", "--region", "astana"),
        ("omb", "--role", "ombudsman", "--agency", "ombudsman-office"),
        ("aidar", "--role", "person", "--person", f"{CASE}:P1"),
    ):
        said = habeas("user", "add", "--login", login, *options, db=db).stdout
        tokens[login] = said.split("token (shown once): ")[1].strip()
    return db, tokens


def run(register, login, *args, check=True):
    db, tokens = register
    return habeas(*args, db=db, check=check, env_extra={"HABEAS_USER": login, "HABEAS_TOKEN": tokens[login]})


def test_an_official_reads_a_case_once_assigned_to_it(register):
    refused = run(register, "inv", "case", "show", CASE, "--json", check=False)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "refused: case:read on KZ-2024-000123 needs the right to act on a case assigned to you" in refused.stderr
    assert "assigned to" in run(register, "pr", "case", "assign", CASE, "--official", "inv").stdout
    shown = json.loads(run(register, "inv", "case", "show", CASE, "--json", "--purpose", "investigation").stdout)
    assert shown["case"] == CASE and {"events", "findings"} <= set(shown)


def test_a_claimed_role_or_an_empty_purpose_is_refused(register):
    db, _ = register
    claimed = habeas("case", "show", CASE, "--as", "investigator:spy", db=db, check=False)
    assert claimed.returncode == 2 and "a role is no longer claimed" in claimed.stderr
    empty = habeas("case", "show", CASE, "--purpose", "", db=db, check=False)
    assert empty.returncode == 1 and "needs a purpose" in empty.stderr
    forged = habeas("case", "show", CASE, db=db, check=False, env_extra={"HABEAS_USER": "pr", "HABEAS_TOKEN": "x"})
    assert forged.returncode == 1 and "sign-in refused: wrong login or token" in forged.stderr


def test_a_person_sees_who_read_their_case_and_monitors_see_the_unassigned(register):
    run(register, "pr", "case", "show", CASE, "--purpose", "supervision")
    mine = json.loads(run(register, "aidar", "reads", "--mine", "--json").stdout)
    assert ("pr", "supervision", True) in [(r["actor"]["id"], r["purpose"], r["allowed"]) for r in mine]
    other = run(register, "aidar", "reads", "--case", "KZ-2024-000999", check=False)
    assert other.returncode == 1 and "refused: reads:read" in other.stderr
    unassigned = json.loads(run(register, "omb", "reads", "--unassigned", "--json").stdout)
    assert {r["actor"]["id"] for r in unassigned} >= {"pr"} and not any(r["assigned"] for r in unassigned)
    assert "reads intact:" in habeas("verify", db=register[0]).stdout


def test_only_the_operator_adds_and_lists_users(register):
    listed = json.loads(habeas("user", "list", "--json", db=register[0]).stdout)
    assert [u["login"] for u in listed] == ["aidar", "inv", "omb", "pr"]
    refused = run(register, "pr", "user", "list", check=False)
    assert refused.returncode == 1 and "user:admin is no right of the role prosecutor" in refused.stderr
    exported = run(register, "pr", "export", check=False)
    assert exported.returncode == 1 and exported.stdout == ""


def test_a_file_is_imported_as_a_signed_in_registrar_and_refused_to_an_investigator(register, tmp_path):
    db, tokens = register
    said = habeas("user", "add", "--login", "police-system", "--role", "registrar", "--agency", "police", db=db).stdout
    registrar_token = said.split("token (shown once): ")[1].strip()
    extra = (
        '{"id":"imp-1","kind":"report.received","case":"KZ-IMP-1","occurred_at":"2024-05-01T09:00:00+05:00",'
        '"actor":{"id":"inv-9","role":"investigator","agency":"police"},"data":{"channel":"in_person","summary":"x"}}\n'
    )
    file = tmp_path / "one.jsonl"
    file.write_text(extra, encoding="utf-8")
    refused = habeas("import", str(file), "--as", "inv", db=db, check=False, env_extra={"HABEAS_TOKEN": tokens["inv"]})
    assert refused.returncode == 1 and "needs case:record_for_others" in refused.stderr
    stored = habeas("import", str(file), "--as", "police-system", db=db, env_extra={"HABEAS_TOKEN": registrar_token})
    assert "stored 1, skipped 0" in stored.stdout
    log = [json.loads(line) for line in habeas("export", "--format", "log", db=db).stdout.splitlines()]
    # the read and account logs' records follow the events', each marked with its `log`
    assert [r["registrar"] for r in log if "log" not in r and r["id"] == "imp-1"] == [
        {"id": "police-system", "role": "registrar", "agency": "police"}
    ]
