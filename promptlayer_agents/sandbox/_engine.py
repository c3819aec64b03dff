"""Executions: nodes run for real, in dependency order, on a simulated timeline.

Every node starts QUEUED. It starts RUNNING once its upstream nodes are final, then ends SUCCESS or
FAILED after its duration; it is SKIPPED instead when an upstream node did not succeed, or when it
has incoming edges and none of them is taken (an edge is taken when its source succeeded and its
conditionals hold). A conditional the sandbox cannot evaluate is skipped, and the run's warning
says so.

Time is either the clock (a node takes its duration in seconds, from the moment its last upstream
node finished) or, in the deterministic progress mode, the execution's results polls (every node
finishes `polls_per_node` polls after it started). The state is brought up to date whenever it is
read, so what an answer shows depends only on the time or the poll count, never on scheduling: a
node scripted with a callable calls it (isolated, `_callables`) when it is due, and a results
answer waits for it, up to its timeout, while the server serves others.

What an execution may hold is bounded (`_memory`): a node whose value would make the results
answer too large fails instead, and `Executions` forgets the oldest past a total in bytes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from promptlayer_agents_api.models import AgentEdge, AgentNode, AgentVersion

from ..definitions import dependency_order, upstream
from ..rules import (
    UNARY_OPERATORS,
    ExecutionStatus,
    NodeOutcome,
    execution_status,
    is_done,
    is_final,
)
from . import _nodes as nodes
from ._callables import DEFAULT_CALLABLE_TIMEOUT, Call, wait_for_any
from ._memory import (
    DEFAULT_MAX_STORED_BYTES,
    MAX_NODE_MAP_BYTES,
    TOO_LARGE,
    json_size,
    node_map_size,
)

logger = logging.getLogger("promptlayer_agents.sandbox")
OnDone = Callable[["Execution"], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class _Outcome:
    """A node as the API's rules read it."""

    status: str
    error_message: str | None
    is_output_node: bool


@dataclass(frozen=True)
class Run:
    """An execution as a test sees it: what was started, with what, its status now (RUNNING,
    SUCCESS or FAILED), each node's result as the results endpoint answers it (`status`, `value`,
    `error_message`, `raw_error_message`, `is_output_node`), and the main output (None until an
    output node has succeeded)."""

    agent: str
    version: int
    execution_id: int
    input_variables: dict[str, Any]
    metadata: dict[str, str]
    status: ExecutionStatus
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    output: Any = None


