"""Fuzzing the API from its own OpenAPI schema (schemathesis): no input may produce a 500.

Each operation's cases come from schemathesis's strategy for it, run by Hypothesis with a bounded
number of examples, so the whole run stays well under a minute. (schemathesis's lazy pytest
integration does not work with pytest 9, so the operations are driven here directly.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from cnpolicy.api.app import create_app
from tests.test_api_support import ApiClient, filled_store

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

# Examples per operation and mode: 10 operations × 2 modes × 25 examples (uploads run the
# extraction pipeline) take ~20 s on two cores; enough to hit every parameter's edge cases.
EXAMPLES_PER_OPERATION = 25
# Seconds one fuzzed request may take: an upload runs in an upload worker, whose first start
# loads the pipeline (~5 s here, longer on a loaded machine); the fixture starts them first.
REQUEST_TIMEOUT = 120


@pytest.fixture(scope="module")
def operations(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    store = filled_store(Path(tmp_path_factory.mktemp("fuzz")) / "store.db")
    app = create_app(store)
    warm = ApiClient(app).post("/documents", json={"text": "江州市精简机构9个。"})
    assert warm.status_code == 201, warm.text  # the upload workers are up and warm
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def check_response(case: Any) -> None:
    response = case.call(timeout=REQUEST_TIMEOUT)
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, (where, response.text[:500])
    content_type = response.headers.get("content-type", [""])
    if response.status_code >= 400 and "json" in content_type[0]:
        error = response.json()["error"]
        assert error["status"] == response.status_code, where
        assert error["message"], where


def test_the_schema_covers_every_endpoint(operations: list[Any]) -> None:
    labels = {f"{op.method.upper()} {op.path}" for op in operations}
    assert {"POST /documents", "GET /search", "GET /export", "DELETE /documents/{doc_id}"} <= labels


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_no_input_makes_a_server_error(operations: list[Any], mode: str) -> None:
    """Valid inputs (positive) and inputs that break the schema (negative)."""
    generation = schemathesis.GenerationMode(mode)
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy(generation))
        def fuzz(case: Any) -> None:
            check_response(case)

        try:
            fuzz()
        except Unsatisfiable:
            # An operation without parameters (GET /health) has no invalid inputs to make.
            assert mode == "negative" and not operation.definition.raw.get("parameters")
