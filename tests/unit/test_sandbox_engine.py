"""The sandbox's executions as a test and the results endpoint see them: what they hold, when
nodes start, finish or are skipped, conditionals on edges, the bounds on answers and memory,
script callables, callbacks, and the executions the sandbox keeps or forgets."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Coroutine
from typing import Any

import attrs
import pytest

from promptlayer_agents.sandbox import load_catalog
from promptlayer_agents.sandbox._callables import wait_for_any
from promptlayer_agents.sandbox._engine import (
    Execution,
    Executions,
    NodeRun,
    Run,
    edge_conditionals,
    execute,
    holds,
    narrowed,
    supervised,
    unevaluable,
)
from promptlayer_agents.sandbox._memory import (
    MAX_NODE_MAP_BYTES,
    TOO_LARGE,
    json_size,
    node_map_size,
)
from promptlayer_agents.sandbox._nodes import Script


def node(name: str, deps: list[str] | None = None, output: bool = False, **config: Any) -> Any:
    """A VARIABLE node (value `config["value"]`, default its name) or, with `node_type`, any."""
    node_type = config.pop("node_type", "VARIABLE")
    config.setdefault("value", name) if node_type == "VARIABLE" else None
    return {
        "name": name,
        "node_type": node_type,
        "dependencies": deps or [],
        "configuration": config,
        "is_output_node": output,
    }


def version(nodes: list[Any], edges: list[Any] | None = None, **fields: Any) -> Any:
    definition = {"workflow_name": "a", "nodes": nodes, "edges": edges or [], **fields}
    return load_catalog(definition).find("a").versions[-1]  # type: ignore[union-attr]


def execution(nodes: list[Any], edges: list[Any] | None = None, **options: Any) -> Execution:
    inputs = options.pop("inputs", {})
    fields = options.pop("fields", {})
    return Execution(1, version(nodes, edges, **fields), inputs, **options)


def statuses(run: Execution) -> dict[str, str]:
    return {name: node_run.status for name, node_run in run.runs.items()}


# --- what an execution holds and shows ------------------------------------------------------


def test_stored_bytes_are_inputs_metadata_and_final_nodes_as_json() -> None:
    run = execution(
        [node("A", output=True), node("B", ["A"], sandbox_duration=5)],
        inputs={"text": "é"},
        metadata={"k": "v"},
    )
    fixed = json_size({"text": "é"}) + json_size({"k": "v"})

    assert run.stored_bytes == fixed
    run.advance()

    a_entry = run.runs["A"].as_json(is_output_node=True)
    assert run.stored_bytes == fixed + json_size(a_entry)  # B still running: not counted


def test_the_record_is_what_a_test_sees() -> None:
    run = execution(
        [node("A", output=True, value=3), node("B", value=4)], inputs={"i": 1}, metadata={"m": "n"}
    )
    run.advance()

    record = run.record()

    assert record == Run(
        agent="a",
        version=1,
        execution_id=1,
        input_variables={"i": 1},
        metadata={"m": "n"},
        status="SUCCESS",
        nodes=run.node_map(),
        output=3,
    )
    assert record.input_variables is not run.inputs and record.metadata is not run.metadata
    assert list(record.nodes) == ["A", "B"]
    assert record.nodes["B"] == {
        "status": "SUCCESS",
        "value": 4,
        "error_message": None,
        "raw_error_message": None,
        "is_output_node": False,
    }


def test_a_new_execution_is_queued_and_running() -> None:
    run = execution([node("A", output=True)])

    assert statuses(run) == {"A": "QUEUED"}
    assert run.status == "RUNNING" and not run.done and run.main_output is None
    assert run.has_output_node and not run.failed_without_output
    assert run.record().output is None and run.finished_at is None


def test_a_failed_node_without_an_output_node_fails_the_execution() -> None:
    failed = execution([node("A", output=True, sandbox_error="no"), node("B")])
    rescued = execution([node("A", sandbox_error="no"), node("B", output=True)])
    plain = execution([node("A")])

    for run in (failed, rescued, plain):
        run.advance()

    assert failed.status == "FAILED" and failed.failed_without_output
    assert rescued.status == "SUCCESS" and not rescued.failed_without_output
    assert plain.status == "SUCCESS" and not plain.has_output_node
    assert failed.outcomes()["A"].error_message == "no"
    assert failed.outcomes()["A"].is_output_node and not failed.outcomes()["B"].is_output_node


def test_a_node_after_a_failed_one_is_skipped_when_its_upstream_ends() -> None:
    run = execution(
        [
            node("A", sandbox_error="no", sandbox_duration=2),
            node("B", ["A"], output=True),
            node("C", ["B"]),
        ],
        started_at=time.monotonic() - 10,
    )

    run.advance()

    assert statuses(run) == {"A": "FAILED", "B": "SKIPPED", "C": "SKIPPED"}
    assert (run.runs["B"].ended, run.runs["C"].ended) == (2.0, 2.0)
    skipped = run.runs["B"].as_json(is_output_node=True)
    assert run.runs["B"].size == json_size(skipped)
    assert run.runs["C"].size == json_size(run.runs["C"].as_json(is_output_node=False))
    assert run.finished_at == run.started_at + 2.0


def test_nodes_start_when_their_last_upstream_ends_and_take_their_duration() -> None:
    run = execution(
        [
            node("A", sandbox_duration=1),
            node("B", sandbox_duration=3),
            node("C", ["A", "B"], output=True, sandbox_duration=0.5),
        ],
        started_at=time.monotonic() - 3.2,
    )

    run.advance()

    assert statuses(run) == {"A": "SUCCESS", "B": "SUCCESS", "C": "RUNNING"}
    assert run.runs["C"].due == 3.5
    assert run.next_due() == 3.5
    assert 3.2 <= run.now() < 60


def test_a_scripted_duration_wins_over_the_configured_one() -> None:
    run = execution(
        [node("A", output=True, sandbox_duration=100)], scripts={"A": Script(duration=0.25)}
    )

    run.advance()

    assert run.runs["A"].due == 0.25


def test_in_poll_mode_now_is_the_poll_count_and_the_end_the_clock() -> None:
    run = execution([node("A", output=True, sandbox_duration=50)], polls_per_node=2)
    run.polls = 1
    assert run.now() == 1.0
    run.advance()
    assert run.runs["A"].due == 2.0

    before = time.monotonic()
    run.polls = 2
    assert run.advance() is True
    assert before <= (run.finished_at or 0) <= time.monotonic()
    assert run.advance() is False  # already done


def test_nodes_due_together_finish_in_definition_order() -> None:
    run = execution(
        [node("Second", output=True, sandbox_duration=1), node("First", output=True)],
        started_at=time.monotonic() - 5,
    )
    run.advance()
    tie = execution(
        [
            node("One", output=True, sandbox_duration=1),
            node("Two", output=True, sandbox_duration=1),
        ],
        started_at=time.monotonic() - 5,
    )
    tie.advance()

    assert run.succeeded_outputs == ["First", "Second"] and run.main_output == "First"
    assert tie.succeeded_outputs == ["One", "Two"]


def test_a_node_not_due_yet_keeps_running() -> None:
    run = execution([node("A", output=True, sandbox_duration=1), node("B", sandbox_duration=60)])

    assert run.advance() is False
    assert statuses(run) == {"A": "RUNNING", "B": "RUNNING"}
    assert run.next_due() == 1.0 and run.waiting() == []


def test_values_are_inputs_then_succeeded_nodes_which_win() -> None:
    run = execution(
        [
            node("x", value="from the node"),
            node("Failed", sandbox_error="no"),
            node("T", ["x"], output=True, node_type="TEXT_TEMPLATE", template="{x} {y}"),
        ],
        inputs={"x": "from the input", "y": "why", "Failed": "input kept"},
        fields={"required_input_variables": {"y": "string"}},
    )

    run.advance()

    assert run.runs["T"].value == "from the node why"
    assert run.values()["Failed"] == "input kept"


def test_grown_executions_are_reported_each_time_nodes_finish() -> None:
    grown: list[int] = []
    run = execution(
        [node("A", sandbox_duration=1), node("B", ["A"], output=True, sandbox_duration=1)],
        polls_per_node=1,
    )
    run.on_grow = lambda e: grown.append(e.polls)

    for polls in range(4):
        run.polls = polls
        run.advance()

    assert grown == [1, 2]


# --- edges and conditionals ----------------------------------------------------------------


def cond(operator: str, left: Any, right: Any = None, position: int | None = None) -> Any:
    made: dict[str, Any] = {"operator": operator, "left_config": left}
    if right is not None:
        made["right_config"] = right
    if position is not None:
        made["position"] = position
    return made


def edge(source: str, target: str, *conditionals: Any, is_and: bool = True) -> Any:
    return {
        "source_node_name": source,
        "target_node_name": target,
        "conditionals": list(conditionals),
        "is_and": is_and,
    }


def routed(*edges: Any, **inputs: Any) -> dict[str, str]:
    """Statuses of a run where Route (value 5) leads to Yes and No (both output nodes)."""
    run = execution(
        [
            node("Route", value=5),
            node("Yes", ["Route"], output=True),
            node("No", ["Route"], output=True),
        ],
        list(edges),
        inputs=inputs,
    )
    run.advance()
    return statuses(run)


FIVE = {"source": "Route"}


def test_an_edge_is_taken_when_its_conditionals_hold() -> None:
    assert routed(
        edge("Route", "Yes", cond(">", FIVE, {"static_value": 3})),
        edge("Route", "No", cond("<=", FIVE, {"static_value": 3})),
    ) == {"Route": "SUCCESS", "Yes": "SUCCESS", "No": "SKIPPED"}


def test_and_edges_need_every_conditional_or_edges_any() -> None:
    true, false = cond("=", FIVE, {"static_value": 5}), cond("=", FIVE, {"static_value": 6})

    assert routed(
        edge("Route", "Yes", true, false, is_and=False),
        edge("Route", "No", true, false, is_and=True),
    ) == {"Route": "SUCCESS", "Yes": "SUCCESS", "No": "SKIPPED"}


def test_a_node_runs_when_any_incoming_edge_is_taken() -> None:
    false = cond("=", FIVE, {"static_value": 6})
    run = execution(
        [node("Route", value=5), node("Other"), node("Join", ["Route", "Other"], output=True)],
        [edge("Route", "Join", false), edge("Other", "Join")],
    )
    run.advance()
    none_taken = execution(
        [node("Route", value=5), node("Join", ["Route"], output=True)],
        [edge("Route", "Join", false)],
    )
    none_taken.advance()

    assert run.runs["Join"].status == "SUCCESS"
    assert none_taken.runs["Join"].status == "SKIPPED"


def test_conditionals_compare_inputs_and_node_values() -> None:
    assert routed(
        edge("Route", "Yes", cond("=", {"source": "limit"}, FIVE)),
        edge("Route", "No", cond("!=", {"source": "limit"}, FIVE)),
        limit=5,
    ) == {"Route": "SUCCESS", "Yes": "SUCCESS", "No": "SKIPPED"}


def test_a_conditional_on_a_failed_source_edge_is_not_taken() -> None:
    run = execution(
        [node("A", sandbox_error="no"), node("B", ["A"]), node("C", output=True)],
        [edge("A", "B")],
    )
    run.advance()

    assert statuses(run) == {"A": "FAILED", "B": "SKIPPED", "C": "SUCCESS"}


@pytest.mark.parametrize(
    ("operator", "left", "right", "expected"),
    [
        ("=", 1, 1, True),
        ("=", 1, 2, False),
        ("!=", 1, 2, True),
        ("<", 1, 2, True),
        ("<", 2, 2, False),
        (">", 3, 2, True),
        (">", 2, 2, False),
        ("<=", 2, 2, True),
        ("<=", 3, 2, False),
        (">=", 2, 2, True),
        (">=", 1, 2, False),
        ("in", "b", ["a", "b"], True),
        ("in", "c", ["a", "b"], False),
        ("not_in", "c", ["a", "b"], True),
        ("not_in", "a", ["a"], False),
        ("<", 1, "a", False),  # values that do not compare: does not hold
        ("in", 1, 5, False),
    ],
)
def test_each_operator_compares_as_documented(
    operator: str, left: Any, right: Any, expected: bool
) -> None:
    conditional = cond(operator, {"static_value": left}, {"static_value": right})

    assert holds(conditional, {}, set()) is expected


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [("is_null", None, True), ("is_null", 0, False), ("is_not_null", "", True)],
)
def test_null_checks_read_only_the_left_side(operator: str, value: Any, expected: bool) -> None:
    assert holds(cond(operator, {"source": "x"}), {"x": value}, {"x"}) is expected
    assert holds(cond("is_not_null", {"source": "x"}), {}, {"x"}) is False  # skipped: None


def test_an_operand_reads_its_static_value_first_then_its_source() -> None:
    both = {"static_value": 1, "source": "x"}

    assert holds(cond("=", both, {"static_value": 1}), {"x": 2}, {"x"})
    assert holds(cond("=", {"source": "x"}, {"static_value": 2}), {"x": 2}, {"x"})
    assert holds(cond("is_null", {"source": "y"}), {"x": 2}, {"x", "y"})


def test_conditionals_are_read_in_position_order() -> None:
    first, second, third = (cond("=", {"static_value": n}, {"static_value": n}) for n in (1, 2, 3))
    unplaced = {**cond("=", {"static_value": 0}, {"static_value": 0}), "position": True}
    listed = edge("A", "B", {**third, "position": 3}, {**first, "position": 1}, second, unplaced)
    loaded = version([node("A"), node("B", ["A"])], [listed]).edges[0]

    order = [c["left_config"]["static_value"] for c in edge_conditionals(loaded)]

    assert order == [2, 0, 1, 3]  # no position (or not a number) counts as 0, ties keep order


def test_an_edge_without_a_conditional_list_has_none() -> None:
    loaded = attrs.evolve(
        version([node("A"), node("B", ["A"])], [edge("A", "B")]).edges[0],
        conditionals="not a list",
    )

    assert edge_conditionals(loaded) == []


def test_warnings_name_each_conditional_the_sandbox_skips() -> None:
    run = execution(
        [node("A"), node("B", ["A"], output=True)],
        [
            edge(
                "A",
                "B",
                cond("=", {"static_value": 1}, {"static_value": 1}),
                cond("~", {"source": "A"}, {"static_value": 1}),
                cond("=", {"source": "ghost"}, {"static_value": 1}),
            )
        ],
        inputs={"i": 1},
    )

    assert run.warnings() == [
        "edge A -> B: conditional 1 cannot be evaluated (unknown operator '~'), so it is skipped",
        "edge A -> B: conditional 2 cannot be evaluated (left_config.source 'ghost' names no node "
        "or input variable), so it is skipped",
    ]


def test_a_conditional_on_an_input_variable_is_evaluated() -> None:
    run = execution(
        [node("A"), node("B", ["A"], output=True)],
        [edge("A", "B", cond("=", {"source": "i"}, {"static_value": 2}))],
        inputs={"i": 1},
    )
    run.advance()

    assert run.warnings() == [] and run.runs["B"].status == "SKIPPED"


# --- bounds on what a node may hold ---------------------------------------------------------


def test_a_value_json_cannot_carry_fails_its_node_with_the_reason() -> None:
    run = execution(
        [node("A"), node("B", output=True)], scripts={"A": Script(value=[1e999], has_value=True)}
    )

    run.advance()

    message = run.runs["A"].error_message or ""
    assert run.runs["A"].status == "FAILED" and run.runs["A"].value is None
    assert message.startswith("the node's value is not JSON the API can answer (ValueError: ")
    assert run.runs["A"].size == json_size(run.runs["A"].as_json(is_output_node=False))


def test_a_long_reason_is_cut_to_500_characters() -> None:
    loud = type("L" * 2000, (), {})()
    run = execution([node("A", output=True)], scripts={"A": Script(value=loud, has_value=True)})

    run.advance()

    message = run.runs["A"].error_message or ""
    problem = message.removeprefix("the node's value is not JSON the API can answer (")
    assert problem == f"TypeError: Object of type {'L' * 2000}"[:500] + ")"


def _fill(length: int, output: bool, other_final: bool) -> Execution:
    """A run whose node A holds `length` characters, while B has finished before it (its own
    size counts) or is still running (room is kept for it to fail)."""
    a = node("A", output=output)
    nodes = [node("B", value="b"), a] if other_final else [a, node("B", sandbox_duration=60)]
    run = execution(nodes, scripts={"A": Script(value="x" * length, has_value=True)})
    run.advance()
    return run


@pytest.mark.parametrize(("output", "other_final"), [(False, False), (True, True)])
def test_a_node_map_fits_the_bound_exactly_and_a_byte_more_fails(
    output: bool, other_final: bool
) -> None:
    def entry(status: str, **fields: Any) -> int:
        return json_size(NodeRun(status, **fields).as_json(is_output_node=output))

    reserve = json_size(NodeRun("FAILED", error_message=TOO_LARGE).as_json(is_output_node=False))
    other = json_size(NodeRun("SUCCESS", value="b").as_json(is_output_node=False))

    def size(length: int) -> int:
        a = entry("SUCCESS", value="x" * length)
        return node_map_size({"A": a, "B": other if other_final else reserve})

    fits = MAX_NODE_MAP_BYTES - size(0)
    largest, too_large = _fill(fits, output, other_final), _fill(fits + 1, output, other_final)

    assert size(fits) == MAX_NODE_MAP_BYTES
    assert largest.runs["A"].status == "SUCCESS"
    assert largest.runs["A"].size == entry("SUCCESS", value="x" * fits)
    assert (too_large.runs["A"].status, too_large.runs["A"].error_message) == ("FAILED", TOO_LARGE)
    assert too_large.runs["A"].value is None
    assert too_large.runs["A"].size == entry("FAILED", error_message=TOO_LARGE)
    assert too_large.main_output is None


def test_an_agent_without_nodes_is_done_from_the_start() -> None:
    run = execution([])

    assert run.done and run.status == "SUCCESS" and run.node_map() == {}
    assert run.advance() is False  # nothing left to bring up to date


# --- script callables -----------------------------------------------------------------------


def _callable_run(function: Any, timeout: float = 10.0) -> Execution:
    return execution(
        [node("A", value="a"), node("B", ["A"], output=True, node_type="PROMPT_TEMPLATE")],
        scripts={"B": Script(value=function, has_value=True)},
        callable_timeout=timeout,
    )


def test_a_callable_is_called_with_the_values_when_its_node_is_due() -> None:
    seen: list[dict[str, Any]] = []

    def reply(values: dict[str, Any]) -> str:
        seen.append(values)
        return "replied"

    async def main() -> Execution:
        run = _callable_run(reply)
        run.inputs["i"] = 1
        await run.settle()
        return run

    run = asyncio.run(main())

    assert seen == [{"i": 1, "A": "a"}]
    assert run.runs["B"].value == "replied" and run.done


def test_a_callable_that_does_not_return_in_time_fails_its_node() -> None:
    release = threading.Event()

    def stuck(values: dict[str, Any]) -> str:
        release.wait(10)
        return "late"

    async def main() -> tuple[Execution, list[str], float]:
        run = _callable_run(stuck, timeout=0.2)
        run.advance()
        waiting = [call.label for call in run.waiting()]
        began = time.monotonic()
        await run.settle()
        return run, waiting, time.monotonic() - began

    try:
        run, waiting, took = asyncio.run(main())
    finally:
        release.set()

    assert waiting == [stuck.__qualname__]
    assert run.runs["B"].status == "FAILED"
    assert "did not return within 0.2 s" in (run.runs["B"].error_message or "")
    assert took < 5  # bounded by the callable timeout, not by the callable


def test_a_node_waiting_for_its_callable_is_not_counted_as_due() -> None:
    release = threading.Event()

    async def main() -> tuple[float | None, int]:
        run = _callable_run(lambda values: release.wait(10) and "done")
        run.advance()
        return run.next_due(), len(run.waiting())

    try:
        assert asyncio.run(main()) == (None, 1)
    finally:
        release.set()


# --- background tasks -----------------------------------------------------------------------


def test_a_failed_background_task_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> None:
        raise RuntimeError("lost")

    async def fine() -> None:
        return None

    async def forever() -> None:
        await asyncio.sleep(60)

    async def main() -> None:
        tasks = [supervised(broken()), supervised(fine()), supervised(forever())]
        await asyncio.sleep(0)
        tasks[2].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    with caplog.at_level(logging.ERROR, logger="promptlayer_agents.sandbox"):
        asyncio.run(main())

    [record] = caplog.records
    assert record.getMessage() == "sandbox: background task failed"
    assert record.exc_info is not None and str(record.exc_info[1]) == "lost"


def test_execute_follows_the_clock_then_calls_on_done_once() -> None:
    done: list[str] = []

    async def on_done(run: Execution) -> None:
        done.append(run.status)

    run = execution(
        [node("A", sandbox_duration=0.01), node("B", ["A"], output=True, sandbox_duration=0.01)]
    )
    asyncio.run(asyncio.wait_for(execute(run, on_done), 10))

    assert done == ["SUCCESS"] and run.main_output == "B"


def test_execute_waits_for_a_callable_then_goes_on() -> None:
    async def main() -> Execution:
        run = _callable_run(lambda values: "called")
        await asyncio.wait_for(execute(run), 10)
        return run

    assert asyncio.run(main()).runs["B"].value == "called"


# --- the executions the sandbox keeps -------------------------------------------------------


def _run_in(executions: Executions, nodes: list[Any], on_done: Any = None, **inputs: Any) -> Any:
    async def nothing(run: Execution) -> None:
        return None

    return executions.start(version(nodes), dict(inputs), None, on_done or nothing)


def _on_loop(work: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(asyncio.wait_for(work, 10))


def test_started_executions_get_ids_1_2_3_and_are_found() -> None:
    async def main() -> list[Any]:
        executions = Executions(10)
        runs = [_run_in(executions, [node("A", output=True)]) for _ in range(3)]
        answer = [
            [run.id for run in runs],
            executions.get(2) is runs[1],
            executions.get(4),
            len(executions),
            [record.execution_id for record in executions.records()],
            [executions.was_given_out(n) for n in (0, 1, 3, 4)],
        ]
        await executions.stop()
        return answer

    assert _on_loop(main()) == [
        [1, 2, 3],
        True,
        None,
        3,
        [1, 2, 3],
        [False, True, True, False],
    ]


def test_a_run_starts_with_the_agent_scripts_and_settings() -> None:
    async def main() -> Execution:
        executions = Executions(10)
        executions.scripts = {"a": {"A": Script(value="scripted", has_value=True)}}
        executions.callable_timeout = 3.0
        executions.polls_per_node = 2
        run: Execution = executions.start(
            version([node("A", output=True)]), {"i": 1}, "http://x", _noop, {"m": "v"}
        )
        executions.scripts["a"]["A"] = Script(value="later", has_value=True)
        return run

    run = _on_loop(main())

    assert (run.callback_url, run.metadata, run.inputs) == ("http://x", {"m": "v"}, {"i": 1})
    assert (run.polls_per_node, run.callable_timeout) == (2, 3.0)
    assert run.scripts["A"].value == "scripted"  # a copy: later scripts are for later runs


async def _noop(run: Execution) -> None:
    return None


def test_in_clock_mode_a_run_goes_on_alone_and_calls_back_when_done() -> None:
    done: list[int] = []

    async def on_done(run: Execution) -> None:
        done.append(run.id)

    async def main() -> tuple[str, str]:
        executions = Executions(10)
        run = executions.start(
            version([node("A", output=True, sandbox_duration=0.01)]), {}, None, on_done
        )
        first = run.runs["A"].status
        assert run.task is not None
        await run.task
        return first, run.runs["A"].status

    assert _on_loop(main()) == ("RUNNING", "SUCCESS")
    assert done == [1]


def test_a_run_done_at_once_calls_back_at_once() -> None:
    done: list[int] = []

    async def on_done(run: Execution) -> None:
        done.append(run.id)

    async def main() -> None:
        executions = Executions(10)
        run = executions.start(version([node("A", output=True)]), {}, None, on_done)
        assert run.done
        assert run.task is not None
        await run.task

    _on_loop(main())
    assert done == [1]


def test_in_poll_mode_each_results_request_is_a_poll_and_the_last_calls_back() -> None:
    done: list[int] = []

    async def on_done(run: Execution) -> None:
        done.append(run.polls)

    async def main() -> list[tuple[int, str]]:
        executions = Executions(10)
        executions.polls_per_node = 2
        run = executions.start(version([node("A", output=True)]), {}, None, on_done)
        seen = [(run.polls, run.runs["A"].status)]
        executions.observe(run, poll=False)
        seen.append((run.polls, run.runs["A"].status))
        for _ in range(3):
            executions.observe(run)
            seen.append((run.polls, run.runs["A"].status))
        if run.task is not None:
            await run.task
        return seen

    assert _on_loop(main()) == [
        (0, "RUNNING"),
        (0, "RUNNING"),
        (1, "RUNNING"),
        (2, "SUCCESS"),
        (2, "SUCCESS"),
    ]
    assert done == [2]


def test_settle_delivers_the_callback_when_a_callable_finished_the_run() -> None:
    done: list[str] = []

    async def on_done(run: Execution) -> None:
        done.append(run.runs["B"].value)

    async def main() -> None:
        executions = Executions(10)
        executions.polls_per_node = 0
        executions.scripts = {"a": {"B": Script(value=lambda values: "called", has_value=True)}}
        run = executions.start(
            version([node("A"), node("B", ["A"], output=True, node_type="PROMPT_TEMPLATE")]),
            {},
            None,
            on_done,
        )
        await executions.settle(run)
        assert run.task is not None
        await run.task

    _on_loop(main())
    assert done == ["called"]


def test_blocked_calls_name_the_agent_node_and_callable() -> None:
    release = threading.Event()

    def stuck(values: dict[str, Any]) -> str:
        release.wait(10)
        return "late"

    async def main() -> tuple[list[str], list[str]]:
        executions = Executions(10)
        executions.polls_per_node = 0
        executions.scripts = {"a": {"B": Script(value=stuck, has_value=True)}}
        _run_in(executions, [node("A"), node("B", ["A"], output=True, node_type="ENDPOINT")])
        blocked = executions.blocked_calls()
        release.set()
        for _ in range(100):
            if not executions.blocked_calls():
                break
            await asyncio.sleep(0.01)
        return blocked, executions.blocked_calls()

    try:
        blocked, after = _on_loop(main())
    finally:
        release.set()

    assert blocked == [f"agent 'a', node 'B', callable {stuck.__qualname__}"]
    assert after == []


def test_past_the_limit_the_oldest_executions_are_forgotten_and_stopped() -> None:
    async def main() -> list[Any]:
        executions = Executions(2)
        slow = [node("A", output=True, sandbox_duration=60)]
        runs = [_run_in(executions, slow) for _ in range(3)]
        await asyncio.sleep(0)
        answer = [
            [executions.get(n) is not None for n in (1, 2, 3)],
            executions.was_given_out(1),
            runs[0].task.cancelled() or runs[0].task.cancelling() > 0,
            len(executions.running()),
        ]
        await executions.stop()
        answer.append(executions.running())
        return answer

    assert _on_loop(main()) == [[False, True, True], True, True, 2, []]


def test_past_the_byte_bound_finished_executions_go_first_then_running_ones() -> None:
    async def main() -> list[Any]:
        executions = Executions(100, max_stored_bytes=3500)
        slow = [node("A", output=True, sandbox_duration=60)]
        quick = [node("A", output=True)]
        first = _run_in(executions, slow, i="x" * 1000)  # 1: running
        _run_in(executions, quick, i="x" * 1000)  # 2: done
        _run_in(executions, slow, i="x" * 1000)  # 3: running
        kept = [[record.execution_id for record in executions.records()]]
        _run_in(executions, quick, i="x" * 1000)  # 4: past the bound: 2 (finished) goes
        kept.append([record.execution_id for record in executions.records()])
        _run_in(executions, slow, i="x" * 2000)  # 5: 4 (finished), then 1 (oldest running)
        kept.append([record.execution_id for record in executions.records()])
        await asyncio.sleep(0)
        kept.append(first.task.cancelled())
        await executions.stop()
        return kept

    assert _on_loop(main()) == [[1, 2, 3], [1, 3, 4], [3, 5], True]


def test_the_execution_just_started_is_kept_whatever_its_size() -> None:
    async def main() -> list[int]:
        executions = Executions(100, max_stored_bytes=10)
        _run_in(executions, [node("A", output=True)], i="x" * 100)
        _run_in(executions, [node("A", output=True)], i="y" * 100)
        return [record.execution_id for record in executions.records()]

    assert _on_loop(main()) == [2]


def test_a_growing_execution_pushes_out_older_ones() -> None:
    async def main() -> list[list[int]]:
        executions = Executions(100)
        executions.polls_per_node = 1
        older = _run_in(executions, [node("A", output=True)], i="x" * 900)
        grower = executions.start(
            version([node("A", output=True, node_type="TEXT_TEMPLATE", template="{i}{i}")]),
            {"i": "y" * 300},
            None,
            _noop,
        )
        executions.max_stored_bytes = older.stored_bytes + grower.stored_bytes + 100
        executions.observe(older, poll=False)
        before = [record.execution_id for record in executions.records()]
        executions.observe(grower)  # its node finishes: 600 more bytes, past the bound
        return [before, [record.execution_id for record in executions.records()]]

    assert _on_loop(main()) == [[1, 2], [2]]


def test_forget_starts_again_from_nothing() -> None:
    async def main() -> list[Any]:
        executions = Executions(10)
        executions.scripts = {"a": {}}
        executions.polls_per_node = 3
        executions.callable_timeout = 1.0
        _run_in(executions, [node("A", output=True)])
        executions.forget()
        after = [
            len(executions),
            executions.was_given_out(1),
            executions.scripts,
            executions.polls_per_node,
            executions.callable_timeout,
        ]
        after.append(_run_in(executions, [node("A", output=True)]).id)
        return after

    assert _on_loop(main()) == [0, False, {}, None, 10.0, 1]


def test_narrowed_keeps_the_nodes_a_filter_names() -> None:
    loaded = version([node("A"), node("B")])
    node_map = {"A": 1, "B": 2}
    a_id = loaded.nodes[0].id

    assert narrowed(node_map, loaded, None, None) is node_map
    assert narrowed(node_map, loaded, a_id, None) == {"A": 1}
    assert narrowed(node_map, loaded, None, "B") == {"B": 2}
    assert narrowed(node_map, loaded, a_id, "A") == {"A": 1}
    assert narrowed(node_map, loaded, a_id, "B") == {}
    assert narrowed(node_map, loaded, "ghost", None) == {}


def test_a_forgotten_execution_in_poll_mode_leaves_no_callback_behind() -> None:
    """What the sandbox holds stays bounded: a forgotten execution's pending callback goes too,
    and it is never delivered."""
    delivered: list[int] = []

    async def on_done(run: Execution) -> None:
        delivered.append(run.id)

    async def main() -> tuple[int, list[int]]:
        executions = Executions(1)
        executions.polls_per_node = 1
        first = executions.start(version([node("A", output=True)]), {}, None, on_done)
        executions.start(version([node("A", output=True)]), {}, None, on_done)
        pending = len(executions._on_done)
        executions.observe(first)  # forgotten: its end is no one's to report
        await asyncio.sleep(0)  # a callback task made now would run its first step here
        return pending, [e.id for e in executions._items.values()]

    assert _on_loop(main()) == (1, [2])
    assert delivered == []


def test_plain_conditionals_are_read_as_they_are_in_position_order() -> None:
    loaded = version([node("A"), node("B", ["A"])], [edge("A", "B")]).edges[0]
    plain = attrs.evolve(loaded, conditionals=[{"position": 2}, "text", {"position": 1}, 5])

    assert edge_conditionals(plain) == ["text", 5, {"position": 1}, {"position": 2}]


@pytest.mark.parametrize(
    ("conditional", "problem"),
    [
        ("text", "not an object"),
        ({"left_config": {"source": "x"}}, "no operator"),
        ({"operator": "~"}, "unknown operator '~'"),
        ({"operator": "=", "left_config": {}}, "left_config has neither static_value nor source"),
        (
            {"operator": "=", "left_config": {"value": 1}},
            "left_config has neither static_value nor source",
        ),
        (
            {"operator": "=", "left_config": {"source": "x"}, "right_config": {"src": "x"}},
            "right_config has neither static_value nor source",
        ),
        (
            {"operator": "is_null", "left_config": {"source": "y"}},
            "left_config.source 'y' names no node or input variable",
        ),
        ({"operator": "is_null", "left_config": {"source": "x"}, "right_config": 5}, None),
        (
            {
                "operator": "=",
                "left_config": {"static_value": 1, "source": 5},
                "right_config": {"static_value": 1},
            },
            None,
        ),
    ],
)
def test_unevaluable_says_exactly_why(conditional: Any, problem: str | None) -> None:
    assert unevaluable(conditional, {"x"}) == problem


def test_execute_pauses_until_the_next_node_is_due_and_waits_for_callables_no_longer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Time is injected: each pause moves the execution's clock on by what was asked."""
    release = threading.Event()
    pauses: list[float] = []
    limits: list[float | None] = []
    done: list[tuple[str, dict[str, str]]] = []
    real_wait = wait_for_any

    def blocked(values: dict[str, Any]) -> str:
        release.wait(10)
        return "called"

    run = execution(
        [
            node("Start", sandbox_duration=0.5),
            node("Call", ["Start"], output=True, node_type="ENDPOINT"),
            node("Later", ["Start"], sandbox_duration=0.5),
        ],
        scripts={"Call": Script(value=blocked, has_value=True)},
    )

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        run.started_at -= seconds

    async def wait(calls: list[Any], limit: float | None = None) -> None:
        limits.append(limit)
        if limit is not None:
            run.started_at -= limit
            return
        release.set()
        await real_wait(calls, limit)

    async def on_done(finished: Execution) -> None:
        done.append((finished.status, statuses(finished)))

    monkeypatch.setattr("promptlayer_agents.sandbox._engine.asyncio.sleep", sleep)
    monkeypatch.setattr("promptlayer_agents.sandbox._engine.wait_for_any", wait)
    try:
        asyncio.run(asyncio.wait_for(execute(run, on_done), 10))
    finally:
        release.set()

    assert len(pauses) == 1 and 0.4 < pauses[0] <= 0.5  # until Start is due
    assert len(limits) == 2 and limits[1] is None  # then only the callable is left
    assert limits[0] is not None and 0.4 < limits[0] <= 0.5  # Call waits until Later is due
    assert done == [("SUCCESS", {"Start": "SUCCESS", "Call": "SUCCESS", "Later": "SUCCESS"})]
    assert run.runs["Call"].value == "called"