@dataclass
class NodeRun:
    """One node's state in an execution; `due` and `ended` are on the execution's timeline."""

    status: str = "QUEUED"
    value: Any = None
    error_message: str | None = None
    due: float = 0.0
    ended: float = 0.0
    call: Call | None = None  # its script callable's call, from its due time until it settles
    size: int = 0  # bytes of its entry in the node map, once final

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
    metadata: dict[str, str] = field(default_factory=dict)
    scripts: Mapping[str, nodes.Script] = field(default_factory=dict)
    polls_per_node: int | None = None  # None: the clock decides; N: every node takes N polls
    callable_timeout: float = DEFAULT_CALLABLE_TIMEOUT
    runs: dict[str, NodeRun] = field(init=False)
    succeeded_outputs: list[str] = field(default_factory=list)
    polls: int = 0
    started_at: float = field(default_factory=time.monotonic)
    finished_at: float | None = None  # time.monotonic() when the last node became final
    task: asyncio.Task[None] | None = None
    on_grow: Callable[[Execution], None] | None = None  # called when nodes have finished

    def __post_init__(self) -> None:
        self.runs = {node.name: NodeRun() for node in self.version.nodes}
        self._fixed_bytes = json_size(self.inputs) + json_size(self.metadata)
        self._reserve = {
            node.name: json_size(
                NodeRun("FAILED", error_message=TOO_LARGE).as_json(
                    is_output_node=node.is_output_node
                )
            )
            for node in self.version.nodes
        }
        self._order = dependency_order(self.version)
        self._upstream = upstream(self.version)
        self._incoming: dict[str, list[AgentEdge]] = {name: [] for name in self.runs}
        for edge in self.version.edges:
            self._incoming[edge.target_node_name].append(edge)

    @property
    def stored_bytes(self) -> int:
        """Bytes it holds, as JSON: input variables, metadata and final nodes' entries."""
        return self._fixed_bytes + sum(run.size for run in self.runs.values())

    @property
    def done(self) -> bool:
        return is_done(run.status for run in self.runs.values())

    @property
    def has_output_node(self) -> bool:
        return any(node.is_output_node for node in self.version.nodes)

    @property
    def main_output(self) -> Any:
        """The value of the first output node to succeed, None until one has."""
        return self.runs[self.succeeded_outputs[0]].value if self.succeeded_outputs else None

    @property
    def status(self) -> ExecutionStatus:
        """RUNNING, SUCCESS or FAILED, by the API's rules."""
        return execution_status(self.done, self.outcomes())

    @property
    def failed_without_output(self) -> bool:
        """The API's rule for a failed execution: a node failed and no output node succeeded."""
        return self.status == "FAILED"

    def outcomes(self) -> dict[str, NodeOutcome]:
        """Each node's status, error and output flag by name, for the API's rules."""
        return {
            node.name: _Outcome(
                self.runs[node.name].status,
                self.runs[node.name].error_message,
                node.is_output_node,
            )
            for node in self.version.nodes
        }

    def node_map(self) -> dict[str, Any]:
        """Every node as the results endpoint answers it, in definition order."""
        return {
            node.name: self.runs[node.name].as_json(is_output_node=node.is_output_node)
            for node in self.version.nodes
        }

    def record(self) -> Run:
        """The execution as a test sees it."""
        return Run(
            agent=self.version.workflow_name,
            version=self.version.version,
            execution_id=self.id,
            input_variables=dict(self.inputs),
            metadata=dict(self.metadata),
            status=self.status,
            nodes=self.node_map(),
            output=self.main_output,
        )

    def now(self) -> float:
        """Where the execution is on its timeline: seconds since it started, or polls seen."""
        if self.polls_per_node is not None:
            return float(self.polls)
        return time.monotonic() - self.started_at

    def next_due(self) -> float | None:
        """When the next running node finishes, on the timeline; None when none is running
        (a node waiting for its script callable is not counted: `waiting` has it)."""
        return min(
            (r.due for r in self.runs.values() if r.status == "RUNNING" and r.call is None),
            default=None,
        )

    def waiting(self) -> list[Call]:
        """The script callables that running nodes, due by now, are still waiting for."""
        return [
            run.call
            for run in self.runs.values()
            if run.status == "RUNNING" and run.call is not None and not run.call.settled
        ]

    async def settle(self) -> None:
        """Wait (the loop serving others) until no node due by now waits for its script
        callable, so that an answer depends on the time or the poll count, not on how fast a
        thread ran. It waits `callable_timeout` seconds at most in all, however many callables
        come due one after another (the answer then shows them still running)."""
        deadline = time.monotonic() + self.callable_timeout
        for _ in range(len(self.runs) + 1):  # a round may make the next node's callable due
            self.advance()
            calls = self.waiting()
            if not calls or time.monotonic() >= deadline:
                return
            await wait_for_any(calls, deadline - time.monotonic())

    def advance(self) -> bool:
        """Bring every node up to date with `now()`, finishing nodes in the order their times
        come; True when this call made the execution done."""
        if self.done:
            return False
        now = self.now()
        self._start_ready()
        finished = False
        while (node := self._next_to_finish(now)) is not None:
            self._finish(node)
            self._start_ready()
            finished = True
        if finished and self.on_grow is not None:
            self.on_grow(self)
        if not self.done:
            return False
        ended = max((run.ended for run in self.runs.values()), default=0.0)
        clock = self.polls_per_node is None
        self.finished_at = self.started_at + ended if clock else time.monotonic()
        return True

    def _start_ready(self) -> None:
        """Start (or skip) every queued node whose upstream nodes are all final."""
        for node in self._order:
            run, ups = self.runs[node.name], self._upstream[node.name]
            if run.status != "QUEUED" or not all(is_final(self.runs[u].status) for u in ups):
                continue
            start = max((self.runs[u].ended for u in ups), default=0.0)
            if not self._should_run(node, ups):
                run.status, run.ended = "SKIPPED", start
                run.size = json_size(run.as_json(is_output_node=node.is_output_node))
                continue
            script = self.scripts.get(node.name)
            if self.polls_per_node is not None:
                length = float(self.polls_per_node)
            else:
                length = nodes.duration(node.configuration.to_dict(), script)
            run.status, run.due = "RUNNING", start + length

    def _next_to_finish(self, now: float) -> AgentNode | None:
        """The running node that finishes next, by `now`: the earliest due (definition order
        breaks ties) whose script callable, if it has one, has settled. A due node's callable
        is called here, on its own thread, with the values as they are at its due time."""
        due_now = [n for n in self._order if self.runs[n.name].status == "RUNNING"]
        for node in sorted(due_now, key=lambda n: self.runs[n.name].due):
            run = self.runs[node.name]
            if run.due > now:
                break
            script = self.scripts.get(node.name)
            if run.call is None and nodes.calls_back(script):
                assert script is not None
                run.call = Call(script.value, self.values(), self.callable_timeout)
            if run.call is None or run.call.settled:
                return node
        return None

    def _should_run(self, node: AgentNode, ups: list[str]) -> bool:
        if not all(self.runs[u].status == "SUCCESS" for u in ups):
            return False
        edges = self._incoming[node.name]
        return not edges or any(self._taken(edge) for edge in edges)

    def _finish(self, node: AgentNode) -> None:
        run = self.runs[node.name]
        run.ended = run.due
        config = node.configuration.to_dict()
        try:
            if run.call is not None:
                run.value = run.call.outcome()
            else:
                run.value = nodes.evaluate(
                    node.node_type, node.name, config, self.values(), self.scripts.get(node.name)
                )
        except nodes.NodeFailed as failure:
            run.status, run.error_message = "FAILED", str(failure)
        else:
            run.status = "SUCCESS"
        self._bound(node)
        if run.status == "SUCCESS" and node.is_output_node:
            self.succeeded_outputs.append(node.name)

    def _bound(self, node: AgentNode) -> None:
        """Keep the final node's entry answerable: a value JSON cannot carry, or one that would
        take the node map past MAX_NODE_MAP_BYTES (room kept for every node not final yet to
        fail with TOO_LARGE), fails the node instead (`_memory`)."""
        run, flag = self.runs[node.name], node.is_output_node
        try:
            size = json_size(run.as_json(is_output_node=flag))
        except (ValueError, TypeError, RecursionError) as error:
            problem = f"{type(error).__name__}: {error}"[:500]
            run.status, run.value = "FAILED", None
            run.error_message = f"the node's value is not JSON the API can answer ({problem})"
            size = json_size(run.as_json(is_output_node=flag))
        sizes = {
            name: other.size if is_final(other.status) else self._reserve[name]
            for name, other in self.runs.items()
        }
        sizes[node.name] = size
        if node_map_size(sizes) > MAX_NODE_MAP_BYTES:
            run.status, run.value, run.error_message = "FAILED", None, TOO_LARGE
            size = self._reserve[node.name]
        run.size = size

    def values(self) -> dict[str, Any]:
        """Input variables and the values of succeeded nodes, by name (nodes win)."""
        values = dict(self.inputs)
        values.update((n, run.value) for n, run in self.runs.items() if run.status == "SUCCESS")
        return values

    def _taken(self, edge: AgentEdge) -> bool:
        if self.runs[edge.source_node_name].status != "SUCCESS":
            return False
        known = set(self.runs) | set(self.inputs)
        conditionals = [c for c in edge_conditionals(edge) if unevaluable(c, known) is None]
        if not conditionals:  # none, or none the sandbox can evaluate: skipped, as if absent
            return True
        values = self.values()
        held = [holds(c, values, known) for c in conditionals]
        return all(held) if edge.is_and is not False else any(held)

    def warnings(self) -> list[str]:
        """One line per conditional the sandbox cannot evaluate: it is skipped, as if the edge
        did not have it (an edge left with none is taken)."""
        known = set(self.runs) | set(self.inputs)
        return [
            f"edge {edge.source_node_name} -> {edge.target_node_name}: conditional {index} "
            f"cannot be evaluated ({problem}), so it is skipped"
            for edge in self.version.edges
            for index, conditional in enumerate(edge_conditionals(edge))
            if (problem := unevaluable(conditional, known))
        ]


