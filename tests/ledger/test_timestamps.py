"""Published checkpoints countersigned by an RFC 3161 timestamp authority (a local one,
`local_tsa`): a checkpoint signed after a rewrite and backdated is refused even when the
forger holds the signing key, on both stores, by `habeas verify` and by the outsider."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from habeas.ledger import checkpoint as signed
from habeas.ledger import timestamp
from habeas.services import checkpoints, maintenance, timestamps
from tests.conftest import NOW, OPERATOR
from tests.ledger.local_tsa import LocalTsa
from tests.ledger.test_rewrites import Register_, _rechain, _signed_with_the_key
from tests.test_cli import habeas


@pytest.fixture
def tsa():
    made = LocalTsa()
    made.clock = lambda: NOW + timedelta(seconds=2)  # the tests' register signs at NOW
    made.url = made.start()
    yield made
    made.stop()


@pytest.fixture
def reg(db_url, tmp_path, law, tsa):
    made = Register_(db_url, tmp_path, law)
    made.root = tmp_path / "tsa-root.pem"
    made.root.write_bytes(tsa.root_pem())
    made.env["HABEAS_TSA_CERT"] = str(made.root)
    # the first checkpoint was published without a timestamp: start the log again, stamped
    made.published.unlink()
    made.first = checkpoints.make(
        made.engine, law, OPERATOR, NOW, made.key, made.published, timestamps.authority(tsa.url)
    )
    yield made
    made.engine.dispose()


def test_the_request_names_the_bytes_and_the_answer_is_checked_against_them():
    asked, nonce = timestamp.request(b"a checkpoint")
    tsa = LocalTsa()
    stamped = timestamp.stamp("local", tsa.respond(asked), nonce, b"a checkpoint")
    roots = timestamp.read_certificates(tsa.root_pem())
    signed_at = stamped["at"]
    assert timestamp.check(stamped, b"a checkpoint", signed_at, roots)
    with pytest.raises(signed.Forged, match="other bytes"):
        timestamp.check(stamped, b"another checkpoint", signed_at, roots)
    with pytest.raises(ValueError, match="nonce"):
        timestamp.stamp("local", tsa.respond(asked), (nonce or 0) + 1, b"a checkpoint")


def test_a_stamped_checkpoint_log_verifies_and_the_command_line_stamps_too(reg, tsa):
    assert "timestamp" in reg.first and reg.first["timestamp"]["at"] == "2026-11-25T09:00:02Z"
    tsa.clock = lambda: datetime.now(UTC)  # the command line signs at the time it is run
    made = habeas("checkpoint", db=reg.url, env_extra={**reg.env, "HABEAS_TSA_URL": tsa.url})
    published = [json.loads(x) for x in reg.published.read_text().splitlines()]
    assert len(published) == 2 and json.loads(made.stdout)["timestamp"] == published[1]["timestamp"]
    done = reg.verify()
    assert done.returncode == 0 and "the logs are what its 2 checkpoint(s) sign" in done.stdout, done.stdout


def test_a_backdated_checkpoint_is_refused_by_its_late_timestamp_even_signed_with_the_key(reg, tsa, tmp_path):
    reg.sql("UPDATE events SET data = replace(data, 'P1', 'P2') WHERE position = 5")
    _rechain(reg.engine)
    heads = maintenance.heads(reg.engine)
    # the forger rewrites the published log whole: one checkpoint of the rewritten heads,
    # signed with the key and dated as the first was; the authority stamps it as it sees it: later
    body = signed.statement(
        (heads["events"]["position"], heads["events"]["hash"]),
        (heads["reads"]["position"], heads["reads"]["hash"]),
        reg.first["signed_at"],
        (heads["accounts"]["position"], heads["accounts"]["hash"]),
    )
    forged = _signed_with_the_key(reg, body)
    tsa.clock = lambda: NOW + timedelta(days=3)
    forged["timestamp"] = timestamps.authority(tsa.url)(signed.line(forged).encode("utf-8"))
    reg.published.write_text(signed.line(forged) + "\n")
    done = reg.verify()
    assert done.returncode == 1 and "long after it says it was signed" in done.stdout and "backdated" in done.stdout
    # without a timestamp, or stamped by another authority: refused where the authority is given
    forged = {k: v for k, v in forged.items() if k != "timestamp"}
    reg.published.write_text(signed.line(forged) + "\n")
    done = reg.verify()
    assert done.returncode == 1 and "no timestamp from the authority given" in done.stdout
    other = LocalTsa()
    other.clock = lambda: NOW
    url = other.start()
    try:
        forged["timestamp"] = timestamps.authority(url)(signed.line(forged).encode("utf-8"))
    finally:
        other.stop()
    reg.published.write_text(signed.line(forged) + "\n")
    export = tmp_path / "log.jsonl"
    export.write_text(habeas("export", "--format", "log", db=reg.url, env_extra=reg.env).stdout)
    outsider = subprocess.run(
        [
            sys.executable,
            "-m",
            "habeas.verify_export",
            str(export),
            "--checkpoints",
            str(reg.published),
            "--key",
            str(reg.key) + ".pub",
            "--tsa-cert",
            str(reg.root),
        ],
        capture_output=True,
        text=True,
    )
    assert outsider.returncode == 1 and "not signed by the authority given" in outsider.stdout, outsider.stdout
