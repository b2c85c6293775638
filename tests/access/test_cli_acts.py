"""Acts checked like rights through the command line (issue 23 item 1): `case assign` and
`import` (by a signed-in registrar, and by the local operator) refuse what the policy does not
give the act's author, as `POST /events` does."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ONE_CASE
from tests.test_cli import habeas

CASE = "KZ-2024-000123"  # police-astana-almaty-district's, in Astana, before court-astana-district-2
UNIT = "police-astana-almaty-district"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('cli-acts') / 'r.db'}"
    habeas("init", db=db)
    habeas("import", str(ONE_CASE), db=db)
    tokens = {}
    for login, *options in (
        ("inv", "--role", "investigator", "--agency", UNIT, "--region", "astana"),
        ("pr", "--role", "prosecutor", "--agency", "prosecutor-astana", "--region", "astana"),
        ("inv-2", "--role", "investigator", "--agency", UNIT, "--region", "astana"),
        ("records", "--role", "registrar", "--agency", "ministry-records"),
        ("adv-2", "--role", "defence_lawyer", "--agency", "bar-astana"),
    ):
        said = habeas("user", "add", "--login", login, *options, db=db).stdout
        tokens[login] = said.split("token (shown once): ")[1].strip()
    return db, tokens


def run(register, login, *args):
    db, tokens = register
    return habeas(*args, db=db, check=False, env_extra={"HABEAS_USER": login, "HABEAS_TOKEN": tokens[login]})


def test_an_investigator_without_the_heads_title_assigns_no_one(register):
    refused = run(register, "inv", "case", "assign", CASE, "--official", "inv-2")
    assert refused.returncode == 1 and "case:assign" in refused.stderr, refused.stderr
    assigned = run(register, "pr", "case", "assign", CASE, "--official", "inv-2")  # the region's prosecutor
    assert assigned.returncode == 0 and "inv-2 assigned to" in assigned.stdout, assigned.stderr


ADMITS_ANOTHER = {
    "id": "cli-adm",
    "kind": "counsel.admitted",
    "case": CASE,
    "occurred_at": "2024-05-22T10:00:00+05:00",
    "actor": {"id": "adv-2", "role": "defence_lawyer", "agency": "bar-astana"},
    "data": {"person": "P1", "lawyer": "adv-9"},
}


@pytest.mark.parametrize("who", ["records", None], ids=["a signed-in registrar", "the local operator"])
def test_an_import_line_where_a_lawyer_admits_another_is_refused(register, tmp_path, who):
    db, tokens = register
    file = tmp_path / "lines.jsonl"
    file.write_text(json.dumps(ADMITS_ANOTHER) + "\n", encoding="utf-8")
    if who is None:
        done = habeas("import", str(file), db=db, check=False)
    else:
        done = run(register, who, "import", str(file), "--as", who)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "line 1: actor:" in done.stderr and "names only themselves" in done.stderr
    log = habeas("export", db=db).stdout
    assert "cli-adm" not in log
