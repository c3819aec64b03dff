"""An agent definition as the generated models read it: absent fields read as None;
configuration is read-only; conditions read leniently; `to_dict()` is the API's JSON unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from promptlayer_agents import AgentDefinition, EdgeCondition
from promptlayer_agents.definitions import dependency_order, describe, upstream
from promptlayer_agents.rules import condition_text
from promptlayer_agents_api.models import AgentVersion, EdgeConditional

FULL: dict[str, Any] = {
    "success": True,
    "workflow_id": 7,
    "workflow_name": "support-bot",
    "version": 3,
    "workflow_version_id": 70,
    "commit_message": "route premium",
    "required_input_variables": {"question": "string"},
    "release_labels": ["prod", "staging"],
    "created_at": "2026-01-02T03:04:05+00:00",
    "nodes": [
        {
            "id": "n2",
            "name": "Answer",
            "node_type": "PROMPT_TEMPLATE",
            "is_output_node": True,
            "configuration": {"template": "Answer {Question}", "model": {"name": "x"}},
            "dependencies": ["Question"],
            "workflow_version_id": 70,
        },
        {
            "id": "n1",
            "name": "Question",
            "node_type": "VARIABLE",
            "is_output_node": False,
            "configuration": {"value": 1},
            "dependencies": ["question"],
        },
    ],
    "edges": [
        {
            "id": "e1",
            "source_node_name": "Question",
            "target_node_name": "Answer",
            "is_and": True,
            "conditionals": [
                {
                    "position": 0,
                    "operator": "=",
                    "left_config": {"source": "Question"},
                    "right_config": {"static_value": "premium"},
                }
            ],
        }
    ],
}
BARE = {k: FULL[k] for k in ("success", "workflow_id", "workflow_name", "version")} | {
    "workflow_version_id": 70,
    "nodes": [dict(FULL["nodes"][1])],
    "edges": [{k: v for k, v in FULL["edges"][0].items() if k != "conditionals"}],
}


def test_every_field_reads_with_its_plain_type() -> None:
    agent = AgentDefinition.from_dict(FULL)

    assert agent.release_labels == ["prod", "staging"]
    assert dict(agent.required_input_variables or {}) == {"question": "string"}
    assert agent.commit_message == "route premium"
    assert agent.created_at == "2026-01-02T03:04:05+00:00"
    answer = agent.nodes[0]
    assert (answer.name, answer.workflow_version_id, answer.dependencies) == (
        "Answer",
        70,
        ["Question"],
    )
    assert answer.configuration.get("template") == "Answer {Question}"
    assert dict(answer.configuration) == FULL["nodes"][0]["configuration"]
    conditionals = agent.edges[0].conditionals
    assert conditionals is not None
    condition = conditionals[0]
    assert (condition.position, condition.operator) == (0, "=")
    assert (condition.left_config, condition.right_config) == (
        {"source": "Question"},
        {"static_value": "premium"},
    )
    assert condition_text(condition) == 'Question = "premium"'


def test_absent_fields_are_none() -> None:
    agent = AgentDefinition.from_dict(BARE)

    assert agent.release_labels is None and agent.required_input_variables is None
    assert agent.commit_message is None and agent.created_at is None
    assert agent.nodes[0].workflow_version_id is None
    assert agent.edges[0].conditionals is None
    assert agent.to_dict() == BARE


def test_configuration_is_read_only_and_the_definition_is_frozen() -> None:
    agent = AgentDefinition.from_dict(FULL)

    with pytest.raises(TypeError):
        agent.nodes[0].configuration["template"] = "changed"  # type: ignore[index]
    with pytest.raises(AttributeError):
        agent.version = 4  # type: ignore[misc]


def test_the_public_names_are_the_generated_models() -> None:
    assert AgentDefinition is AgentVersion and EdgeCondition is EdgeConditional
    assert AgentDefinition.from_dict(FULL).to_dict() == FULL


def test_a_condition_missing_every_field_reads_as_none() -> None:
    bare = EdgeCondition.from_dict({})
    odd = EdgeCondition.from_dict({"position": "first", "operator": 7, "left_config": 5})

    for condition in (bare, odd):
        assert (condition.position, condition.operator, condition.right_config) == (None,) * 3
    assert odd.left_config == 5
    assert odd.to_dict() == {"position": "first", "operator": 7, "left_config": 5}
    assert condition_text(bare) == "? ? ?"


def test_graph_helpers_read_the_definition() -> None:
    agent = AgentDefinition.from_dict(FULL)

    assert upstream(agent) == {"Answer": ["Question"], "Question": []}
    assert [n.name for n in dependency_order(agent)] == ["Question", "Answer"]
    assert dependency_order(agent)[0] is agent.nodes[1]
    assert 'edge: Question -> Answer when Question = "premium"' in describe(agent)
    assert "created: 2026-01-02T03:04:05+00:00" in describe(agent)


def test_a_definition_whose_nodes_form_a_cycle_is_described_in_definition_order() -> None:
    """`get` reads such a definition; `promptlayer-agents get` must print it, not crash."""
    nodes = [
        {**node, "dependencies": [other]}
        for node, other in zip(FULL["nodes"], ["Answer", "Question"], strict=True)
    ]
    agent = AgentDefinition.from_dict({**FULL, "nodes": nodes, "edges": []})

    lines = describe(agent)

    assert any(
        line.startswith("nodes, in definition order (nodes depend on each other") for line in lines
    )
    assert [line.split()[1] for line in lines if line.startswith("  ")] == [
        n["name"] for n in nodes
    ]


def test_the_description_is_one_line_per_fact_node_and_edge() -> None:
    assert describe(AgentDefinition.from_dict(FULL)) == [
        "support-bot (id 7) version 3, labels: prod, staging",
        "commit: route premium",
        "created: 2026-01-02T03:04:05+00:00",
        "required inputs: question (string)",
        "nodes, in dependency order:",
        "  1. Question  VARIABLE         after question",
        "  2. Answer    PROMPT_TEMPLATE  after Question  [output]",
        'edge: Question -> Answer when Question = "premium"',
    ]


def test_the_description_of_a_sparse_definition_says_none_first_and_always() -> None:
    condition = FULL["edges"][0]["conditionals"][0]
    other = {**condition, "position": 1, "operator": "!=", "right_config": {"static_value": "x"}}
    first = {**FULL["nodes"][1], "dependencies": [], "name": "Q"}
    second = {**FULL["nodes"][1], "dependencies": ["Q", "a"], "name": "Reply", "id": "n3"}
    inputs = {"a": "string", "b": "number"}
    agent = AgentDefinition.from_dict(
        {
            **BARE,
            "commit_message": "",
            "required_input_variables": inputs,
            "nodes": [second, first],
            "edges": [
                {**FULL["edges"][0], "is_and": False, "conditionals": [condition, other]},
                {**FULL["edges"][0], "conditionals": []},
            ],
        }
    )

    assert describe(agent) == [
        "support-bot (id 7) version 3, labels: none",
        "commit: ",
        "required inputs: a (string), b (number)",
        "nodes, in dependency order:",
        "  1. Q      VARIABLE         first",
        "  2. Reply  VARIABLE         after Q, a",
        'edge: Question -> Answer when Question = "premium" or Question != "x"',
        "edge: Question -> Answer when always",
    ]


def test_a_definition_without_nodes_is_described() -> None:
    agent = AgentDefinition.from_dict({**BARE, "nodes": [], "edges": []})

    assert describe(agent) == [
        "support-bot (id 7) version 3, labels: none",
        "nodes, in dependency order:",
    ]