def edge_conditionals(edge: AgentEdge) -> list[Any]:
    """The edge's conditionals as plain JSON, in `position` order (given order without one)."""
    listed = edge.conditionals if isinstance(edge.conditionals, list) else []
    plain = [c.to_dict() if hasattr(c, "to_dict") else c for c in listed]

    def position(conditional: Any) -> int:
        place = conditional.get("position") if isinstance(conditional, Mapping) else None
        return place if isinstance(place, int) and not isinstance(place, bool) else 0

    return sorted(plain, key=position)


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


def unevaluable(conditional: Any, known: set[str]) -> str | None:
    """Why the sandbox cannot evaluate this conditional (plain JSON), or None.

    It needs an `operator` the API documents, and each operand it compares (`left_config`, and
    `right_config` unless the operator is is_null or is_not_null) as a `static_value`, or as a
    `source` naming a node or input variable of the run."""
    if not isinstance(conditional, Mapping):
        return "not an object"
    operator = conditional.get("operator")
    if operator not in COMPARISONS:
        return "no operator" if operator is None else f"unknown operator {operator!r}"
    sides = ("left_config",) if operator in UNARY_OPERATORS else ("left_config", "right_config")
    for side in sides:
        operand = conditional.get(side)
        if not isinstance(operand, Mapping) or not ({"static_value", "source"} & set(operand)):
            return f"{side} has neither static_value nor source"
        source = operand.get("source")
        if "static_value" not in operand and (not isinstance(source, str) or source not in known):
            return f"{side}.source {source!r} names no node or input variable"
    return None


