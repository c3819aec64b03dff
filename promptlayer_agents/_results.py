"""`ExecutionResult`: what an execution has produced so far, in every form the API answers.

The node states and the run answer are the generated models (`NodeState` is the generated
`NodeResult`; `RunStarted` adds to the generated `RunAgentResponse` only what the JSON does not
say). This module decides the rest with the rules of `rules.py`: the overall status, which value
is the main output.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from attrs import define
from attrs import field as attrs_field

from promptlayer_agents_api.models import ExecutionCallback, NodeResult, RunAgentResponse
from promptlayer_agents_api.types import ModelError

from ._errors import InvalidInputError
from ._json import JSON
from .rules import ExecutionStatus, execution_status, failed_nodes
from .rules import succeeded_outputs as _succeeded_outputs

NodeState = NodeResult
"""One node of an execution: the generated `NodeResult`. `status` is QUEUED, RUNNING, SUCCESS,
FAILED or SKIPPED, or any other string as it came (`rules.node_status` reads FAILURE as FAILED);
each field is None when the API left it out."""


@define(frozen=True)
class RunStarted(RunAgentResponse):
    """A started execution: the generated run answer (`workflow_version_execution_id`,
    `message`, `warning`: missing or unexpected input variables; the run started anyway), with
    `execution_id` for `wait`/`get_results` and whether the API accepted it for a callback (a
    202 answer)."""

    accepted_for_callback: bool = attrs_field(default=False, kw_only=True)
    request_id: str | None = attrs_field(default=None, kw_only=True)
    """The id the server gave the answer (its `X-Request-Id`), as errors carry it."""

    @property
    def execution_id(self) -> int:
        """The execution's id (the answer's `workflow_version_execution_id`)."""
        return self.workflow_version_execution_id


@dataclass(frozen=True, repr=False)
class ExecutionResult:
    """An execution's state. `done` is the API's word that every node is final.

    `output` is the main output: the value of the first output node to succeed (None until then).
    `nodes` maps node names to their state (`NodeState`, the generated model) in the API's
    order; it is empty when only the main output was asked for.
    """

    execution_id: int
    done: bool
    output: JSON = None
    nodes: Mapping[str, NodeState] = field(default_factory=dict)
    request_id: str | None = field(default=None, compare=False)
    """The id the server gave the answer this was read from (its `X-Request-Id`), if any."""

    def __repr__(self) -> str:
        nodes = {name: node.status for name, node in self.nodes.items()}
        return (
            f"ExecutionResult(execution_id={self.execution_id}, status={self.status!r}, "
            f"done={self.done}, output={reprlib.repr(self.output)}, "
            f"nodes={reprlib.repr(nodes)})"
        )

    def to_dict(self) -> dict[str, JSON]:
        """The result as JSON data, in the shape `promptlayer-agents run --json` and
        `results --json` print (docs/result.schema.json)."""
        return result_json(self)

    @property
    def failed_nodes(self) -> dict[str, NodeState]:
        """The nodes whose status is FAILED, by name."""
        return failed_nodes(self.nodes)

    @property
    def succeeded_outputs(self) -> dict[str, NodeState]:
        """The output nodes whose status is SUCCESS, by name, in the API's order."""
        return _succeeded_outputs(self.nodes)

    @property
    def status(self) -> ExecutionStatus:
        """RUNNING until done. Then SUCCESS when an output node succeeded; otherwise FAILED when a
        node failed or when a node's status is missing or unknown (the client cannot tell that it
        succeeded, so it does not say so); else SUCCESS (a bare main output, or every node known
        and none failed)."""
        return execution_status(self.done, self.nodes)


def from_node_map(
    execution_id: int,
    nodes: Mapping[str, NodeState],
    *,
    done: bool,
    request_id: str | None = None,
) -> ExecutionResult:
    """A result from a node map. The main output is the first successful output node's value
    in the API's order; `main_output_from` corrects it when several output nodes succeeded."""
    outputs = list(_succeeded_outputs(nodes).values())
    return ExecutionResult(
        execution_id=execution_id,
        done=done,
        output=outputs[0].value if outputs else None,
        nodes=nodes,
        request_id=request_id,
    )


def from_main_output(
    execution_id: int, output: Any, *, done: bool, request_id: str | None = None
) -> ExecutionResult:
    """A result from a bare main output (no node map)."""
    return ExecutionResult(execution_id, done, output, request_id=request_id)


def parse_callback(body: bytes | str | Mapping[str, Any]) -> ExecutionResult:
    """The final result that PromptLayer POSTs to a run's `callback_url`, as an ExecutionResult.

    `body` is the request body as received (bytes or text) or already decoded JSON.
    """
    try:
        data = json.loads(body) if isinstance(body, bytes | str) else body
        callback = ExecutionCallback.from_dict(data)
        execution_id = callback.workflow_version_execution_id
        if execution_id < 1:
            raise ValueError(f"workflow_version_execution_id {execution_id!r} is not an id")
        return from_node_map(execution_id, callback.final_output, done=True)
    except ModelError as error:
        raise InvalidInputError(f"not a PromptLayer callback body: {error}") from None
    except (TypeError, ValueError, RecursionError) as error:
        raise InvalidInputError(f"not a PromptLayer callback body: {error!r}") from None


def result_json(result: ExecutionResult) -> dict[str, JSON]:
    """A result as JSON data, in the one shape the command line prints for `run --json` and
    `results --json` and `ExecutionResult.to_dict()` gives (docs/result.schema.json):
    execution_id, done, status, output, and each node by name as the API sent it. `nodes` is
    empty when only the main output was read."""
    return {
        "execution_id": result.execution_id,
        "done": result.done,
        "status": result.status,
        "output": result.output,
        "nodes": {name: node.to_dict() for name, node in result.nodes.items()},
    }
