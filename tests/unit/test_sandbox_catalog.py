"""The sandbox's agents file: what it accepts, what it refuses and why, and how nodes run."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml

from promptlayer_agents.sandbox import CatalogError, _catalog, load_catalog
from promptlayer_agents.sandbox._engine import Execution, execute


def _agent(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]] | None = None, **version: Any
) -> dict[str, Any]:
    return {
        "agents": [
            {"workflow_name": "a", "versions": [{"nodes": nodes, "edges": edges or [], **version}]}
        ]
    }


def _node(name: str, deps: list[str] | None = None, **config: Any) -> dict[str, Any]:
    return {
        "name": name,
        "node_type": "VARIABLE",
        "dependencies": deps or [],
        "configuration": {"value": name, **config},
        "is_output_node": True,
    }


def test_the_bundled_agents_read_alike_with_libyaml_and_pyyamls_own_loader() -> None:
    text = (Path(_catalog.__file__).parent / _catalog.DEFAULT_AGENTS).read_text(encoding="utf-8")

    assert yaml.load(text, Loader=_catalog.BUNDLED_LOADER) == yaml.safe_load(text)


def test_a_users_agents_file_is_read_with_pyyamls_own_loader(tmp_path: Path) -> None:
    """libyaml refuses a flow mapping's empty value; PyYAML reads it as null, as it always has."""
    path = tmp_path / "agents.yaml"
    path.write_text(
        "agents:\n  - workflow_name: a\n    versions:\n      - nodes:\n"
        "          - {name: N, node_type: VARIABLE, configuration: {value: 1, note:},"
        " is_output_node: true}\n",
        encoding="utf-8",
    )

    assert load_catalog(path).names == ["a"]


def test_bundled_agents_load() -> None:
    catalog = load_catalog()

    assert catalog.names == [
        "flaky-extractor",
        "greeter",
        "slow-report",
        "support-bot",
        "two-answers",
    ]
    bot = catalog.find("support-bot")
    assert bot is not None
    assert [v.version for v in bot.versions] == [1, 2, 3]
    assert bot.version(number=None, label="prod") is bot.versions[1]
    assert bot.version(number=None, label="staging") is bot.versions[2]
    assert catalog.find(str(bot.id)) is bot
    assert catalog.find(f"{bot.id}\u00b3") is None  # a digit to str.isdigit, not to int()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"agents": {}}, "list under 'agents'"),
        ({"agents": [{"versions": []}]}, "needs a workflow_name"),
        ({"agents": [{"workflow_name": "a", "versions": []}]}, "non-empty list of versions"),
        (
            _agent([{"name": "x", "node_type": "TEXT_TEMPLATE", "configuration": {}}]),
            "TEXT_TEMPLATE needs configuration.template",
        ),
        (_agent([_node("x"), _node("x")]), "node names must be unique"),
        (_agent([_node("x", ["ghost"])]), "depends on unknown"),
        (_agent([_node("x", ["y"]), _node("y", ["x"])]), "cycle"),
        (_agent([_node("x", sandbox_duration=-1)]), "sandbox_duration"),
        (
            _agent([_node("x"), _node("y")], [{"source_node_name": "x", "target_node_name": "z"}]),
            "edge names unknown node 'z'",
        ),
        (_agent([{"node_type": "VARIABLE"}]), "not a Get Agent version"),
        (
            {
                "agents": [
                    {
                        "workflow_name": "a",
                        "versions": [
                            {"release_labels": ["prod"], "nodes": [_node("x")]},
                            {"release_labels": ["prod"], "nodes": [_node("x")]},
                        ],
                    }
                ]
            },
            "a release label may be on one version only",
        ),
    ],
)
def test_bad_agents_are_refused_with_a_reason(data: dict[str, Any], match: str) -> None:
    with pytest.raises(CatalogError, match=match):
        load_catalog(data)


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "agents.yaml"
    broken.write_text("agents: [unclosed", encoding="utf-8")

    with pytest.raises(CatalogError, match="cannot read agents file"):
        load_catalog(broken)
    with pytest.raises(CatalogError, match="cannot read agents file"):
        load_catalog(tmp_path / "missing.json")


def test_json_files_load(tmp_path: Path) -> None:
    path = tmp_path / "agents.json"
    path.write_text('{"agents": [{"workflow_name": "j", "versions": [{"nodes": []}]}]}')

    assert load_catalog(path).names == ["j"]


def _run(data: dict[str, Any], inputs: dict[str, Any]) -> Execution:
    version = load_catalog(data).find("a").versions[0]  # type: ignore[union-attr]
    execution = Execution(1, version, inputs)
    asyncio.run(asyncio.wait_for(execute(execution), timeout=10))
    return execution