def _operand(operand: Any, values: Mapping[str, Any]) -> Any:
    if not isinstance(operand, Mapping):
        return None
    if "static_value" in operand:
        return operand["static_value"]
    source = operand.get("source")
    return values.get(source) if isinstance(source, str) else None


def holds(conditional: Any, values: Mapping[str, Any], known: set[str]) -> bool:
    """Whether a conditional (plain JSON) holds for the run's values (`known`: every node and
    input variable name; a skipped node's value is None). One the sandbox cannot evaluate, or a
    comparison between values that do not compare, does not hold."""
    if unevaluable(conditional, known) is not None:
        return False
    left = _operand(conditional.get("left_config"), values)
    right = _operand(conditional.get("right_config"), values)
    try:
        return bool(COMPARISONS[conditional["operator"]](left, right))
    except TypeError:  # e.g. "<" between a number and a string: the condition does not hold
        return False


def supervised(work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """A task for `work` whose failure is logged once, when it ends: no task of the sandbox
    ever ends with an exception nobody retrieves."""
    task = asyncio.get_running_loop().create_task(work)
    task.add_done_callback(_log_failure)
    return task


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.error("sandbox: background task failed", exc_info=error)


async def execute(execution: Execution, on_done: OnDone | None = None) -> None:
    """Keep the execution up to date until it is done (clock mode), then call `on_done`."""
    while not execution.advance() and not execution.done:
        due, calls = execution.next_due(), execution.waiting()
        if calls:
            limit = None if due is None else due - execution.now()
            await wait_for_any(calls, limit)
            continue
        if due is None:  # only possible in poll mode: polls move it on, not time
            return
        await asyncio.sleep(max(0.0, due - execution.now()))
    if on_done is not None:
        await on_done(execution)


class Executions:
    """The executions the sandbox remembers: at most `limit`, holding at most
    `max_stored_bytes` (see `_fit`; the oldest are forgotten, and stopped); the scripts later
    runs follow; the progress mode; the script callables' timeout."""

    def __init__(self, limit: int, max_stored_bytes: int = DEFAULT_MAX_STORED_BYTES) -> None:
        self.limit = limit
        self.scripts: dict[str, dict[str, nodes.Script]] = {}
        self.polls_per_node: int | None = None
        self.callable_timeout = DEFAULT_CALLABLE_TIMEOUT
        self.loop: asyncio.AbstractEventLoop | None = None
        self._items: OrderedDict[int, Execution] = OrderedDict()
        self.max_stored_bytes = max_stored_bytes
        self._issued = 0  # ids are 1, 2, ...: every id up to this one was given out
        self._on_done: dict[int, OnDone] = {}

    def start(
        self,
        version: AgentVersion,
        inputs: dict[str, Any],
        callback_url: str | None,
        on_done: OnDone,
        metadata: dict[str, str] | None = None,
    ) -> Execution:
        """Create an execution, bring it as far as time 0 takes it, and keep it going."""
        execution = Execution(
            self.new_id(),
            version,
            inputs,
            callback_url,
            metadata=dict(metadata or {}),
            scripts=dict(self.scripts.get(version.workflow_name, {})),
            polls_per_node=self.polls_per_node,
            callable_timeout=self.callable_timeout,
        )
        self._items[execution.id] = execution
        execution.on_grow = self._fit
        self._fit(execution)
        self.loop = asyncio.get_running_loop()
        if execution.polls_per_node is None:
            execution.advance()
            execution.task = supervised(execute(execution, on_done))
        else:
            self._on_done[execution.id] = on_done
            self.observe(execution, poll=False)
        return execution

    def observe(self, execution: Execution, *, poll: bool = True) -> None:
        """Bring the execution up to date before it is shown; in poll mode a results request
        is a poll, and the poll that finishes the execution delivers its callback."""
        by_polls = execution.polls_per_node is not None
        if by_polls and poll and not execution.done:
            execution.polls += 1
        execution.advance()
        on_done = self._on_done.pop(execution.id, None) if execution.done else None
        if on_done is not None:
            execution.task = supervised(on_done(execution))

    async def settle(self, execution: Execution) -> None:
        """Wait until no node due by now waits for its script callable (`Execution.settle`),
        then deliver the callback if that made the execution done."""
        await execution.settle()
        self.observe(execution, poll=False)

    def blocked_calls(self) -> list[str]:
        """The script callables of remembered executions that have not returned yet, each as
        "agent, node, function"."""
        return [
            f"agent {e.version.workflow_name!r}, node {name!r}, callable {run.call.label}"
            for e in list(self._items.values())
            for name, run in e.runs.items()
            if run.call is not None and not run.call.returned.is_set()
        ]

    def _fit(self, keep: Execution) -> None:
        """Forget executions until at most `limit` remain, the oldest first, and until they
        hold at most `max_stored_bytes` (`_memory`): the oldest finished ones first, then the
        oldest running ones (stopped); never `keep`, the one just started or growing."""
        while len(self._items) > self.limit:
            self._drop(next(iter(self._items.values())))
        total = sum(e.stored_bytes for e in self._items.values())
        if total <= self.max_stored_bytes:
            return
        others = [e for e in self._items.values() if e is not keep]
        for victim in [e for e in others if e.done] + [e for e in others if not e.done]:
            if total <= self.max_stored_bytes:
                break
            total -= victim.stored_bytes
            self._drop(victim)

    def _drop(self, execution: Execution) -> None:
        del self._items[execution.id]
        self._on_done.pop(execution.id, None)
        if execution.task is not None:
            execution.task.cancel()

    def was_given_out(self, execution_id: int) -> bool:
        """Whether the id was given to an execution since the last reset (held or forgotten)."""
        return 0 < execution_id <= self._issued

    def new_id(self) -> int:
        """An execution id never given before since the last reset (replayed executions take
        theirs here too)."""
        self._issued += 1
        return self._issued

    def get(self, execution_id: int) -> Execution | None:
        return self._items.get(execution_id)

    def __len__(self) -> int:
        return len(self._items)

    def records(self) -> list[Run]:
        """Every execution remembered, oldest first, as a test sees it."""
        return [execution.record() for execution in list(self._items.values())]

    def running(self) -> list[asyncio.Task[None]]:
        return [e.task for e in self._items.values() if e.task is not None and not e.task.done()]

    async def stop(self) -> None:
        """Cancel every running execution and wait for them to end."""
        tasks = self.running()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def forget(self) -> None:
        """Forget every execution and script, count execution ids from 1 again, and go back to
        the clock (a test's clean start); `stop` the running ones first."""
        self._items.clear()
        self._issued = 0
        self._on_done.clear()
        self.scripts = {}
        self.polls_per_node = None
        self.callable_timeout = DEFAULT_CALLABLE_TIMEOUT


def narrowed(
    node_map: dict[str, Any], version: AgentVersion, node_id: str | None, node_name: str | None
) -> dict[str, Any]:
    """The node map narrowed to the node a `workflow_node_id` / `workflow_node_name` filter names
    (both must match when both are given; no node matches an unknown one). The main output is
    not filtered."""
    if node_id is None and node_name is None:
        return node_map
    keep = {
        node.name
        for node in version.nodes
        if node_id in (None, node.id) and node_name in (None, node.name)
    }
    return {name: value for name, value in node_map.items() if name in keep}
