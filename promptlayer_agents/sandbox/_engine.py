"""Executions: nodes run for real, asynchronously, in dependency order.

Every node starts QUEUED. It starts RUNNING once its upstream nodes are final, then ends SUCCESS or
FAILED; it is SKIPPED instead when an upstream node did not succeed, or when it has incoming edges
and none of them is taken (an edge is taken when its source succeeded and its conditionals hold).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from promptlayer_agents_api.models import AgentEdge, AgentNode, AgentVersion, EdgeConditional

from ..definitions import upstream
from ..rules import NodeOutcome, execution_status, is_final
from . import _nodes as nodes


@dataclass(frozen=True)
class _Outcome:
    """A node as the API's rules read it."""

    name: str
    status: str
    error_message: str | None
    is_output_node: bool


@dataclass
class NodeRun:
    """One node's state in an execution."""

    status: str = "QUEUED"
    value: Any = None
    error_message: str | None = None

    def as_json(self, *, is_output_node: bool) -> dict[str, Any]:
        """The node as the results endpoint answers it."""
        return {
            "status": self.status,
            "value": self.value,
            "error_message": self.error_message,
            "raw_error_message": self.error_message,
            "is_output_node": is_output_node,
        }


@dataclass
class Execution:
    """One run of one agent version."""

    id: int
    version: AgentVersion
    inputs: dict[str, Any]
    callback_url: str | None = None
    runs: dict[str, NodeRun] = field(init=False)
    succeeded_outputs: list[str] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    finished_at: float | None = None  # time.monotonic() when the last node became final

    def __post_init__(self) -> None:
        self.runs = {node.name: NodeRun() for node in self.version.nodes}

    @property
    def done(self) -> bool:
        return all(is_final(run.status) for run in self.runs.values())

    @property
    def has_output_node(self) -> bool:
        return any(node.is_output_node for node in self.version.nodes)

    @property
    def main_output(self) -> Any:
        """The value of the first output node to succeed, None until one has."""
        return self.runs[self.succeeded_outputs[0]].value if self.succeeded_outputs else None

    @property
    def failed_without_output(self) -> bool:
        """The API's rule for a failed execution: a node failed and no output node succeeded."""
        return execution_status(self.done, self.outcomes()) == "FAILED"

    def outcomes(self) -> list[NodeOutcome]:
        """Each node's name, status, error and output flag, for the API's rules."""
        return [
            _Outcome(
                node.name,
                self.runs[node.name].status,
                self.runs[node.name].error_message,
                node.is_output_node,
            )
            for node in self.version.nodes
        ]

    def node_map(self) -> dict[str, Any]:
        """Every node as the results endpoint answers it, in definition order."""
        return {
            node.name: self.runs[node.name].as_json(is_output_node=node.is_output_node)
            for node in self.version.nodes
        }


async def execute(execution: Execution) -> None:
    """Run every node of the execution to a final status."""
    finished = {name: asyncio.Event() for name in execution.runs}
    ups = upstream(execution.version)
    incoming: dict[str, list[AgentEdge]] = {name: [] for name in execution.runs}
    for edge in execution.version.edges:
        incoming[edge.target_node_name].append(edge)

    async def run_node(node: AgentNode) -> None:
        for name in ups[node.name]:
            await finished[name].wait()
        await _run(execution, node, ups[node.name], incoming[node.name])
        finished[node.name].set()

    await asyncio.gather(*(run_node(node) for node in execution.version.nodes))
    execution.finished_at = time.monotonic()


async def _run(
    execution: Execution, node: AgentNode, ups: list[str], edges: list[AgentEdge]
) -> None:
    run = execution.runs[node.name]
    values = _values(execution)
    upstream_ok = all(execution.runs[name].status == "SUCCESS" for name in ups)
    if not upstream_ok or (edges and not any(_taken(edge, execution, values) for edge in edges)):
        run.status = "SKIPPED"
        return
    config = node.configuration.to_dict()
    run.status = "RUNNING"
    await asyncio.sleep(nodes.duration(config))
    try:
        run.value = nodes.evaluate(node.node_type, config, values)
    except nodes.NodeFailed as failure:
        run.status, run.error_message = "FAILED", str(failure)
        return
    run.status = "SUCCESS"
    if node.is_output_node:
        execution.succeeded_outputs.append(node.name)


