"""The agents the sandbox serves, field by field as Get Agent answers them (ids and defaults
filled in), found by name, id, number or label; and each refusal's whole message."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from promptlayer_agents.sandbox import CatalogError, load_catalog
from promptlayer_agents.sandbox._catalog import input_names, json_problem


def _node(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "node_type": "VARIABLE", **fields}


CATALOG: dict[str, Any] = {
    "agents": [
        {
            "workflow_name": "first",
            "versions": [
                {"nodes": [_node("A")], "release_labels": ["prod"]},
                {
                    "nodes": [_node("A"), _node("B", dependencies=["A"])],
                    "edges": [{"source_node_name": "A", "target_node_name": "B"}],
                    "required_input_variables": {"q": "string"},
                    "commit_message": "two",
                },
            ],
        },
        {"workflow_name": "second", "workflow_id": 70, "versions": [{"version": 9, "nodes": []}]},
    ]
}


def test_a_catalog_fills_in_what_get_agent_answers() -> None:
    catalog = load_catalog(CATALOG)
    first, second = catalog.find("first"), catalog.find("second")
    assert first is not None and second is not None

    one, two = (version.to_dict() for version in first.versions)
    node_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox:first:2:B"))
    edge_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox:first:2:A->B"))

    assert one == {
        "success": True,
        "workflow_id": 1,
        "workflow_name": "first",
        "version": 1,
        "workflow_version_id": 100,
        "commit_message": None,
        "required_input_variables": {},
        "release_labels": ["prod"],
        "created_at": "2026-01-01T00:00:00+00:00",
        "nodes": [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox:first:1:A")),
                "name": "A",
                "node_type": "VARIABLE",
                "dependencies": [],
                "configuration": {},
                "is_output_node": False,
                "workflow_version_id": 100,
            }
        ],
        "edges": [],
    }
    assert (two["version"], two["workflow_version_id"], two["commit_message"]) == (2, 101, "two")
    assert two["nodes"][1]["id"] == node_id and two["nodes"][1]["dependencies"] == ["A"]
    assert two["edges"] == [
        {"id": edge_id, "is_and": True, "source_node_name": "A", "target_node_name": "B"}
    ]
    assert (second.id, second.versions[0].version) == (70, 9)
    assert second.versions[0].workflow_version_id == 102
    assert catalog.names == ["first", "second"]
    assert input_names(first.versions[1]) == {"q"} and input_names(first.versions[0]) == set()


def test_an_agent_is_found_by_name_or_id_and_a_version_by_number_label_or_latest() -> None:
    catalog = load_catalog(CATALOG)
    first = catalog.find("first")
    assert first is not None

    assert catalog.find("1") is first and catalog.find("70") is catalog.find("second")
    assert catalog.find("2") is None and catalog.find("third") is None
    assert first.version(number=1, label=None) is first.versions[0]
    assert first.version(number=2, label="prod") is first.versions[1]  # the number decides
    assert first.version(number=3, label=None) is None
    assert first.version(number=None, label="prod") is first.versions[0]
    assert first.version(number=None, label="beta") is None
    assert first.version(number=None, label=None) is first.versions[1]


def test_added_versions_take_the_next_numbers_and_ids() -> None:
    catalog = load_catalog(CATALOG)

    added = catalog.add({"workflow_name": "first", "nodes": [_node("C")]})
    new = catalog.add({"workflow_name": "third", "nodes": []})

    assert (added.version, added.workflow_id, added.workflow_version_id) == (3, 1, 103)
    assert (new.version, new.workflow_id, new.workflow_version_id) == (1, 71, 104)
    assert catalog.find("71") is catalog.find("third")
    assert [v.version for v in catalog.find("first").versions] == [1, 2, 3]  # type: ignore[union-attr]


def test_an_added_version_keeps_the_versions_in_order() -> None:
    catalog = load_catalog(CATALOG)

    catalog.add({"workflow_name": "second", "version": 4, "nodes": []})

    assert [v.version for v in catalog.find("second").versions] == [4, 9]  # type: ignore[union-attr]


def test_an_empty_catalog_numbers_from_1() -> None:
    catalog = load_catalog({"agents": []})

    assert catalog.names == [] and load_catalog([]).names == []
    assert catalog.add({"workflow_name": "x", "nodes": []}).workflow_id == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"nodes": []},
            "an agents file holds a mapping with a list under 'agents', or Get Agent definitions "
            "(one, or a list), each with workflow_name and nodes",
        ),
        ("ghost.yaml", "cannot read agents file ghost.yaml: [Errno 2] No such file"),
        ({"agents": [5]}, "agents[0]: each agent needs a workflow_name"),
        ({"agents": [{"workflow_name": 5}]}, "agents[0]: each agent needs a workflow_name"),
        (
            {"agents": [{"workflow_name": "a", "versions": {}}]},
            "agents[0] (a): needs a non-empty list of versions",
        ),
        (
            {"agents": [{"workflow_name": "a", "versions": [[]]}]},
            "agents[0].versions[0]: a version is a mapping",
        ),
        (
            {"agents": [{"workflow_name": "a", "versions": [{"nodes": [{"name": float("nan")}]}]}]},
            "agents[0].versions[0]: Get Agent could not answer it: a value JSON cannot carry "
            "(ValueError: Out of range float values are not JSON compliant",
        ),
        (
            {"agents": [{"workflow_name": "a", "versions": [{"nodes": [_node("x"), _node("x")]}]}]},
            "agents[0].versions[0] (a v1): node names must be unique",
        ),
        (
            {
                "agents": [
                    {
                        "workflow_name": "a",
                        "versions": [{"nodes": [_node("x", configuration={"sandbox_error": 1})]}],
                    }
                ]
            },
            "agents[0].versions[0] (a v1): node 'x': configuration.sandbox_error must be a string",
        ),
        (
            {
                "agents": [
                    {
                        "workflow_name": "a",
                        "versions": [{"nodes": [_node("x", dependencies=["q"])]}],
                    }
                ]
            },
            "agents[0].versions[0] (a v1): node 'x' depends on unknown ['q']",
        ),
        (
            {
                "agents": [
                    {
                        "workflow_name": "a",
                        "versions": [
                            {
                                "nodes": [_node("x")],
                                "edges": [{"source_node_name": "w", "target_node_name": "x"}],
                            }
                        ],
                    }
                ]
            },
            "agents[0].versions[0] (a v1): edge names unknown node 'w'",
        ),
        (
            {
                "agents": [
                    {
                        "workflow_name": "a",
                        "versions": [
                            {"nodes": [_node("x", dependencies=["x"])]},
                        ],
                    }
                ]
            },
            "agents[0].versions[0] (a v1): nodes depend on each other in a cycle: ['x']",
        ),
        (
            {"agents": [{"workflow_name": "a", "versions": [{"version": 0, "nodes": []}]}]},
            "agent 'a': version numbers must be unique and > 0",
        ),
        (
            {
                "agents": [
                    {"workflow_name": "a", "versions": [{"nodes": []}]},
                    {"workflow_name": "a", "versions": [{"nodes": []}]},
                ]
            },
            "agent names and ids must be unique",
        ),
        (
            {
                "agents": [
                    {"workflow_name": "a", "versions": [{"nodes": []}]},
                    {"workflow_name": "b", "workflow_id": 1, "versions": [{"nodes": []}]},
                ]
            },
            "agent names and ids must be unique",
        ),
        (
            [{"workflow_name": "a", "nodes": []}, {"workflow_name": 5, "nodes": []}],
            "definition [1]: a definition needs a workflow_name (as Get Agent answers it)",
        ),
        (
            [
                {"workflow_name": "a", "nodes": []},
                {"workflow_name": "a", "nodes": [], "version": 1},
            ],
            "definition [1]: agent 'a': version numbers must be unique and > 0",
        ),
    ],
)
def test_a_catalog_that_cannot_be_served_is_refused_saying_where_and_why(
    data: Any, message: str
) -> None:
    with pytest.raises(CatalogError) as refused:
        load_catalog(data)

    assert str(refused.value).startswith(message)


def test_a_version_that_is_not_get_agents_shape_names_the_problem() -> None:
    data = {"agents": [{"workflow_name": "a", "versions": [{"nodes": [{"node_type": "X"}]}]}]}

    with pytest.raises(CatalogError) as refused:
        load_catalog(data)

    assert str(refused.value).startswith("agents[0].versions[0]: not a Get Agent version: ")


def test_files_are_read_as_json_or_yaml_by_their_suffix(tmp_path: Path) -> None:
    yaml_text = "agents:\n  - workflow_name: y\n    versions: [{nodes: []}]\n"
    (tmp_path / "a.yaml").write_text(yaml_text, encoding="utf-8")
    (tmp_path / "a.json").write_text(yaml_text, encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"workflow_name": "é", "nodes": []}), "utf-8")

    assert load_catalog(tmp_path / "a.yaml").names == ["y"]
    assert load_catalog(str(tmp_path / "b.json")).names == ["é"]
    with pytest.raises(CatalogError) as refused:
        load_catalog(tmp_path / "a.json")  # YAML is not JSON

    assert str(refused.value).startswith(f"cannot read agents file {tmp_path / 'a.json'}: ")


def test_json_problem_names_what_json_cannot_carry() -> None:
    assert json_problem({"a": [1, "é", None]}) is None
    assert json_problem({1, 2}) == (
        "a value JSON cannot carry (TypeError: Object of type set is not JSON serializable)"
    )
    assert (json_problem("\ud800") or "").startswith(
        "a value JSON cannot carry (UnicodeEncodeError"
    )
    assert (json_problem(float("inf")) or "").startswith("a value JSON cannot carry (ValueError")


def test_an_added_version_gets_its_agents_node_ids_and_names_it_in_errors() -> None:
    catalog = load_catalog(CATALOG)

    added = catalog.add({"workflow_name": "first", "nodes": [_node("C")]})
    with pytest.raises(CatalogError) as refused:
        catalog.add({"workflow_name": "first", "nodes": [_node("D", dependencies=["Q"])]})
    with pytest.raises(CatalogError) as not_mapping:
        catalog.add(["workflow_name", "nodes"])  # type: ignore[arg-type]

    assert catalog.find("first").name == "first"  # type: ignore[union-attr]
    assert added.nodes[0].id == str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox:first:3:C"))
    assert str(refused.value) == "first (first v4): node 'D' depends on unknown ['Q']"
    assert str(not_mapping.value) == "a definition needs a workflow_name (as Get Agent answers it)"


def test_a_version_whose_labels_are_null_has_none() -> None:
    catalog = load_catalog({"workflow_name": "n", "nodes": [], "release_labels": None})
    agent = catalog.find("n")

    assert agent is not None and agent.version(number=None, label="prod") is None


def test_a_numbered_version_names_its_nodes_by_its_number_and_may_omit_fields() -> None:
    catalog = load_catalog(
        {
            "agents": [
                {"workflow_name": "v", "versions": [{"version": 7, "nodes": [_node("N")]}]},
                {"workflow_name": "e", "versions": [{"required_input_variables": None}]},
            ]
        }
    )
    numbered, empty = catalog.find("v"), catalog.find("e")
    assert numbered is not None and empty is not None

    assert numbered.versions[0].nodes[0].id == str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox:v:7:N"))
    assert empty.versions[0].nodes == [] and input_names(empty.versions[0]) == set()


def test_a_list_that_is_not_definitions_is_not_an_agents_file() -> None:
    with pytest.raises(CatalogError) as refused:
        load_catalog([5])

    assert str(refused.value).startswith("an agents file holds a mapping with a list under")
