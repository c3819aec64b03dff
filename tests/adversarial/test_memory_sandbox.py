"""The sandbox's memory is bounded in bytes, not only in executions: all executions together hold
at most `max_stored_bytes` of inputs, metadata and node values (the oldest forgotten first, and
saying so when asked for), and no results answer outgrows what the client reads (10 MiB)."""

from __future__ import annotations

import asyncio
import gc
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any
from unittest.mock import patch

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptlayer_agents import Agents, ExecutionFailedError
from promptlayer_agents._config import DEFAULT_MAX_RESPONSE_BYTES
from promptlayer_agents.sandbox import PromptLayerSandbox, _engine, load_catalog
from promptlayer_agents.sandbox._engine import Execution, execute
from promptlayer_agents.sandbox._memory import (
    CLIENT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_STORED_BYTES,
    TOO_LARGE,
    json_size,
    node_map_size,
)
from promptlayer_agents.sandbox._nodes import Script

from .sandbox_helpers import ECHO, RESULTS, raw_client, results, until

MiB = 1024 * 1024
RUN = "/workflows/echo/run"


def _started(**options: Any) -> PromptLayerSandbox:
    sandbox = PromptLayerSandbox(**options)
    sandbox.add_agent(ECHO)
    sandbox.start()
    return sandbox


def _finished(http: httpx.Client, execution_id: int) -> httpx.Response:
    """The execution's node map, once it is done (the run ends at once: no durations)."""
    until(lambda: results(http, execution_id).status_code == 200, what="the run to end")
    return results(http, execution_id)


def test_the_bounds_are_those_documented() -> None:
    assert CLIENT_MAX_RESPONSE_BYTES == DEFAULT_MAX_RESPONSE_BYTES
    assert 128 * MiB == DEFAULT_MAX_STORED_BYTES


@pytest.fixture(scope="module")
def small() -> Iterator[PromptLayerSandbox]:
    """A sandbox that keeps at most 3 MiB of executions."""
    sandbox = _started(max_stored_bytes=3 * MiB)
    try:
        yield sandbox
    finally:
        sandbox.stop()


