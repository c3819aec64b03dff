"""Every example in openapi.yaml parses into its generated model and serialises back unchanged.

The examples are the documented shapes of real traffic, so this is the check that the generated
client can read (and write) everything the spec promises.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import httpx
import pytest

from promptlayer_agents_api import models

from ..helpers import answering, load_spec, mock_client, operations, resolve, to_json

SPEC = load_spec()


def _call_with_examples(operation: dict[str, Any], client: Any) -> Any:
    """Call the generated `sync_detailed` for `operation` with the spec's own parameter examples."""
    module = importlib.import_module(
        f"promptlayer_agents_api.api.agents.{operation['operationId']}"
    )
    kwargs: dict[str, Any] = {}
    for parameter in operation.get("parameters", []):
        parameter = resolve(SPEC, parameter)
        kwargs[parameter["name"]] = parameter["example"]
    body = operation.get("requestBody")
    if body:
        media = body["content"]["application/json"]
        example = next(iter(media["examples"].values()))["value"]
        kwargs["body"] = getattr(models, media["schema"]["$ref"].rsplit("/", 1)[1]).from_dict(
            example
        )
    return module.sync_detailed(client=client, **kwargs)


def _model_names(schema: dict[str, Any]) -> set[str] | None:
    """The generated classes a response must parse into, or None when any JSON value is allowed."""
    alternatives = schema.get("anyOf", [schema])
    names = set()
    for alternative in alternatives:
        target = resolve(SPEC, alternative)
        if "type" not in target and "allOf" not in target:
            return None  # an "any JSON value" alternative: the raw value is the right parse
        names.add(alternative["$ref"].rsplit("/", 1)[1])
    return names


def _response_examples() -> list[Any]:
    cases = []
    for _, _, operation in operations(SPEC):
        for status, response in operation["responses"].items():
            for media in resolve(SPEC, response).get("content", {}).values():
                for name, example in media["examples"].items():
                    case = (operation, int(status), media["schema"], example["value"])
                    cases.append(
                        pytest.param(*case, id=f"{operation['operationId']}-{status}-{name}")
                    )
    return cases


def _request_examples() -> list[Any]:
    """Request-body examples (the run body and the callback body) with their schema names."""
    cases = []
    for _, _, operation in operations(SPEC):
        bodies = [operation.get("requestBody")]
        for callback in operation.get("callbacks", {}).values():
            for item in callback.values():
                bodies += [op.get("requestBody") for op in item.values()]
        for body in filter(None, bodies):
            media = body["content"]["application/json"]
            schema_name = media["schema"]["$ref"].rsplit("/", 1)[1]
            for name, example in media["examples"].items():
                cases.append(
                    pytest.param(schema_name, example["value"], id=f"{schema_name}-{name}")
                )
    return cases


@pytest.mark.parametrize(("operation", "status", "schema", "example"), _response_examples())
def test_response_example_parses_and_round_trips(
    operation: dict[str, Any], status: int, schema: dict[str, Any], example: Any
) -> None:
    response = _call_with_examples(operation, answering(status, example))

    assert response.status_code == status
    expected = _model_names(schema)
    if expected is not None:
        assert type(response.parsed).__name__ in expected
    assert to_json(response.parsed) == example


@pytest.mark.parametrize(("schema_name", "example"), _request_examples())
def test_request_example_round_trips_through_its_model(schema_name: str, example: Any) -> None:
    model = getattr(models, schema_name).from_dict(example)

    assert model.to_dict() == example


def test_every_response_and_request_body_has_an_example() -> None:
    missing = []
    for _, _, operation in operations(SPEC):
        media_types = [
            (str(status), media)
            for status, response in operation["responses"].items()
            for media in resolve(SPEC, response).get("content", {}).values()
        ]
        if "requestBody" in operation:
            media_types.append(("request", operation["requestBody"]["content"]["application/json"]))
        missing += [
            f"{operation['operationId']} {where}"
            for where, media in media_types
            if not media.get("examples")
        ]
    assert missing == []


def test_request_body_example_is_sent_as_written() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(
            201, json={"success": True, "message": "ok", "workflow_version_execution_id": 1}
        )

    run = next(op for _, _, op in operations(SPEC) if op["operationId"] == "run_agent")
    _call_with_examples(run, mock_client(handler))

    example = next(iter(run["requestBody"]["content"]["application/json"]["examples"].values()))
    assert json.loads(sent[0].content) == example["value"]


OFFICIAL_NODE_TYPES = {
    "VARIABLE",
    "CODE_EXECUTION",
    "PROMPT_TEMPLATE",
    "ENDPOINT",
    "COMPARE",
    "CONTAINS",
    "LLM_ASSERTION",
    "AI_DATA_EXTRACTION",
    "CODING_AGENT",
}
"""Node types PromptLayer's published spec names (`WorkflowNode.node_type`)."""


def test_agent_examples_use_official_node_types_and_shapes() -> None:
    get = SPEC["paths"]["/workflows/{workflow_id_or_name}"]["get"]
    examples = get["responses"]["200"]["content"]["application/json"]["examples"]
    nodes = [node for example in examples.values() for node in example["value"].get("nodes", [])]

    assert nodes
    assert {node["node_type"] for node in nodes} <= OFFICIAL_NODE_TYPES
    for node in nodes:
        if node["node_type"] == "PROMPT_TEMPLATE":
            assert isinstance(node["configuration"]["template"], dict)
            assert {"name", "label"} <= node["configuration"]["template"].keys()
