"""schemathesis against the API's own OpenAPI schema, in process (ASGI).

Every documented operation gets generated requests (valid and invalid ones,
plus the unsupported-method and missing-parameter probes); no answer may be a
5xx, and status codes, content types, headers (``Allow`` on a 405) and JSON
bodies must match the schema. The app runs over the small sample store with a
write token, so writes reach the update parser and the Graph Store Protocol.

``positive_data_acceptance`` is off: the schema types a SPARQL query, an IRI
or an article id as a string, so a schema-valid string that is no valid query
or names nothing rightly gets a 4xx.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from api.main import create_app
from kg.config import Settings
from kg.store import EmbeddedStore
from tests.test_api import load_sample

TOKEN = "schema-test-token"
EXAMPLES = int(os.environ.get("KG_SCHEMA_EXAMPLES", "50"))


def make_app() -> Any:
    store = load_sample(EmbeddedStore(None))
    settings_ = Settings(store="unused", write_token=TOKEN, query_timeout_s=5.0)
    return create_app(settings_, store=store)


# SPARQL texts and RDF bodies go on the wire as text, as text/plain does
for _media in (
    "application/sparql-query",
    "application/sparql-update",
    "text/turtle",
    "application/x-turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/ld+json",
):
    schemathesis.serializer.alias(_media, "text/plain")

with warnings.catch_warnings():  # schemathesis' own deprecations at load time
    warnings.simplefilter("ignore", DeprecationWarning)
    schema = schemathesis.openapi.from_asgi("/openapi.json", make_app())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # reproducible in CI
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        excluded_checks=[positive_data_acceptance],
    )


def test_the_schema_documents_the_error_shape_and_400() -> None:
    raw = schema.raw_schema
    error = raw["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"ok", "error", "errors", "status"}
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses, (method, path)  # the handler says 400
            assert "4XX" in responses, (method, path)


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/update", {"POST"}),
        ("/store", {"GET", "HEAD", "PUT", "POST", "DELETE"}),
        ("/sparql", {"GET", "POST"}),
        ("/export.ttl", {"GET"}),
    ],
)
def test_405_allow_lists_every_method_of_the_path(path: str, allow: set[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    with TestClient(make_app()) as client:
        r = client.request("OPTIONS", path)
        assert r.status_code == 405 and r.json()["status"] == 405
        got = {m.strip() for m in r.headers["allow"].split(",")}
        assert got == allow