@settings(max_examples=10, deadline=None)
@given(sizes=st.lists(st.integers(0, 400_000), min_size=1, max_size=12))
def test_what_executions_hold_stays_within_the_bound_and_forgotten_ones_say_so(
    small: PromptLayerSandbox, sizes: list[int]
) -> None:
    small.reset()
    small.add_agent(ECHO)
    with raw_client(small.url, small.api_key) as http:
        ids = []
        for size in sizes:
            body = {"input_variables": {"text": "x" * size}, "metadata": {"m": "y" * (size // 4)}}
            ids.append(http.post(RUN, json=body).json()["workflow_version_execution_id"])
            _finished(http, ids[-1])
        answers = {execution_id: results(http, execution_id) for execution_id in ids}

    kept = {i: a for i, a in answers.items() if a.status_code == 200}
    held = sum(
        len(json.dumps({"text": "x" * size}))
        + len(json.dumps({"m": "y" * (size // 4)}))
        + len(answers[i].content)
        for i, size in zip(ids, sizes, strict=True)
        if i in kept
    )
    assert held <= 3 * MiB  # counted from what it answers, not from its own bookkeeping
    assert ids[-1] in kept  # the newest is never the one forgotten
    for execution_id, answer in answers.items():
        if execution_id not in kept:
            assert answer.status_code == 404
            assert "is no longer kept" in answer.json()["message"]


def test_sixty_runs_of_large_inputs_do_not_grow_memory_past_the_bound() -> None:
    bound = 8 * MiB
    sandbox = _started(max_stored_bytes=bound)
    tracemalloc.start()
    try:
        gc.collect()
        baseline = tracemalloc.get_traced_memory()[0]
        with raw_client(sandbox.url, sandbox.api_key) as http:
            for _ in range(60):
                body = {"input_variables": {"text": "x" * 900_000}}
                _finished(http, http.post(RUN, json=body).json()["workflow_version_execution_id"])
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
        sandbox.stop()

    # unbounded, the runs would hold 60 x 2.7 MB; the bound counts JSON, objects take a bit more
    assert grown < 3 * bound, f"grew {grown} bytes"


def _client_reads(sandbox: PromptLayerSandbox, execution_id: int) -> None:
    """The client (its default 10 MiB cap) gets a result or a typed failure, never 'too large'."""
    with Agents(api_key=sandbox.api_key, base_url=sandbox.url) as agents:
        try:
            agents.wait(execution_id, timeout=60)
        except ExecutionFailedError as failed:
            assert failed.failed_nodes


@pytest.fixture(scope="module")
def roomy() -> Iterator[PromptLayerSandbox]:
    sandbox = _started()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def test_a_9_mib_input_doubled_by_a_node_fails_that_node_instead_of_the_answer(
    roomy: PromptLayerSandbox,
) -> None:
    roomy.script("echo", "Model", value=lambda run: "short")
    with raw_client(roomy.url, roomy.api_key) as http:
        body = {"input_variables": {"text": "x" * (9 * MiB)}}
        execution_id = http.post(RUN, json=body).json()["workflow_version_execution_id"]
        answer = _finished(http, execution_id)

    assert len(answer.content) <= CLIENT_MAX_RESPONSE_BYTES
    twice = answer.json()["Twice"]
    assert (twice["status"], twice["error_message"]) == ("FAILED", TOO_LARGE)
    _client_reads(roomy, execution_id)


@settings(max_examples=8, deadline=None)
@given(
    text=st.integers(0, 3 * MiB),
    model=st.integers(0, 6 * MiB),
    unicode=st.booleans(),
)
def test_no_results_answer_is_larger_than_the_clients_cap(
    roomy: PromptLayerSandbox, text: int, model: int, unicode: bool
) -> None:
    letter = "é" if unicode else "x"  # two bytes in UTF-8: sizes are bytes, not characters
    roomy.script("echo", "Model", value=lambda run: letter * model)
    with raw_client(roomy.url, roomy.api_key) as http:
        body = {"input_variables": {"text": letter * text}}
        execution_id = http.post(RUN, json=body).json()["workflow_version_execution_id"]
        node_map = _finished(http, execution_id)
        output = http.get(RESULTS, params={"workflow_version_execution_id": execution_id})

    for answer in (node_map, output):
        assert len(answer.content) <= CLIENT_MAX_RESPONSE_BYTES
    for node in node_map.json().values():
        # a node fails only for its size; one after a failed node is skipped
        assert node["status"] in ("SUCCESS", "SKIPPED") or node["error_message"] == TOO_LARGE
    _client_reads(roomy, execution_id)


def test_node_map_size_is_the_exact_size_of_the_answer() -> None:
    @given(st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=6))
    def check(node_map: dict[str, Any]) -> None:
        sizes = {name: json_size(entry) for name, entry in node_map.items()}
        assert node_map_size(sizes) == json_size(node_map)

    check()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
NODE_OUTCOMES = st.one_of(
    st.integers(0, 3000).map(lambda n: Script(value="v" * n, has_value=True)),
    st.text(max_size=1500).map(lambda message: Script(error=message or "x")),
    st.integers(0, 1500).map(lambda n: Script(value=lambda run, n=n: ["é"] * n, has_value=True)),
)


@settings(max_examples=60, deadline=None)
@given(
    outcomes=st.lists(NODE_OUTCOMES, min_size=1, max_size=4),
    chained=st.booleans(),
)
def test_whatever_nodes_produce_the_node_map_stays_within_the_cap(
    outcomes: list[Script], chained: bool
) -> None:
    """The cap, made small, holds for any number of nodes, any value sizes, errors, callables,
    in parallel or in a chain: a node past it fails with TOO_LARGE, the others keep theirs."""
    cap = 5000
    names = [f"N{i}" for i in range(len(outcomes))]
    nodes = [
        {
            "name": name,
            "node_type": "PROMPT_TEMPLATE",
            "dependencies": [names[i - 1]] if chained and i else [],
            "is_output_node": i == len(names) - 1,
        }
        for i, name in enumerate(names)
    ]
    version = load_catalog({"workflow_name": "a", "nodes": nodes}).find("a").versions[-1]  # type: ignore[union-attr]
    execution = Execution(1, version, {}, scripts=dict(zip(names, outcomes, strict=True)))

    with patch.object(_engine, "MAX_NODE_MAP_BYTES", cap):
        asyncio.run(asyncio.wait_for(execute(execution), timeout=30))

    assert execution.done
    assert json_size(execution.node_map()) <= cap
    for name, script in zip(names, outcomes, strict=True):
        run = execution.runs[name]
        if run.error_message == TOO_LARGE or run.status == "SKIPPED":
            continue
        expected = script.value(run) if callable(script.value) else script.value
        assert (run.value, run.error_message) == (
            (expected, None) if script.error is None else (None, script.error)
        )
