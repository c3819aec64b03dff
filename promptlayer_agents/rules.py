"""The Agents API's rules, each stated once, for the client, its command line and the sandbox.

Which node statuses are final, when an execution counts as failed, how failed nodes are summed up
in one line, which condition operators an edge may use, and what a usable http(s) URL is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal, Protocol, TypeVar
from urllib.parse import urlsplit

from promptlayer_agents_api.models.condition_operator import CONDITION_OPERATOR_VALUES

FINAL_NODE_STATUSES: Final = frozenset({"SUCCESS", "FAILED", "SKIPPED"})
"""A node in one of these statuses will not change any more."""

CONDITION_OPERATORS: Final[frozenset[str]] = frozenset(CONDITION_OPERATOR_VALUES)
"""The operators an edge conditional may use (from openapi.yaml, through the generated enum)."""

ExecutionStatus = Literal["RUNNING", "SUCCESS", "FAILED"]


class NodeOutcome(Protocol):
    """What the rules read of a node: a NodeState, or the sandbox's own node record."""

    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def error_message(self) -> str | None: ...
    @property
    def is_output_node(self) -> bool: ...


N = TypeVar("N", bound=NodeOutcome)


def is_final(status: str) -> bool:
    """Whether a node in this status will not change any more."""
    return status in FINAL_NODE_STATUSES


def failed_nodes(nodes: Iterable[N]) -> tuple[N, ...]:
    """The nodes whose status is FAILED."""
    return tuple(node for node in nodes if node.status == "FAILED")


def succeeded_outputs(nodes: Iterable[N]) -> tuple[N, ...]:
    """The output nodes whose status is SUCCESS, in the order given."""
    return tuple(node for node in nodes if node.is_output_node and node.status == "SUCCESS")


def execution_status(done: bool, nodes: Iterable[NodeOutcome]) -> ExecutionStatus:
    """RUNNING until done; then FAILED when a node failed and no output node succeeded, else
    SUCCESS."""
    if not done:
        return "RUNNING"
    listed = list(nodes)
    if failed_nodes(listed) and not succeeded_outputs(listed):
        return "FAILED"
    return "SUCCESS"


def failure_summary(nodes: Iterable[NodeOutcome]) -> str:
    """The failed nodes and their error messages, on one line ("" when none failed)."""
    return "; ".join(
        f"{node.name}: {node.error_message or 'no error message'}" for node in failed_nodes(nodes)
    )


def is_http_url(value: object) -> bool:
    """An absolute http(s) URL with a host."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and bool(parts.hostname)
