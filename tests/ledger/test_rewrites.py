"""Issue 23, item 4: every rewrite a database writer can make, on both stores, is caught by
`habeas verify` and the published checkpoint log.

The forger here can write the database and recompute every hash (`_rechain`): so `verify`
alone finds each chain whole, and only what was published outside the database (the
checkpoint log, signed with a key kept elsewhere) tells. Users, roles and sessions are
checked against the account log; the projections against a replay (`verify --deep`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from sqlalchemy import text

from habeas.clock import FixedClock
from habeas.db.engine import make_engine
from habeas.ledger import accounts, reads
from habeas.ledger import checkpoint as signed
from habeas.ledger.chain import GENESIS, canonical_row, link
from habeas.ledger.rows import COLUMNS as EVENT_COLUMNS
from habeas.services import checkpoints, maintenance, projection_check, queries, sessions, users
from habeas.services.register import Register
from tests.conftest import NOW, OPERATOR, REGISTRAR, event, lines, one_case_lines
from tests.test_cli import habeas

CASE = "KZ-2024-000123"
DETENTION = "KZ-2024-000777"


class Register_:
    """A register with two cases, a prison officer with a session, a read, and one published
    checkpoint; the signing key and the checkpoint log outside the database's folder."""

    def __init__(self, url: str, folder: Path, law):
        self.url, self.law = url, law
        self.key = folder / "keys" / "signing.key"
        self.published = folder / "published" / "checkpoints.jsonl"
        self.env = {"HABEAS_SIGNING_KEY": str(self.key), "HABEAS_CHECKPOINT_LOG": str(self.published)}
        self.engine = make_engine(url)
        checkpoints.create_key(self.key, url)
        register = Register(self.engine, law, FixedClock(NOW))
        detention = [
            event("report.received", {"channel": "in_person", "summary": "fight"}, case=DETENTION),
            event(
                "case.registered",
                {"erdr_number": "1", "article": "293", "part": 1, "region": "almaty-city"},
                case=DETENTION,
            ),
            event("party.added", {"person": "P1", "role": "suspect", "name": "A B"}, case=DETENTION),
            event("person.detained", {"person": "P1", "place": "street"}, case=DETENTION),
        ]
        assert register.import_lines(one_case_lines() + lines(*detention), REGISTRAR).ok
        self.officer = users.add(self.engine, law, OPERATOR, NOW, "prison-1", "prison_officer", "penitentiary-7")
        sessions.open_session(self.engine, "prison-1", self.officer.token, NOW)
        queries.case_file(self.engine, law, CASE, OPERATOR, "review", NOW, NOW)
        self.first = self.checkpoint()

    def checkpoint(self) -> dict:
        return checkpoints.make(self.engine, self.law, OPERATOR, NOW, self.key, self.published)

    def sql(self, *statements: str, **params) -> None:
        with self.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement), params)

    def intact_alone(self) -> bool:
        """What `verify` says without the published log (in-process: the CLI is tested below)."""
        return maintenance.verify(self.engine).intact

    def verify(self, *args: str, published: bool = True) -> subprocess.CompletedProcess:
        env = self.env if published else {"HABEAS_SIGNING_KEY": str(self.key), "HABEAS_CHECKPOINT_LOG": ""}
        return habeas("verify", *args, db=self.url, check=False, env_extra=env)


@pytest.fixture
def reg(db_url, tmp_path, law):
    made = Register_(db_url, tmp_path, law)
    yield made
    made.engine.dispose()


