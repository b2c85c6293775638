"""Users sign in with a token shown once; a wrong token, a disabled user, an unknown login
are refused alike, counted (not written to the read log), and never lock the user out."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from habeas.access.facts import Principal
from habeas.db.schema import reads, users
from habeas.services import guard
from habeas.services import users as accounts
from tests.conftest import NOW, OPERATOR


def _add(engine, law, login="aidar", role="investigator", **kw):
    return accounts.add(
        engine, law, OPERATOR, NOW, login, role, kw.get("agency", "police-astana"), "astana", kw.get("person")
    )


def test_a_user_signs_in_with_the_token_given_once(engine, law):
    added = _add(engine, law)
    me = accounts.sign_in(engine, "aidar", added.token, NOW)
    assert me == Principal("aidar", "investigator", "police-astana", "astana")
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.secret_hash)).scalar_one()
        logged = " ".join(str(v) for row in conn.execute(select(reads)) for v in row)
    assert stored.startswith("$argon2") and added.token not in stored and added.token not in logged


@pytest.mark.parametrize("how", ["wrong token", "unknown login", "disabled"])
def test_a_bad_sign_in_is_refused_with_one_message_and_counted_not_logged(engine, law, how):
    added = _add(engine, law)
    login, token = ("aidar", "not-it") if how == "wrong token" else ("nobody", added.token)
    if how == "disabled":
        accounts.disable(engine, law, OPERATOR, NOW, "aidar")
        login = "aidar"
    with engine.connect() as conn:
        before = conn.execute(select(reads.c.id)).fetchall()
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.sign_in(engine, login, token, NOW)
    assert str(refused.value) == "wrong login or token"
    with engine.connect() as conn:
        assert conn.execute(select(reads.c.id)).fetchall() == before  # no read record per attempt
    assert accounts.failures_of(engine, login) == (0 if how == "unknown login" else 1)


def test_failures_in_a_row_are_counted_and_the_right_token_still_gets_in(engine, law):
    added = _add(engine, law)
    for _ in range(8):
        with pytest.raises(accounts.SignInRefused, match="wrong"):
            accounts.sign_in(engine, "aidar", "guess", NOW)
    assert accounts.failures_of(engine, "aidar") == 8
    assert accounts.sign_in(engine, "aidar", added.token, NOW).id == "aidar"  # no lock
    with engine.connect() as conn:
        assert conn.execute(text("SELECT failures FROM users")).scalar_one() == 0


def test_only_user_admin_adds_users_and_the_attempt_is_recorded(engine, law):
    clerk = Principal("c-1", "court_clerk", "court-astana")
    with pytest.raises(guard.Refused, match="user:admin is no right of the role court_clerk"):
        accounts.add(engine, law, clerk, NOW, "mallory", "admin")
    with engine.connect() as conn:
        assert conn.execute(select(users)).fetchall() == []
        assert conn.execute(select(reads.c.what, reads.c.allowed)).fetchall() == [("user:add mallory", False)]


def test_a_user_is_refused_when_it_cannot_be(engine, law):
    _add(engine, law)
    with pytest.raises(accounts.UserError, match="already exists"):
        _add(engine, law)
    with pytest.raises(accounts.UserError, match="role 'spy'"):
        _add(engine, law, "x", "spy")
    with pytest.raises(accounts.UserError, match="--person CASE:PARTY"):
        _add(engine, law, "p", "person")
    assert [u["login"] for u in accounts.listed(engine, law, OPERATOR, NOW)] == ["aidar"]
