"""Contract: schemathesis, driven by openapi.yaml and by PromptLayer's own published document,
finds no sandbox answer that breaks either (but for the published document's known quirks).

Bounded: a fixed number of examples per operation, so it ends in well under two minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, settings
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import negative_data_rejection

from promptlayer_agents import Agents
from promptlayer_agents.rules import is_http_url
from promptlayer_agents.sandbox import Sandbox

from ..helpers import ROOT

schema = schemathesis.openapi.from_path(ROOT / "openapi.yaml")


def _exclusive(case: schemathesis.Case[Any]) -> bool:
    """Whether the case keeps to what openapi.yaml states in words but cannot in a schema: a label
    and a version are mutually exclusive (the 422 for both is tested in test_sandbox_integration).
    The explicit-examples phase combines the `label` and `version` parameter examples."""
    query = case.query or {}
    body = case.body if isinstance(case.body, dict) else {}
    return not (
        (query.get("label") is not None and query.get("version") is not None)
        or (
            body.get("workflow_label_name") is not None
            and body.get("workflow_version_number") is not None
        )
    )


@pytest.fixture
def contract_sandbox() -> Iterator[Sandbox]:
    """A sandbox with a few executions already made, so results answers 200 and 202 too."""
    with Sandbox(log_level="critical") as sandbox:
        with Agents(api_key=sandbox.api_key, base_url=sandbox.url) as agents:
            agents.run_and_wait("greeter", input_variables={"name": "Ada"})
            agents.run("slow-report", input_variables={"topic": "tides"})
            agents.run("flaky-extractor", input_variables={"document": "x"})
        yield sandbox


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_sandbox_answers_conform_to_openapi_yaml(
    case: schemathesis.Case[Any], contract_sandbox: Sandbox
) -> None:
    assume(_exclusive(case))
    case.call_and_validate(
        base_url=contract_sandbox.url,
        headers={"X-API-KEY": contract_sandbox.api_key},
        # Answers to invalid requests are still checked against the spec; what is left out is
        # whether the sandbox refuses every one: like PromptLayer (FastAPI) it ignores unknown query
        # parameters, and the fixed key header above undoes cases that drop it.
        excluded_checks=[negative_data_rejection],
    )


official = schemathesis.openapi.from_path(ROOT / "upstream" / "promptlayer-openapi.json").include(
    operation_id=["runWorkflow", "getWorkflowVersionExecutionResults", "getWorkflow"]
)
"""PromptLayer's own published document, its three operations this project transcribes."""

ONE_OF_QUIRK = "is valid under more than one of the schemas listed in the 'oneOf' keyword"


def _keeps_sandbox_rules(case: schemathesis.Case[Any]) -> bool:
    """Whether the case keeps the rules the sandbox adds on purpose to PromptLayer's published
    document (README: the sandbox and PromptLayer's spec): label and version mutually exclusive
    (stated there in words only), execution ids and version numbers > 0, labels not empty, and
    callback URLs http(s). A case that breaks one is answered 422, as PromptLayer does."""
    query = case.query or {}
    body = case.body if isinstance(case.body, dict) else {}
    execution_id = str(query.get("workflow_version_execution_id", "1"))
    version = body.get("workflow_version_number")
    callback = body.get("callback_url")
    return _exclusive(case) and not (
        (execution_id.lstrip("-").isdigit() and int(execution_id) < 1)
        or body.get("workflow_label_name") == ""
        or (version is not None and not (type(version) is int and version > 0))
        or (callback is not None and not is_http_url(callback))
    )


@official.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_sandbox_answers_conform_to_promptlayers_published_spec(
    case: schemathesis.Case[Any], contract_sandbox: Sandbox
) -> None:
    """Every answer conforms to PromptLayer's own document too, but for its quirks: its 422
    `oneOf` (FastAPI's problem list or an error object, both with only optional fields) and its
    results `oneOf` (node map or any value) can never hold exactly one branch."""
    assume(_keeps_sandbox_rules(case))
    response = case.call(
        base_url=contract_sandbox.url, headers={"X-API-KEY": contract_sandbox.api_key}
    )
    try:
        case.validate_response(response, excluded_checks=[negative_data_rejection])
    except FailureGroup as group:
        real = [f for f in group.exceptions if ONE_OF_QUIRK not in str(f)]
        assert not real, "\n\n".join(str(f) for f in real)