def _rechain(engine) -> None:
    """What a forger who can write the database does after any change: recompute every
    hash of every chain, and each head, so that each chain is whole again."""
    with engine.begin() as conn:
        rows = conn.execute(text(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY position")).fetchall()
        head, position = GENESIS, 0
        for row in rows:
            head, position = link(head, canonical_row(*row)), row[0]
            conn.execute(text("UPDATE events SET hash = :h WHERE position = :p"), {"h": head.hex(), "p": position})
        conn.execute(text("DELETE FROM chain_head"))
        if position:
            conn.execute(
                text("INSERT INTO chain_head (id, position, hash) VALUES (1, :p, :h)"), {"p": position, "h": head.hex()}
            )
        head, position = GENESIS, 0
        for row in list(reads.rows(conn)):
            head, position = link(head, reads.canonical(row.id, row)), row.id
            conn.execute(text("UPDATE reads SET hash = :h WHERE id = :p"), {"h": head.hex(), "p": position})
        conn.execute(text("DELETE FROM read_head"))
        if position:
            conn.execute(
                text("INSERT INTO read_head (id, position, hash) VALUES (1, :p, :h)"), {"p": position, "h": head.hex()}
            )
        head, position = GENESIS, 0
        for r in list(accounts.rows(conn)):
            head, position = (
                link(head, accounts.canonical(r.id, r.at, r.by_id, r.by_role, r.kind, r.login, r.detail)),
                r.id,
            )
            conn.execute(text("UPDATE accounts SET hash = :h WHERE id = :p"), {"h": head.hex(), "p": position})
        conn.execute(text("DELETE FROM account_head"))
        if position:
            conn.execute(
                text("INSERT INTO account_head (id, position, hash) VALUES (1, :p, :h)"),
                {"p": position, "h": head.hex()},
            )


def _swap_events(conn, a: int, b: int) -> None:
    """Reorder: the records at positions a and b change places (their contents swapped)."""
    columns = EVENT_COLUMNS[1:]
    first, second = (
        conn.execute(text(f"SELECT {', '.join(columns)} FROM events WHERE position = :p"), {"p": p}).one()
        for p in (a, b)
    )
    conn.execute(text("DELETE FROM events WHERE position IN (:a, :b)"), {"a": a, "b": b})
    marks = ", ".join(f":{c}" for c in columns)
    for position, row in ((a, second), (b, first)):
        values = dict(zip(columns, row, strict=True))
        conn.execute(
            text(f"INSERT INTO events (position, {', '.join(columns)}, hash) VALUES (:position, {marks}, 'x')"),
            {"position": position, **values},
        )


# Rewrites of the logs a forger then rechains: `verify` alone says intact; the published log does not.
REWRITES = {
    "an event's data rewritten": ["UPDATE events SET data = replace(data, 'P1', 'P2') WHERE position = 5"],
    "the tail deleted": ["DELETE FROM events WHERE position > 15"],
    "events reordered": "swap",
    "the event log wiped": [
        "DELETE FROM events",
        "DELETE FROM cases",
        "DELETE FROM deadlines",
        "DELETE FROM stat_episodes",
    ],
    "a read's purpose rewritten": ["UPDATE reads SET purpose = 'nothing to see' WHERE id = 1"],
    "the read log wiped": ["DELETE FROM reads"],
}


@pytest.mark.parametrize("attack", REWRITES)
def test_a_rewrite_with_every_hash_recomputed_is_caught_by_the_published_checkpoints(reg, attack):
    change = REWRITES[attack]
    if change == "swap":
        with reg.engine.begin() as conn:
            _swap_events(conn, 3, 4)
    else:
        reg.sql(*change)
    _rechain(reg.engine)
    assert reg.intact_alone()  # the attack is real: every chain is whole again
    caught = reg.verify()
    assert caught.returncode == 1, caught.stdout
    assert "checkpoint log: the " in caught.stdout and "checkpoint 1 of 1" in caught.stdout


def test_an_untouched_register_verifies_against_its_checkpoint_log(reg):
    reg.checkpoint()  # a second one, chained to the first
    done = reg.verify("--deep", "--full")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the logs are what its 2 checkpoint(s) sign" in done.stdout
    assert "accounts intact: 2 records" in done.stdout and "users and sessions agree" in done.stdout
    assert "projections hold: 2 of 2 cases replayed agree" in done.stdout


def test_a_prison_officer_turned_admin_is_caught_by_verify_alone(reg):
    reg.sql("UPDATE users SET role = 'admin' WHERE login = 'prison-1'")
    done = reg.verify(published=False)
    assert done.returncode == 1 and "user 'prison-1': role is not what the account log says" in done.stdout


def test_a_prison_officer_turned_admin_with_the_account_log_forged_too_is_caught_by_the_published_log(reg):
    reg.sql(
        "UPDATE users SET role = 'admin' WHERE login = 'prison-1'",
        "UPDATE accounts SET detail = replace(detail, 'prison_officer', 'admin') WHERE login = 'prison-1'",
    )
    _rechain(reg.engine)
    assert reg.intact_alone()  # the replay agrees with the forged log
    caught = reg.verify()
    assert caught.returncode == 1 and "the accounts log at position" in caught.stdout


def test_a_session_written_into_the_database_or_prolonged_is_caught(reg, law):
    reg.sql(
        "INSERT INTO sessions (token_hash, login, created_at, expires_at, ended)"
        " VALUES (:t, 'prison-1', :now, :later, :no)",
        t="f" * 64,
        now=NOW.replace(tzinfo=None),
        later=NOW.replace(tzinfo=None, year=2030),
        no=False,
    )
    done = reg.verify(published=False)
    assert done.returncode == 1 and "a session of 'prison-1' is not in the account log" in done.stdout
    reg.sql("DELETE FROM sessions WHERE token_hash = :t", t="f" * 64)
    reg.sql("UPDATE sessions SET expires_at = :later", later=NOW.replace(tzinfo=None, year=2030))
    done = reg.verify(published=False)
    assert done.returncode == 1 and "expires_at not what the account log says" in done.stdout


def test_a_token_replaced_or_a_user_added_in_the_database_is_caught(reg):
    reg.sql("UPDATE users SET secret_hash = 'argon2-of-a-token-the-forger-knows' WHERE login = 'prison-1'")
    done = reg.verify(published=False)
    assert done.returncode == 1 and "user 'prison-1': token is not what the account log says" in done.stdout


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (f"DELETE FROM deadlines WHERE \"case\" = '{DETENTION}'", f"deadlines of '{DETENTION}': "),
        (f"UPDATE stat_episodes SET region = 'astana' WHERE \"case\" = '{DETENTION}'", "stat_episodes of"),
        (f"UPDATE cases SET stage = 'closed' WHERE \"case\" = '{CASE}'", f"cases of '{CASE}'"),
        ("DELETE FROM deadlines", "deadlines of"),
    ],
)
def test_a_projection_changed_in_the_database_is_caught_by_a_replay(reg, law, change, says):
    assert projection_check.check(reg.engine, law).holds
    reg.sql(change)
    assert reg.intact_alone()  # the logs are untouched: only the replay tells
    done = reg.verify("--deep")
    assert done.returncode == 1 and says in done.stdout, done.stdout
    full = projection_check.check(reg.engine, law, sample=None)
    assert full.checked == 2 and any(says in d for d in full.differences)


