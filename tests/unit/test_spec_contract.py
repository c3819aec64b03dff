"""openapi.yaml keeps every status code, field and rule the live API has.

The spec is hand-written, so these checks pin what a later edit must not lose.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ..helpers import load_spec, operations, resolve

SPEC = load_spec()
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]

STATUS_CODES = {
    ("post", "/workflows/{workflow_name}/run"): {"201", "202", "400", "401", "404", "422"},
    ("get", "/workflow-version-execution-results"): {
        "200",
        "202",
        "400",
        "401",
        "403",
        "404",
        "422",
    },
    ("get", "/workflows/{workflow_id_or_name}"): {"200", "401", "404", "422"},
}


def _operation(method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = SPEC["paths"][path][method]
    return operation


def _properties(schema_name: str) -> set[str]:
    schema = SCHEMAS[schema_name]
    parts = [resolve(SPEC, part) for part in schema.get("allOf", [schema])]
    return {name for part in parts for name in part.get("properties", {})}


@pytest.mark.parametrize(("method", "path"), list(STATUS_CODES))
def test_operation_documents_every_live_status_code(method: str, path: str) -> None:
    assert set(_operation(method, path)["responses"]) == STATUS_CODES[(method, path)]


def test_spec_has_exactly_the_three_operations_with_module_friendly_ids() -> None:
    found = {(method, path): op["operationId"] for path, method, op in operations(SPEC)}
    assert found == {
        ("post", "/workflows/{workflow_name}/run"): "run_agent",
        ("get", "/workflow-version-execution-results"): "get_execution_results",
        ("get", "/workflows/{workflow_id_or_name}"): "get_agent",
    }


def test_every_operation_requires_the_api_key_header() -> None:
    assert SPEC["servers"][0]["url"] == "https://api.promptlayer.com"
    scheme = SPEC["components"]["securitySchemes"]["apiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-KEY")
    for _, _, operation in operations(SPEC):
        assert operation["security"] == [{"apiKey": []}]


@pytest.mark.parametrize(
    ("schema_name", "fields"),
    [
        (
            "RunAgentRequest",
            {
                "workflow_label_name",
                "workflow_version_number",
                "metadata",
                "input_variables",
                "return_all_outputs",
                "callback_url",
            },
        ),
        ("RunAgentResponse", {"success", "message", "warning", "workflow_version_execution_id"}),
        ("NodeResult", {"status", "value", "error_message", "raw_error_message", "is_output_node"}),
        ("ErrorResponse", {"success", "message", "error", "detail"}),
        ("ValidationIssue", {"loc", "msg", "type"}),
        ("NoOutputNodeError", {"success", "message", "output"}),
        ("ExecutionCallback", {"workflow_version_execution_id", "final_output"}),
        (
            "AgentVersion",
            {
                "success",
                "workflow_id",
                "workflow_name",
                "version",
                "workflow_version_id",
                "nodes",
                "edges",
                "commit_message",
                "required_input_variables",
                "release_labels",
                "created_at",
            },
        ),
        (
            "AgentNode",
            {
                "id",
                "name",
                "node_type",
                "is_output_node",
                "configuration",
                "dependencies",
                "workflow_version_id",
            },
        ),
        ("AgentEdge", {"id", "source_node_name", "target_node_name", "is_and", "conditionals"}),
        ("EdgeConditional", {"position", "operator", "left_config", "right_config"}),
    ],
)
def test_schema_has_every_live_field(schema_name: str, fields: set[str]) -> None:
    assert fields <= _properties(schema_name)


def test_fields_the_api_may_omit_or_null_are_optional_and_nullable() -> None:
    # PromptLayer's spec leaves every node-result and conditional field optional.
    assert "required" not in SCHEMAS["NodeResult"]
    assert "required" not in SCHEMAS["EdgeConditional"]
    assert "warning" not in SCHEMAS["RunAgentResponse"]["required"]
    for schema_name, field in [
        ("RunAgentResponse", "warning"),
        ("NodeResult", "error_message"),
        ("NodeResult", "raw_error_message"),
        ("AgentVersion", "commit_message"),
        ("AgentVersion", "created_at"),
        ("RunAgentRequest", "callback_url"),
        ("RunAgentRequest", "workflow_label_name"),
        ("RunAgentRequest", "workflow_version_number"),
    ]:
        assert "null" in SCHEMAS[schema_name]["properties"][field]["type"], (schema_name, field)
    # A plain string in PromptLayer's spec: a timestamp in another form must not sink the answer.
    assert "format" not in SCHEMAS["AgentVersion"]["properties"]["created_at"]


def test_node_statuses_are_documented_and_unknown_ones_stay_parseable() -> None:
    assert SCHEMAS["NodeStatus"]["enum"] == ["QUEUED", "RUNNING", "SUCCESS", "FAILED", "SKIPPED"]
    assert SCHEMAS["NodeResult"]["properties"]["status"]["anyOf"] == [
        {"$ref": "#/components/schemas/NodeStatus"},
        {"type": "string"},
    ]


def test_version_rules_are_stated() -> None:
    get = _operation("get", "/workflows/{workflow_id_or_name}")
    params = {p["name"]: p for p in get["parameters"]}
    assert params["version"]["schema"]["exclusiveMinimum"] == 0
    assert "Mutually exclusive with `label`" in params["version"]["description"]
    assert "Mutually exclusive with `version`" in params["label"]["description"]
    run_fields = SCHEMAS["RunAgentRequest"]["properties"]
    assert run_fields["workflow_version_number"]["exclusiveMinimum"] == 0
    assert "Mutually exclusive" in run_fields["workflow_version_number"]["description"]
    assert "Mutually exclusive" in run_fields["workflow_label_name"]["description"]


def _inline_objects(node: Any, where: str) -> Iterator[str]:
    """Places outside components/schemas where an object or map schema is written inline."""
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            yield where
        for key, value in node.items():
            yield from _inline_objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _inline_objects(value, f"{where}[{index}]")


def test_every_object_and_map_is_a_named_component_schema() -> None:
    inline = list(_inline_objects(SPEC["paths"], "#/paths"))
    inline += list(_inline_objects(SPEC["components"]["responses"], "#/components/responses"))
    for name, schema in SCHEMAS.items():
        properties = schema.get("properties", {})
        inline += list(_inline_objects(properties, f"#/components/schemas/{name}/properties"))
        inline += list(
            _inline_objects(schema.get("allOf", []), f"#/components/schemas/{name}/allOf")
        )
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            inline += list(
                _inline_objects(extra, f"#/components/schemas/{name}/additionalProperties")
            )
    assert inline == []
