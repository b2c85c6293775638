"""Users sign in with a token shown once; a wrong token, a disabled user, an unknown login
are refused alike, recorded, and repeated failures slow the next attempt down."""

from __future__ import annotations

from datetime import timedelta

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
def test_a_bad_sign_in_is_refused_and_recorded(engine, law, how):
    added = _add(engine, law)
    login, token = ("aidar", "not-it") if how == "wrong token" else ("nobody", added.token)
    if how == "disabled":
        accounts.disable(engine, law, OPERATOR, NOW, "aidar")
        login = "aidar"
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.sign_in(engine, login, token, NOW)
    expected = "this user is disabled" if how == "disabled" else "wrong login or token"
    assert str(refused.value) == expected
    with engine.connect() as conn:
        row = conn.execute(select(reads).order_by(reads.c.id.desc())).first()
    assert (row.actor_id, row.action, row.allowed, row.reason) == (login, "user:sign_in", False, expected)


def test_repeated_failures_slow_the_next_attempt_down(engine, law):
    added = _add(engine, law)
    for _ in range(accounts.FREE_FAILURES):
        with pytest.raises(accounts.SignInRefused, match="wrong"):
            accounts.sign_in(engine, "aidar", "guess", NOW)
    with pytest.raises(accounts.SignInRefused, match="too many failed sign-ins"):
        accounts.sign_in(engine, "aidar", added.token, NOW)  # even the right token waits
    assert accounts.sign_in(engine, "aidar", added.token, NOW + timedelta(seconds=2)).id == "aidar"
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