def test_rows_of_a_case_the_log_does_not_hold_are_caught(reg):
    reg.sql("INSERT INTO deadlines (\"case\", code, kind, finding) VALUES ('KZ-0000-FAKE', 'X', 'deadline', '{}')")
    done = reg.verify("--deep", "--sample", "1")
    assert done.returncode == 1 and "deadlines: rows of 'KZ-0000-FAKE', a case the log does not hold" in done.stdout


def _signed_with_the_key(reg, body: dict) -> dict:
    key = load_pem_private_key(reg.key.read_bytes(), password=None)
    return signed.sign(body, key)


def test_a_checkpoint_signed_after_a_rewrite_and_backdated_is_refused(reg, tmp_path):
    # the forger has the key too: rewrite, rechain, sign the new heads with an old time
    later = reg.checkpoint()
    reg.sql("UPDATE events SET data = replace(data, 'P1', 'P2') WHERE position = 5")
    _rechain(reg.engine)
    heads = maintenance.heads(reg.engine)
    body = signed.statement(
        (heads["events"]["position"], heads["events"]["hash"]),
        (heads["reads"]["position"], heads["reads"]["hash"]),
        "2026-11-25T08:00:00Z",  # before the last published one
        (heads["accounts"]["position"], heads["accounts"]["hash"]),
        signed.digest(reg.first),
    )
    forged = _signed_with_the_key(reg, body)
    point = tmp_path / "forged.json"
    point.write_text(json.dumps(forged))
    refused = habeas("checkpoint", "verify", str(point), db=reg.url, check=False, env_extra=reg.env)
    assert refused.returncode == 1 and "older than the last published checkpoint" in refused.stdout
    # slipped into the published log after the first: the log no longer holds
    text_ = reg.published.read_text().splitlines()
    reg.published.write_text("\n".join([text_[0], signed.line(forged), text_[1]]) + "\n")
    done = reg.verify()
    assert done.returncode == 1 and "checkpoint log refused: checkpoint log line 2" in done.stdout
    # appended, newer and chained: the earlier published checkpoints still catch the rewrite
    reg.published.write_text("\n".join(text_) + "\n")
    fresh = _signed_with_the_key(reg, {**body, "signed_at": "2026-11-25T09:30:00Z", "previous": signed.digest(later)})
    with reg.published.open("a") as handle:
        handle.write(signed.line(fresh) + "\n")
    done = reg.verify()
    assert done.returncode == 1 and "is not what checkpoint 1 of 3" in done.stdout


