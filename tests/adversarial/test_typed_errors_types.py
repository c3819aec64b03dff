"""Typed errors, for every answer body: whatever JSON the server sends for `get`, `get_results`
and `run` (a real answer with any value anywhere replaced by any JSON, or any JSON at all), the
caller gets the generated model, or a `PromptLayerError` (a wrong field as
`ResponseValidationError` naming its JSON path); never another exception."""

from __future__ import annotations

import copy
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa

from ..fakes import AGENT, FakeClock, Harness, ScriptedAPI, node, reply, started

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
NODE = {
    "id": "n1",
    "name": "A",
    "node_type": "VARIABLE",
    "is_output_node": True,
    "configuration": {"value": 1},
    "dependencies": ["q"],
}
EDGE = {"id": "e", "source_node_name": "A", "target_node_name": "B", "is_and": True}
DEFINITION = {**AGENT, "nodes": [NODE, {**NODE, "id": "n2", "name": "B"}], "edges": [EDGE]}
NODE_MAP = {"A": node("SUCCESS", 1, output=True), "B": node("RUNNING")}
RUN_ANSWER = started(5).json()


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _replace(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return changed


def _call(mode: str, body: Any, operation: str) -> Any:
    status = 201 if operation == "run" else 200
    harness = Harness(mode, ScriptedAPI([reply(status, body)], None), FakeClock(), max_retries=0)
    try:
        if operation == "get":
            return harness.get("bot")
        if operation == "run":
            return harness.run("bot")
        return harness.get_results(787, return_all_outputs=True)
    finally:
        harness.shut()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), mode=st.sampled_from(["sync", "async"]))
def test_any_value_anywhere_gives_the_model_or_a_typed_error(
    data: st.DataObject, mode: str
) -> None:
    operation, document = data.draw(
        st.sampled_from([("get", DEFINITION), ("results", NODE_MAP), ("run", RUN_ANSWER)])
    )
    path = data.draw(st.sampled_from(_paths(document)))
    body = _replace(document, path, data.draw(JSON_VALUES))

    try:
        answer = _call(mode, body, operation)
    except pa.ResponseValidationError as error:
        # names a path ("the answer" for the whole body), or says it is the summary-only form
        message = str(error)
        assert re.match(r"(the answer|\S+): ", message) or "summary" in message, message
    except pa.PromptLayerError:
        pass
    else:
        if operation == "get":
            assert isinstance(answer, pa.AgentDefinition) and answer.to_dict() == body
        elif operation == "run":
            assert isinstance(answer, pa.RunStarted) and answer.execution_id >= 1
        else:
            assert isinstance(answer, pa.ExecutionResult)
            assert all(isinstance(n, pa.NodeState) for n in answer.nodes.values())
