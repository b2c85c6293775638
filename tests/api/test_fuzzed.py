"""The API fuzzed from its own OpenAPI document (schemathesis), bounded: whatever is sent, no
answer is a 5xx, and every answer is one the document declares, in the shape it declares.

On both stores (a NUL or an over-long id once reached PostgreSQL as a 500: issue 23), signed
in as the local operator (an admin: reads everything, records nothing) and as a registrar
(records for others), up to `EXAMPLES` cases per operation each: the 11 operations that take
parameters × 2 stores × 2 roles × 230 is about 10,000 requests (the 5 without parameters need
one each), about 2½ minutes of two idle cores. The document is the app's
own (`create_app(...).openapi()`, which needs no database); each test sends its cases to a
running app on a fresh database, seeded with the two cases of tests/api/conftest.py."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from schemathesis.python import asgi

from habeas.api import Settings, create_app
from habeas.services import checkpoints, sessions, setup, users
from tests.api.conftest import bearer, make_api
from tests.conftest import NOW

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
DOCUMENT = create_app(Settings(database_url="sqlite://", web=False)).openapi()
# (schemathesis.pytest.from_fixture would build the document from a fixture, but its lazy
# loader sets `request.node._nodeid`, which pytest 9 no longer has.)
schemathesis.serializer.alias("application/x-ndjson", "text/plain")  # events:batch takes JSONL as text
# signing out would end the session the fuzzing runs in
schema = schemathesis.openapi.from_dict(DOCUMENT).exclude(method="DELETE", path="/api/v1/sessions/current")


EXAMPLES = 230


@pytest.fixture(params=["admin", "registrar"])
def signed_in(request, db_url, law, tmp_path):
    """An app on a fresh database of each store, and the bearer headers of a signed-in user of this role."""
    app, _ = make_api(db_url, law, tmp_path)
    checkpoints.ensure_key(tmp_path / "keys" / "signing.key")  # else a checkpoint is a (documented) 503
    with setup.open_database(db_url) as engine:
        role = request.param
        added = users.add(
            engine,
            law,
            users.operator("op"),
            NOW,
            role,
            role,
            agency="ministry-records" if role == "registrar" else "local",
        )
        session = sessions.open_session(engine, role, added.token, NOW)
    with asgi.get_client(app) as client:  # the app's lifespan once per test, not once per request
        yield client, bearer(session.token)


def test_the_document_is_the_one_the_app_serves(sqlite_api):
    assert sqlite_api.client.get("/openapi.json").json() == DOCUMENT


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_answer_is_a_server_error_and_each_is_as_documented(case, signed_in):
    client, headers = signed_in
    case.call_and_validate(session=client, headers=headers, checks=CHECKS)