def test_a_checkpoint_signed_by_another_key_is_refused(reg, tmp_path):
    stranger = Ed25519PrivateKey.generate()
    other = signed.sign({k: v for k, v in reg.first.items() if k not in ("signature", "public_key")}, stranger)
    with reg.published.open("a") as handle:
        handle.write(signed.line({**other, "previous": signed.digest(reg.first)}) + "\n")
    done = reg.verify()
    assert done.returncode == 1 and "signed by another key than the one given" in done.stdout
    point = tmp_path / "other.json"
    point.write_text(json.dumps(other))
    env = {**reg.env, "HABEAS_CHECKPOINT_LOG": ""}
    refused = habeas("checkpoint", "verify", str(point), db=reg.url, check=False, env_extra=env)
    assert refused.returncode == 1 and "another key" in refused.stdout


def test_a_cut_tail_makes_the_next_checkpoint_refuse_to_publish(reg):
    reg.sql("DELETE FROM events WHERE position > 15")
    _rechain(reg.engine)
    done = habeas("checkpoint", db=reg.url, check=False, env_extra=reg.env)
    assert done.returncode == 1 and "the last published checkpoint is newer" in done.stderr
    assert len(reg.published.read_text().splitlines()) == 1


def test_the_outsider_checks_every_log_against_the_published_checkpoints(reg, tmp_path):
    export = tmp_path / "log.jsonl"
    export.write_text(habeas("export", "--format", "log", db=reg.url, env_extra=reg.env).stdout)
    public = str(reg.key) + ".pub"

    def outsider(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "habeas.verify_export", *args], capture_output=True, text=True)

    done = outsider(str(export), "--checkpoints", str(reg.published), "--key", public)
    assert done.returncode == 0 and "intact up to position 23" in done.stdout and "reads up to 1" in done.stdout
    assert outsider(str(export), "--checkpoints", str(reg.published)).returncode == 2  # no key: no check
    # a read record rewritten in the export and its hashes recomputed: the checkpoint tells
    records = [json.loads(x) for x in export.read_text().splitlines()]
    read = next(r for r in records if r.get("log") == "reads")
    read["purpose"] = "nothing to see"
    read["hash"] = link(
        GENESIS,
        json.dumps(
            {k: v for k, v in read.items() if k not in ("hash", "log")},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode(),
    ).hex()
    forged = tmp_path / "forged.jsonl"
    forged.write_text("".join(json.dumps(r) + "\n" for r in records))
    done = outsider(str(forged), "--checkpoints", str(reg.published), "--key", public)
    assert done.returncode == 1 and "reads" in done.stdout, done.stdout
    # a checkpoint older than the last published one, and not among them, is refused
    reg.checkpoint()
    old = {k: v for k, v in reg.first.items() if k not in ("signature", "public_key")}
    backdated = _signed_with_the_key(reg, {**old, "signed_at": "2026-11-25T08:59:00Z"})
    point = tmp_path / "backdated.json"
    point.write_text(json.dumps(backdated))
    done = outsider(str(export), str(point), "--checkpoints", str(reg.published), "--key", public)
    assert done.returncode == 1 and "older than the last published checkpoint" in done.stdout


def test_init_never_makes_a_second_key_and_keygen_never_overwrites(reg, tmp_path):
    before = reg.key.read_bytes()
    said = habeas("init", db=reg.url, env_extra=reg.env).stdout
    assert f"signing key: {reg.key}" in said and reg.key.read_bytes() == before
    again = habeas("checkpoint", "keygen", db=reg.url, check=False, env_extra=reg.env)
    assert again.returncode == 1 and "is kept, not replaced" in again.stderr and reg.key.read_bytes() == before
    nowhere = habeas("init", db=reg.url, env_extra={"HABEAS_SIGNING_KEY": ""})
    assert "signing key: none configured" in nowhere.stdout
    refused = habeas("checkpoint", db=reg.url, check=False, env_extra={"HABEAS_SIGNING_KEY": ""})
    assert refused.returncode == 1 and "no signing key configured" in refused.stderr


def test_a_key_beside_the_sqlite_file_is_refused(tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    beside = {"HABEAS_SIGNING_KEY": str(tmp_path / "r.db.signing-key")}
    habeas("init", db=db, env_extra=beside)
    made = habeas("checkpoint", "keygen", db=db, check=False, env_extra=beside)
    assert made.returncode == 1 and "lies in the database's folder" in made.stderr
    assert not (tmp_path / "r.db.signing-key").exists()
    checkpoints.ensure_key(tmp_path / "r.db.signing-key")  # an older habeas made one there
    refused = habeas("checkpoint", db=db, check=False, env_extra=beside)
    assert refused.returncode == 1 and "lies in the database's folder" in refused.stderr


def test_users_and_sessions_stored_before_the_account_log_are_adopted_by_init(db_url):
    from habeas.db.engine import migrate
    from habeas.services import setup

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            for table in ("account_head", "accounts"):
                conn.execute(text(f"DROP TABLE {table}"))
            conn.execute(text("ALTER TABLE sessions DROP COLUMN read_after"))  # 0010's, after the account log
            conn.execute(text("ALTER TABLE reads DROP COLUMN persons"))  # 0011's
            conn.execute(text("UPDATE alembic_version SET version_num = '0008'"))
            conn.execute(
                text(
                    "INSERT INTO users (login, role, agency, secret_hash, disabled, created_at, failures)"
                    " VALUES ('old-1', 'judge', 'court-1', 'argon2-hash', :no, :now, 0)"
                ),
                {"no": False, "now": NOW.replace(tzinfo=None)},
            )
        assert migrate(engine) == "0012" and not maintenance.verify(engine).intact  # a user the log lacks
        assert setup.prepare(engine) == "0012"
        checked = maintenance.verify(engine)
        assert checked.intact and checked.accounts.count == 1
        assert setup.prepare(engine) == "0012" and maintenance.verify(engine).accounts.count == 1  # once
    finally:
        engine.dispose()