def _values(execution: Execution) -> dict[str, Any]:
    """Input variables and the values of succeeded nodes, by name (nodes win)."""
    values = dict(execution.inputs)
    values.update(
        (name, run.value) for name, run in execution.runs.items() if run.status == "SUCCESS"
    )
    return values


def _taken(edge: AgentEdge, execution: Execution, values: Mapping[str, Any]) -> bool:
    """Whether the edge is taken: its source succeeded and its conditionals hold (all of them with
    `is_and`, else one). A conditional the sandbox cannot evaluate (no known operator, an operand
    that is neither a `static_value` nor a `source`) is skipped, as if the edge did not have it;
    an edge whose every conditional is skipped is taken like an edge without any."""
    if execution.runs[edge.source_node_name].status != "SUCCESS":
        return False
    conditionals = edge.conditionals if isinstance(edge.conditionals, list) else []
    held = [
        holds
        for conditional in sorted(conditionals, key=_position)
        if (holds := _holds(conditional, values)) is not None
    ]
    if not held:
        return True
    return all(held) if edge.is_and else any(held)


def _position(conditional: EdgeConditional) -> tuple[int, int]:
    """Sort key: conditionals with an integer `position` first, in that order; the others after
    them, in the order given (sorted() is stable)."""
    position = conditional.position
    if isinstance(position, int) and not isinstance(position, bool):
        return (0, position)
    return (1, 0)


_NO_OPERAND = object()


def _operand(config: Any, values: Mapping[str, Any]) -> Any:
    """One side's value: its `static_value`, or the value of its `source`; _NO_OPERAND when it
    has neither."""
    if not isinstance(config, Mapping):
        return _NO_OPERAND
    if "static_value" in config:
        return config["static_value"]
    source = config.get("source")
    return values.get(source) if isinstance(source, str) else _NO_OPERAND


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
    "is_null": lambda a, b: a is None,
    "is_not_null": lambda a, b: a is not None,
}

UNARY = frozenset({"is_null", "is_not_null"})
"""Operators that read only the left side."""


def _holds(conditional: EdgeConditional, values: Mapping[str, Any]) -> bool | None:
    """Whether the conditional holds; None when the sandbox cannot evaluate it."""
    operator = conditional.operator if isinstance(conditional.operator, str) else ""
    compare = COMPARISONS.get(operator)
    left = _operand(conditional.left_config, values)
    right = None if operator in UNARY else _operand(conditional.right_config, values)
    if compare is None or left is _NO_OPERAND or right is _NO_OPERAND:
        return None
    try:
        return bool(compare(left, right))
    except TypeError:  # e.g. "<" between a number and a string: the condition does not hold
        return False


class Executions:
    """The executions the sandbox remembers: at most `limit`, the oldest dropped (and stopped)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: OrderedDict[int, Execution] = OrderedDict()
        self._ids = itertools.count(1)

    def start(
        self,
        version: AgentVersion,
        inputs: dict[str, Any],
        callback_url: str | None,
        on_done: Callable[[Execution], Awaitable[None]],
    ) -> Execution:
        """Create an execution and start running it in the background."""
        execution = Execution(next(self._ids), version, inputs, callback_url)
        self._items[execution.id] = execution
        while len(self._items) > self.limit:
            _, dropped = self._items.popitem(last=False)
            if dropped.task is not None:
                dropped.task.cancel()

        async def run() -> None:
            await execute(execution)
            await on_done(execution)

        execution.task = asyncio.get_running_loop().create_task(run())
        return execution

    def get(self, execution_id: int) -> Execution | None:
        return self._items.get(execution_id)

    def __len__(self) -> int:
        return len(self._items)

    def running(self) -> list[asyncio.Task[None]]:
        return [e.task for e in self._items.values() if e.task is not None and not e.task.done()]

    async def stop(self) -> None:
        """Cancel every running execution and wait for them to end."""
        tasks = self.running()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