@pytest.mark.parametrize(
    ("operator", "left", "right", "taken"),
    [
        ("=", "a", "a", True),
        ("!=", "a", "a", False),
        ("<", 1, 2, True),
        (">", 1, 2, False),
        ("<=", 2, 2, True),
        (">=", 1, 2, False),
        ("in", "b", ["a", "b"], True),
        ("not_in", "b", ["a", "b"], False),
        ("is_null", None, None, True),
        ("is_not_null", None, None, False),
        ("<", 1, "x", False),
    ],
)
def test_conditionals_decide_whether_an_edge_is_taken(
    operator: str, left: Any, right: Any, taken: bool
) -> None:
    data = _agent(
        [
            {"name": "In", "node_type": "INPUT_VARIABLE", "configuration": {"variable": "v"}},
            _node("Out"),
        ],
        [
            {
                "source_node_name": "In",
                "target_node_name": "Out",
                "conditionals": [
                    {
                        "position": 0,
                        "operator": operator,
                        "left_config": {"source": "In"},
                        "right_config": {"static_value": right},
                    }
                ],
            }
        ],
        required_input_variables={"v": "any"},
    )

    execution = _run(data, {"v": left})

    assert execution.runs["Out"].status == ("SUCCESS" if taken else "SKIPPED")


def test_or_edges_need_one_conditional_and_and_edges_all() -> None:
    conditionals = [
        {
            "position": 0,
            "operator": "=",
            "left_config": {"static_value": 1},
            "right_config": {"static_value": 1},
        },
        {
            "position": 1,
            "operator": "=",
            "left_config": {"static_value": 1},
            "right_config": {"static_value": 2},
        },
    ]
    edge = {"source_node_name": "A", "target_node_name": "B", "conditionals": conditionals}

    either = _run(_agent([_node("A"), _node("B")], [{**edge, "is_and": False}]), {})
    both = _run(_agent([_node("A"), _node("B")], [{**edge, "is_and": True}]), {})

    assert (either.runs["B"].status, both.runs["B"].status) == ("SUCCESS", "SKIPPED")


def test_failure_skips_what_depends_on_it_and_templates_read_upstream_values() -> None:
    data = _agent(
        [
            {"name": "Who", "node_type": "INPUT_VARIABLE", "configuration": {"variable": "who"}},
            {
                "name": "Hi",
                "node_type": "TEXT_TEMPLATE",
                "dependencies": ["Who"],
                "configuration": {"template": "hi {Who}, {extra}"},
                "is_output_node": True,
            },
            _node("Bad", sandbox_error="boom"),
            _node("After", ["Bad"]),
        ],
        required_input_variables={"who": "string", "extra": "object"},
    )

    execution = _run(data, {"who": "Al", "extra": {"k": 1}})

    assert execution.runs["Hi"].value == 'hi Al, {"k": 1}'
    assert (execution.runs["Bad"].status, execution.runs["Bad"].error_message) == ("FAILED", "boom")
    assert execution.runs["After"].status == "SKIPPED"
    assert execution.main_output == 'hi Al, {"k": 1}'


def test_connections_to_the_sandbox_socket_have_nagle_off() -> None:
    """Without TCP_NODELAY, every sandbox answer waits ~40 ms for a delayed ACK."""
    import socket

    from promptlayer_agents.sandbox._server import bind

    async def accepted_nodelay() -> int:
        seen: asyncio.Queue[int] = asyncio.Queue()

        def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.put_nowait(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        listening = bind("127.0.0.1", 0)
        server = await asyncio.start_server(connected, sock=listening)
        async with server:
            _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
            value = await asyncio.wait_for(seen.get(), timeout=10)
            writer.close()
        return value

    assert asyncio.run(accepted_nodelay()) == 1


def test_the_sandbox_evaluates_every_operator_the_spec_allows_and_no_other() -> None:
    from promptlayer_agents.rules import CONDITION_OPERATORS
    from promptlayer_agents.sandbox._engine import COMPARISONS

    assert set(COMPARISONS) == CONDITION_OPERATORS


def test_numeric_ids_are_ascii_digits_only() -> None:
    catalog = load_catalog(
        {
            "agents": [
                {"workflow_name": "a", "workflow_id": 3, "versions": [{"nodes": [_node("x")]}]}
            ]
        }
    )

    assert catalog.find("3") is not None
    assert catalog.find("\u0663") is None  # ARABIC-INDIC DIGIT THREE
    assert catalog.find("\u00b3") is None  # SUPERSCRIPT THREE: isdigit(), but int() refuses it
    assert catalog.find("\u00b9") is None


ODD_CONDITIONALS: list[Any] = [
    {},
    {"operator": "~", "left_config": {"static_value": 1}, "right_config": {"static_value": 2}},
    {"position": "first", "operator": "=", "left_config": 7, "right_config": [1]},
    {"position": 0, "operator": "=", "left_config": {"source": 5}, "right_config": None},
    {"position": -1, "operator": None, "left_config": {"static_value": {"deep": [1]}}},
]


@pytest.mark.parametrize("odd", ODD_CONDITIONALS)
def test_odd_conditionals_load_and_are_skipped(odd: Any) -> None:
    """An agent whose conditionals the sandbox cannot evaluate still loads; each such conditional
    is skipped: with no other, the edge is taken; next to one that does not hold, it is not."""
    edge = {"source_node_name": "A", "target_node_name": "B", "is_and": True}
    alone = _agent([_node("A"), _node("B")], [{**edge, "conditionals": [odd]}])
    never = {
        "position": 3,
        "operator": "=",
        "left_config": {"static_value": 1},
        "right_config": {"static_value": 2},
    }
    beside = _agent([_node("A"), _node("B")], [{**edge, "conditionals": [odd, never]}])

    assert _run(alone, {}).runs["B"].status == "SUCCESS"
    assert _run(beside, {}).runs["B"].status == "SKIPPED"