def test_executions_holding_exactly_the_byte_bound_are_all_kept() -> None:
    async def main() -> list[list[int]]:
        executions = Executions(100)
        quick = [node("A", output=True)]
        first = _run_in(executions, quick, i="x" * 100)
        second = _run_in(executions, quick, i="y" * 100)
        exact = first.stored_bytes + second.stored_bytes
        executions.max_stored_bytes = exact + first.stored_bytes  # room for a third like them
        _run_in(executions, quick, i="z" * 100)
        kept = [[record.execution_id for record in executions.records()]]
        executions.max_stored_bytes = exact  # a fourth: dropping the oldest leaves exactly this
        _run_in(executions, quick, i="w" * 100)
        kept.append([record.execution_id for record in executions.records()])
        return kept

    assert _on_loop(main()) == [[1, 2, 3], [3, 4]]


def test_starting_an_execution_remembers_the_loop_it_runs_on() -> None:
    async def main() -> bool:
        executions = Executions(10)
        _run_in(executions, [node("A", output=True)])
        return executions.loop is asyncio.get_running_loop()

    assert _on_loop(main()) is True


def test_settle_never_waits_past_the_callable_timeout_in_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    limits: list[float | None] = []

    async def wait(calls: list[Any], limit: float | None = None) -> None:
        limits.append(limit)
        await wait_for_any(calls, limit)

    monkeypatch.setattr("promptlayer_agents.sandbox._engine.wait_for_any", wait)

    async def main() -> str:
        run = _callable_run(lambda values: release.wait(10) and "late", timeout=0.2)
        await run.settle()
        return run.runs["B"].status

    try:
        status = asyncio.run(asyncio.wait_for(main(), 10))
    finally:
        release.set()

    assert status == "FAILED"
    assert limits and all(limit is not None and 0 <= limit <= 0.2 for limit in limits)
