"""Signed checkpoints: made over both logs, checked against the database and, by an
outsider, against an export; anything changed before one, or a forged one, is refused."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from habeas import verify_export
from habeas.ledger.checkpoint import Forged, check, sign
from habeas.services import checkpoints, maintenance, queries
from tests.conftest import NOW, ONE_CASE, OPERATOR, REGISTRAR, one_case_lines
from tests.test_cli import habeas

CASE = "KZ-2024-000123"


@pytest.fixture
def key(tmp_path):
    path = tmp_path / "keys" / "signing.key"
    assert checkpoints.ensure_key(path) and not checkpoints.ensure_key(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    return path


@pytest.fixture
def signed(register, engine, law, key):
    assert register.import_lines(one_case_lines(), REGISTRAR).ok
    queries.case_file(engine, law, CASE, OPERATOR, "review", NOW, NOW)
    return checkpoints.make(engine, law, OPERATOR, NOW, key)


def test_a_checkpoint_holds_for_the_logs_it_signs_and_after_more_is_appended(engine, law, key, signed):
    trusted = checkpoints.public_key(key)
    assert (signed["events"]["position"], signed["reads"]["position"]) == (19, 1)
    assert "match" in checkpoints.verify(engine, signed, trusted)
    queries.case_file(engine, law, CASE, OPERATOR, "review", NOW, NOW)  # the logs go on
    assert "match" in checkpoints.verify(engine, signed, trusted)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("UPDATE events SET data = replace(data, 'P1', 'P2') WHERE position = 5", "events log at position 19"),
        ("UPDATE reads SET purpose = 'nothing' WHERE id = 1", "reads log at position 1"),
        ("DELETE FROM reads", "does not reach"),
    ],
)
def test_a_change_before_the_checkpoint_is_refused(engine, key, signed, change, says):
    with engine.begin() as conn:
        conn.execute(text(change))
    with pytest.raises(Forged) as refused:
        checkpoints.verify(engine, signed, checkpoints.public_key(key))
    assert says in str(refused.value) or "does not reach" in str(refused.value)


def test_a_forged_checkpoint_is_refused(engine, key, signed):
    trusted = checkpoints.public_key(key)
    moved = {**signed, "events": {**signed["events"], "position": 18}}
    with pytest.raises(Forged, match="signature does not match"):
        checkpoints.verify(engine, moved, trusted)
    body = {k: v for k, v in signed.items() if k not in ("signature", "public_key")}
    other = sign(body, Ed25519PrivateKey.generate())
    with pytest.raises(Forged, match="another key"):
        checkpoints.verify(engine, other, trusted)
    assert check(other)  # well signed, by someone: only the published key tells
    with pytest.raises(Forged, match="not a habeas-checkpoint"):
        check({"events": 1})


def _export(engine, law, tmp_path, signed):
    log = tmp_path / "log.jsonl"
    log.write_text("".join(x + "\n" for x in maintenance.export_lines(engine, law, OPERATOR, NOW, "log")))
    point = tmp_path / "checkpoint.json"
    point.write_text(json.dumps(signed))
    return log, point


def test_the_outsider_verifies_an_export_against_a_checkpoint(engine, law, key, signed, tmp_path, capsys):
    log, point = _export(engine, law, tmp_path, signed)
    public = checkpoints.public_path(key)
    assert verify_export.main([str(log), str(point), "--key", str(public)]) == 0
    assert "intact up to position 19" in capsys.readouterr().out
    stranger = tmp_path / "stranger.pub"
    stranger.write_text(Ed25519PrivateKey.generate().public_key().public_bytes_raw().hex())
    assert verify_export.main([str(log), str(point), "--key", str(stranger)]) == 1
    assert "signed by another key" in capsys.readouterr().out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_character_changed_in_the_export_is_caught(sqlite_url, law, tmp_path_factory, data):
    from habeas.clock import FixedClock
    from habeas.db.engine import make_engine, migrate
    from habeas.services.register import Register

    folder = tmp_path_factory.mktemp("x")
    key = folder / "keys" / "k"
    checkpoints.ensure_key(key)
    engine = make_engine(f"sqlite:///{folder / 'x.db'}")
    migrate(engine)
    Register(engine, law, FixedClock(NOW)).import_lines(one_case_lines(), REGISTRAR)
    signed = checkpoints.make(engine, law, OPERATOR, NOW, key)
    log, point = _export(engine, law, folder, signed)
    text_ = log.read_text()
    at = data.draw(st.integers(0, len(text_) - 2).filter(lambda i: text_[i] not in "\n"))
    swapped = data.draw(st.sampled_from("0123456789abcdefXYZ ").filter(lambda c: c != text_[at]))
    log.write_text(text_[:at] + swapped + text_[at + 1 :])
    assert verify_export.main([str(log), str(point), "--key", str(checkpoints.public_path(key))]) == 1
    engine.dispose()


def test_the_verifier_loads_no_database_code():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, habeas.verify_export; print(sorted(m for m in sys.modules"
            " if m.split('.')[0] in ('sqlalchemy', 'psycopg', 'sqlite3', 'alembic')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_the_command_line_signs_checks_and_hands_the_outsider_what_it_needs(tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    key = tmp_path / "keys" / "signing.key"
    env = {"HABEAS_SIGNING_KEY": str(key)}
    made = habeas("init", db=db, env_extra=env).stdout
    assert f"signing key: none at {key}" in made and not key.exists()  # init never makes one
    assert f"signing key created: {key}" in habeas("checkpoint", "keygen", db=db, env_extra=env).stdout
    assert f"signing key: {key}" in habeas("init", db=db, env_extra=env).stdout
    habeas("import", str(ONE_CASE), db=db, env_extra=env)
    point = tmp_path / "cp.json"
    said = habeas("checkpoint", "--out", str(point), db=db, env_extra=env).stdout
    assert "checkpoint of events 19 and reads 0" in said
    assert "checkpoint holds" in habeas("checkpoint", "verify", str(point), db=db, env_extra=env).stdout
    log = tmp_path / "log.jsonl"
    log.write_text(habeas("export", "--format", "log", db=db, env_extra=env).stdout)
    done = subprocess.run(
        [sys.executable, "-m", "habeas.verify_export", str(log), str(point), "--key", str(key) + ".pub"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "intact up to position 19" in done.stdout, done.stdout + done.stderr
    with sqlite3.connect(tmp_path / "r.db") as conn:
        conn.execute("UPDATE events SET actor = replace(actor, 'inv-301', 'inv-302') WHERE position = 2")
    refused = habeas("checkpoint", "verify", str(point), db=db, check=False, env_extra=env)
    assert refused.returncode == 1 and "refused:" in refused.stdout


EVENT_COLUMNS = ("event_id", "stream", "kind", "occurred_at", "utc_offset", "recorded_at", "actor", "registrar", "data")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_stored_event_changed_before_the_checkpoint_is_refused(law, tmp_path_factory, data):
    from habeas.clock import FixedClock
    from habeas.db.engine import make_engine, migrate
    from habeas.services.register import Register

    folder = tmp_path_factory.mktemp("c")
    key = folder / "keys" / "k"
    checkpoints.ensure_key(key)
    engine = make_engine(f"sqlite:///{folder / 'c.db'}")
    migrate(engine)
    Register(engine, law, FixedClock(NOW)).import_lines(one_case_lines(), REGISTRAR)
    signed = checkpoints.make(engine, law, OPERATOR, NOW, key)
    position = data.draw(st.integers(1, 19))
    column = data.draw(st.sampled_from(EVENT_COLUMNS))
    with engine.begin() as conn:
        stored = conn.execute(text(f"SELECT {column} FROM events WHERE position = {position}")).scalar_one() or "x"
        at = data.draw(st.integers(0, len(stored) - 1))
        swapped = "Z" if stored[at] != "Z" else "Y"
        conn.execute(
            text(f"UPDATE events SET {column} = :v WHERE position = {position}"),
            {"v": stored[:at] + swapped + stored[at + 1 :]},
        )
    with pytest.raises(Forged):
        checkpoints.verify(engine, signed, checkpoints.public_key(key))
    engine.dispose()
