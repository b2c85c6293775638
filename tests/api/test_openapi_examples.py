"""Every example the OpenAPI document gives is a request the register takes: posted as the
documentation shows it, by the user it is written for, on a fresh register of each store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api, make_api

# who sends each documented request (the single event: an investigator, as its own actor;
# a batch of others' records: a registrar)
SENDER = {"/api/v1/events": "inv-1", "/api/v1/events:batch": "registrar"}


def documented_examples(spec: dict):
    """(path, content type, example body) of every request body the document illustrates."""
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            for content_type, content in ((operation.get("requestBody") or {}).get("content") or {}).items():
                if "example" in content:
                    yield path, content_type, content["example"]
                for example in (content.get("examples") or {}).values():
                    yield path, content_type, example["value"]
                for example in (content.get("schema") or {}).get("examples") or []:
                    yield path, content_type, example


@pytest.fixture
def fresh_api(db_url, law, tmp_path):
    app, clock = make_api(db_url, law, tmp_path, seed=False)
    with TestClient(app) as client:
        yield Api(client, clock, db_url, law)


def test_every_openapi_example_is_taken(fresh_api):
    spec = fresh_api.client.get("/openapi.json").json()
    examples = list(documented_examples(spec))
    assert {path for path, _, _ in examples} >= {"/api/v1/events", "/api/v1/events:batch"}, examples
    for path, content_type, body in examples:
        assert path in SENDER, f"an example for {path}: the test must know who sends it"
        headers = {**fresh_api.sign_in(SENDER[path]), "Content-Type": content_type}
        if isinstance(body, str):
            answer = fresh_api.client.post(path, content=body.encode("utf-8"), headers=headers)
        else:
            answer = fresh_api.client.post(path, json=body, headers=headers)
        assert answer.status_code in (200, 201), (path, body, answer.text)
