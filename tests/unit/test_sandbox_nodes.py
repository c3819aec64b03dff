"""The sandbox's nodes and executions: PromptLayer's node types, scripts, conditionals read
leniently, the simulated timeline and the poll-count progress mode, Get Agent definitions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from promptlayer_agents.sandbox import CatalogError, load_catalog
from promptlayer_agents.sandbox._engine import Execution, execute, holds, unevaluable
from promptlayer_agents.sandbox._nodes import Script, json_path, placeholder


def _definition(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]] | None = None, **fields: Any
) -> dict[str, Any]:
    """A Get Agent answer with these nodes and edges (ids filled in by the sandbox)."""
    return {"workflow_name": "a", "nodes": nodes, "edges": edges or [], **fields}


def _node(
    name: str, node_type: str, deps: list[str] | None = None, **config: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "node_type": node_type,
        "dependencies": deps or [],
        "configuration": config,
        "is_output_node": True,
    }


def _execution(definition: dict[str, Any], inputs: dict[str, Any], **options: Any) -> Execution:
    version = load_catalog(definition).find(definition["workflow_name"]).versions[-1]  # type: ignore[union-attr]
    return Execution(1, version, inputs, **options)


def _run(definition: dict[str, Any], inputs: dict[str, Any], **options: Any) -> Execution:
    execution = _execution(definition, inputs, **options)
    asyncio.run(asyncio.wait_for(execute(execution), timeout=10))
    return execution


INPUTS: dict[str, Any] = {
    "text": "Thank you. Order 12 and 7 shipped!\n\nBye.",
    "doc": '{"items": [{"v": 3}, {"v": 9}], "status": "ok"}',
    "xml": "<r><item><title>A</title></item><item><title>B</title></item></r>",
    "a": "4",
    "b": 10,
    "none": None,
}


@pytest.mark.parametrize(
    ("node_type", "config", "expected"),
    [
        ("VARIABLE", {"value": {"type": "json", "value": {"k": 1}}}, {"k": 1}),
        ("VARIABLE", {"value": "plain"}, "plain"),
        ("COALESCE", {"sources": ["none", "a", "b"]}, "4"),
        ("COMBINE_COLUMNS", {"sources": ["a", "b"]}, {"a": "4", "b": 10}),
        ("ABSOLUTE_NUMERIC_DISTANCE", {"sources": ["a", "b"]}, 6.0),
        ("CONTAINS", {"source": "text", "value": "THANK YOU"}, True),
        ("CONTAINS", {"source": "text", "value_source": "a"}, False),
        ("REGEX", {"source": "text", "regex_pattern": r"Order \d+"}, True),
        ("REGEX_EXTRACTION", {"source": "text", "regex_pattern": r"\d+"}, ["12", "7"]),
        ("COMPARE", {"sources": ["a", "a"], "comparison_type": {"type": "STRING"}}, True),
        (
            "COMPARE",
            {
                "sources": ["doc", "doc"],
                "comparison_type": {"type": "JSON", "json_path": "$.status"},
            },
            True,
        ),
        ("JSON_PATH", {"source": "doc", "json_path": "$.items[1].v"}, 9),
        (
            "JSON_PATH",
            {"source": "doc", "json_path": "$.items[*].v", "return_first_match": False},
            [3, 9],
        ),
        ("JSON_PATH", {"source": "doc", "json_path": "$['status']"}, "ok"),
        ("XML_PATH", {"source": "xml", "xml_path": ".//title"}, "A"),
        ("XML_PATH", {"source": "xml", "xml_path": ".//title", "type": "findall"}, ["A", "B"]),
        ("PARSE_VALUE", {"source": "a", "type": "number"}, 4),
        ("PARSE_VALUE", {"source": "doc", "type": "object"}, json.loads(INPUTS["doc"])),
        ("ASSERT_VALID", {"source": "doc", "type": "object"}, True),
        ("ASSERT_VALID", {"source": "text", "type": "number"}, False),
        ("COUNT", {"source": "text", "type": "words"}, 8),
        ("COUNT", {"source": "text", "type": "paragraphs"}, 2),
        ("MATH_OPERATOR", {"sources": ["a"], "operator": "ge", "value": 4}, True),
        ("MATH_OPERATOR", {"sources": ["a", "b"], "operator": "gt"}, False),
        ("MIN_MAX", {"source": "doc", "type": "max", "json_path": "$.items[*].v"}, 9.0),
    ],
)
def test_pure_data_nodes_behave_as_documented(
    node_type: str, config: dict[str, Any], expected: Any
) -> None:
    execution = _run(_definition([_node("N", node_type, **config)]), INPUTS)

    assert (execution.runs["N"].status, execution.runs["N"].value) == ("SUCCESS", expected)


@pytest.mark.parametrize(
    ("node_type", "config", "error"),
    [
        ("JSON_PATH", {"source": "doc"}, "configuration.json_path is missing"),
        ("JSON_PATH", {"source": "doc", "json_path": "$..deep"}, "unsupported JSONPath"),
        ("CONTAINS", {"source": "ghost", "value": "x"}, "Variable 'ghost' not found"),
        ("REGEX", {"source": "text", "regex_pattern": "("}, "regex_pattern"),
        ("MATH_OPERATOR", {"sources": ["text"], "operator": "lt", "value": 1}, "not a number"),
    ],
)
def test_a_data_node_that_cannot_run_fails_with_the_reason(
    node_type: str, config: dict[str, Any], error: str
) -> None:
    run = _run(_definition([_node("N", node_type, **config)]), INPUTS).runs["N"]

    assert run.status == "FAILED"
    assert run.error_message is not None and error in run.error_message


@pytest.mark.parametrize(
    "node_type", ["PROMPT_TEMPLATE", "ENDPOINT", "CODE_EXECUTION", "LLM_ASSERTION", "NEW_KIND"]
)
def test_nodes_that_need_a_model_or_service_give_the_documented_placeholder(
    node_type: str,
) -> None:
    config: dict[str, Any] = {"template": {"name": "p"}, "url": "https://x.test", "code": "1"}
    execution = _run(_definition([_node("Reply", node_type, **config)]), {})

    assert execution.runs["Reply"].value == placeholder(node_type, "Reply")
    assert placeholder(node_type, "Reply") == f"sandbox placeholder: {node_type} node Reply"


def test_scripts_decide_values_errors_and_durations() -> None:
    definition = _definition(
        [
            _node("Classify", "PROMPT_TEMPLATE", ["ticket"]),
            _node("Reply", "PROMPT_TEMPLATE", ["Classify"]),
            _node("Audit", "VARIABLE", value="kept"),
            _node("Call", "ENDPOINT", ["Classify"], url="https://x.test"),
        ],
        required_input_variables={"ticket": "string"},
    )
    seen: list[dict[str, Any]] = []

    def reply(values: dict[str, Any]) -> str:
        seen.append(values)
        return f"{values['Classify']}: {values['ticket']}"

    scripts = {
        "Classify": Script(value="billing", has_value=True, duration=0.01),
        "Reply": Script(value=reply, has_value=True),
        "Audit": Script(duration=0.02),
        "Call": Script(error="503 from the billing service"),
    }

    execution = _run(definition, {"ticket": "refund"}, scripts=scripts)

    assert execution.runs["Reply"].value == "billing: refund"
    assert seen[0]["ticket"] == "refund" and seen[0]["Classify"] == "billing"
    assert (execution.runs["Audit"].status, execution.runs["Audit"].value) == ("SUCCESS", "kept")
    assert execution.runs["Audit"].ended == 0.02
    assert execution.runs["Reply"].ended == 0.01  # starts when Classify ends
    assert execution.runs["Call"].error_message == "503 from the billing service"


def test_a_scripted_callable_that_raises_fails_its_node() -> None:
    def broken(values: dict[str, Any]) -> Any:
        raise KeyError("missing")

    execution = _run(
        _definition([_node("N", "PROMPT_TEMPLATE")]),
        {},
        scripts={"N": Script(value=broken, has_value=True)},
    )

    assert execution.runs["N"].status == "FAILED"
    assert execution.runs["N"].error_message == "KeyError: 'missing'"


def _conditional(**fields: Any) -> dict[str, Any]:
    return {
        "position": 0,
        "left_config": {"source": "x"},
        "right_config": {"static_value": 1},
        **fields,
    }


@pytest.mark.parametrize(
    ("conditional", "problem"),
    [
        ({"left_config": {"source": "x"}, "right_config": {"static_value": 1}}, "no operator"),
        (_conditional(operator="~"), "unknown operator '~'"),
        ({"operator": "="}, "left_config has neither static_value nor source"),
        ({"operator": "=", "left_config": {"source": "x"}}, "right_config has neither"),
        (_conditional(operator="=", left_config={"source": "ghost"}), "'ghost' names no node"),
        (_conditional(operator="=", left_config={"source": {"node": "x"}}), "names no node"),
        ("not an object", "not an object"),
    ],
)
def test_a_conditional_that_cannot_be_evaluated_does_not_hold(
    conditional: Any, problem: str
) -> None:
    reason = unevaluable(conditional, {"x"})

    assert reason is not None and problem in reason
    assert holds(conditional, {"x": 1}, {"x"}) is False


def test_conditionals_need_no_position_and_unary_operators_no_right_operand() -> None:
    assert holds({"operator": "is_null", "left_config": {"source": "x"}}, {"x": None}, {"x"})
    assert holds(
        {"operator": "in", "left_config": {"source": "x"}, "right_config": {"static_value": [1]}},
        {"x": 1},
        {"x"},
    )


def test_an_unevaluable_conditional_is_named_in_the_run_warning_and_skipped() -> None:
    definition = _definition(
        [_node("A", "VARIABLE", value=1), _node("B", "VARIABLE", ["A"], value=2)],
        [
            {
                "source_node_name": "A",
                "target_node_name": "B",
                "conditionals": [_conditional(operator="~", left_config={"source": "A"})],
            }
        ],
    )

    execution = _run(definition, {})

    assert execution.runs["B"].status == "SUCCESS"  # skipped conditional: the edge has none left
    assert execution.warnings() == [
        "edge A -> B: conditional 0 cannot be evaluated (unknown operator '~'), so it is skipped"
    ]


def test_in_poll_mode_each_node_finishes_after_that_many_polls() -> None:
    definition = _definition(
        [
            _node("A", "VARIABLE", value=1, sandbox_duration=60),
            _node("B", "VARIABLE", ["A"], value=2),
        ]
    )
    execution = _execution(definition, {}, polls_per_node=2)
    seen = []

    for polls in range(5):
        execution.polls = polls
        execution.advance()
        seen.append((execution.runs["A"].status, execution.runs["B"].status))

    assert seen == [
        ("RUNNING", "QUEUED"),
        ("RUNNING", "QUEUED"),
        ("SUCCESS", "RUNNING"),
        ("SUCCESS", "RUNNING"),
        ("SUCCESS", "SUCCESS"),
    ]
    assert execution.done and execution.main_output == 1  # A succeeded first


def test_zero_polls_per_node_finishes_at_once() -> None:
    definition = _definition([_node("A", "PROMPT_TEMPLATE", sandbox_duration=60)])
    execution = _execution(definition, {}, polls_per_node=0)

    assert execution.advance() is True
    assert execution.runs["A"].status == "SUCCESS"


def test_the_main_output_is_the_output_node_that_finishes_first_on_the_timeline() -> None:
    definition = _definition(
        [
            _node("Slow", "VARIABLE", value="slow", sandbox_duration=0.05),
            _node("Quick", "VARIABLE", value="quick", sandbox_duration=0.01),
        ]
    )

    assert _run(definition, {}).main_output == "quick"


FULL = {
    "success": True,
    "workflow_id": 41,
    "workflow_name": "triage",
    "version": 3,
    "workflow_version_id": 907,
    "commit_message": "Route",
    "required_input_variables": {"ticket": "string"},
    "release_labels": ["prod"],
    "created_at": "2026-05-04T10:00:00+00:00",
    "nodes": [
        {
            "id": "n1",
            "name": "Classify",
            "node_type": "PROMPT_TEMPLATE",
            "is_output_node": True,
            "configuration": {"template": {"name": "classify", "label": "prod"}},
            "dependencies": ["ticket"],
            "workflow_version_id": 907,
        }
    ],
    "edges": [],
}


def test_get_agent_definitions_load_as_given(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps(FULL))
    several = tmp_path / "several.json"
    several.write_text(json.dumps([{**FULL, "version": 1, "release_labels": []}, FULL]))

    agent = load_catalog(one).find("triage")
    both = load_catalog(several).find("41")

    assert agent is not None and agent.versions[0].to_dict() == FULL
    assert both is not None and [v.version for v in both.versions] == [1, 3]
    assert both.version(number=None, label="prod") is both.versions[1]


def test_adding_a_definition_adds_a_version() -> None:
    catalog = load_catalog(FULL)

    catalog.add({**FULL, "version": 4, "release_labels": ["staging"], "workflow_version_id": 908})
    catalog.add({"workflow_name": "other", "nodes": []})

    triage = catalog.find("triage")
    assert triage is not None and [v.version for v in triage.versions] == [3, 4]
    assert triage.version(number=None, label=None) is triage.versions[-1]
    assert catalog.find("other") is not None and catalog.find("other").id == 42  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("definition", "match"),
    [
        ({**FULL, "release_labels": []}, "version numbers must be unique"),
        ({**FULL, "version": 5}, "a release label may be on one version only"),
        ({**FULL, "version": 5, "release_labels": [], "workflow_id": 7}, "has workflow_id 41"),
        ({"nodes": []}, "needs a workflow_name"),
        ({**FULL, "workflow_name": "x", "version": 1}, "already the id of another agent"),
    ],
)
def test_a_definition_that_clashes_is_refused(definition: dict[str, Any], match: str) -> None:
    catalog = load_catalog(FULL)

    with pytest.raises(CatalogError, match=match):
        catalog.add(definition)
    assert [v.version for v in catalog.find("triage").versions] == [3]  # type: ignore[union-attr]


def test_json_path_subset() -> None:
    data = {"a": [{"b": 1}, {"b": 2}], "c": {"d": None}}

    assert json_path(data, "$.a[-1].b") == [2]
    assert json_path(data, "$.a.*.b") == [1, 2]
    assert json_path(data, "$.c.d") == [None]
    assert json_path(data, "$.missing") == []


def test_loaded_definitions_load_as_a_list_too() -> None:
    catalog = load_catalog([FULL, {**FULL, "version": 4, "release_labels": []}])

    assert [v.version for v in catalog.find("triage").versions] == [3, 4]  # type: ignore[union-attr]
