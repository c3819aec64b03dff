"""The Agents API's rules, each stated once, for the client, its command line and the sandbox.

Which node statuses are final (and which are unknown), when an execution counts as failed, how
failed nodes are summed up in one line, which condition operators an edge may use, and what a
usable http(s) URL is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Final, Literal, Protocol, TypeVar
from urllib.parse import urlsplit

from promptlayer_agents_api.models.condition_operator import CONDITION_OPERATOR_VALUES

FINAL_NODE_STATUSES: Final = frozenset({"SUCCESS", "FAILED", "SKIPPED"})
"""A node in one of these statuses will not change any more."""

PENDING_NODE_STATUSES: Final = frozenset({"QUEUED", "RUNNING"})
"""A node in one of these statuses has not finished yet."""

KNOWN_NODE_STATUSES: Final = FINAL_NODE_STATUSES | PENDING_NODE_STATUSES
"""The statuses PromptLayer documents; any other is kept as it came and counts as unknown."""

NODE_STATUS_ALIASES: Final = {"FAILURE": "FAILED"}
"""Other spellings of a documented status: PromptLayer's callback docs once wrote `FAILURE`."""

CONDITION_OPERATORS: Final[frozenset[str]] = frozenset(CONDITION_OPERATOR_VALUES)
"""The operators an edge conditional may use (from openapi.yaml, through the generated enum)."""

ExecutionStatus = Literal["RUNNING", "SUCCESS", "FAILED"]


class NodeOutcome(Protocol):
    """What the rules read of a node: a NodeState, or the sandbox's own node record."""

    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str | None: ...
    @property
    def error_message(self) -> str | None: ...
    @property
    def is_output_node(self) -> bool: ...


N = TypeVar("N", bound=NodeOutcome)


def node_status(status: str | None) -> str | None:
    """A status as the client keeps it: an alias (`FAILURE`) as the documented status it means,
    any other as it came; None when the API gave none."""
    return None if status is None else NODE_STATUS_ALIASES.get(status, status)


def is_final(status: str | None) -> bool:
    """Whether a node in this status will not change any more (False for an unknown status or
    none: the client cannot tell)."""
    return node_status(status) in FINAL_NODE_STATUSES


def is_pending(status: str | None) -> bool:
    """Whether a node in this status is known not to have finished (QUEUED or RUNNING)."""
    return status in PENDING_NODE_STATUSES


def is_known(status: str | None) -> bool:
    """Whether this is a status PromptLayer documents (or an alias of one)."""
    return node_status(status) in KNOWN_NODE_STATUSES


def failed_nodes(nodes: Iterable[N]) -> tuple[N, ...]:
    """The nodes whose status is FAILED (or its alias FAILURE)."""
    return tuple(node for node in nodes if node_status(node.status) == "FAILED")


def unknown_status_nodes(nodes: Iterable[N]) -> tuple[N, ...]:
    """The nodes whose status is missing or not one PromptLayer documents."""
    return tuple(node for node in nodes if not is_known(node.status))


def succeeded_outputs(nodes: Iterable[N]) -> tuple[N, ...]:
    """The output nodes whose status is SUCCESS, in the order given."""
    return tuple(node for node in nodes if node.is_output_node and node.status == "SUCCESS")


def execution_status(done: bool, nodes: Iterable[NodeOutcome]) -> ExecutionStatus:
    """RUNNING until done. Then SUCCESS when an output node succeeded; otherwise FAILED when a
    node failed, or when a node's status is missing or unknown (nothing says the execution
    succeeded, so it is not reported as if it had); else SUCCESS."""
    if not done:
        return "RUNNING"
    listed = list(nodes)
    if succeeded_outputs(listed):
        return "SUCCESS"
    if failed_nodes(listed) or unknown_status_nodes(listed):
        return "FAILED"
    return "SUCCESS"


def failure_summary(nodes: Iterable[NodeOutcome]) -> str:
    """The failed nodes with their error messages, then the nodes whose status is missing or
    unknown, on one line ("" when there are none)."""
    listed = list(nodes)
    failed = [
        f"{node.name}: {node.error_message or 'no error message'}" for node in failed_nodes(listed)
    ]
    unknown = [
        f"{node.name}: "
        + ("no status" if node.status is None else f"unknown status {node.status!r}")
        for node in unknown_status_nodes(listed)
    ]
    return "; ".join(failed + unknown)


def is_http_url(value: object) -> bool:
    """An absolute http(s) URL with a host, and no whitespace or control character anywhere:
    `urlsplit` silently drops tabs and newlines (so `http://a\t@b/` would split as host `b`),
    and an HTTP client refuses to send to such a URL, so it is no URL at all."""
    if not isinstance(value, str):
        return False
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.netloc) and bool(parts.hostname)
    except ValueError:  # "http://[::1": not a URL at all
        return False
