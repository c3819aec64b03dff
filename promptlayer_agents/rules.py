"""The Agents API's rules, each stated once, for the client, its command line and the sandbox.

Which node statuses are final (and which are unknown), when an execution is done and which
results answers are final, when an execution counts as failed, how failed nodes are summed up in
one line, which condition operators an edge may use and how a condition reads as text, and what a
usable http(s) URL is.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final, Literal, Protocol, TypeVar
from urllib.parse import urlsplit

from promptlayer_agents_api.models.condition_operator import CONDITION_OPERATOR_VALUES

if TYPE_CHECKING:
    from promptlayer_agents_api.models import EdgeConditional

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

UNARY_OPERATORS: Final = frozenset({"is_null", "is_not_null"})
"""The operators that read only the left side of a condition."""

ExecutionStatus = Literal["RUNNING", "SUCCESS", "FAILED"]


class NodeOutcome(Protocol):
    """What the rules read of a node: the generated `NodeResult` (`NodeState`), or the sandbox's
    own node record. Nodes are passed as a mapping from node name to node."""

    @property
    def status(self) -> str | None: ...
    @property
    def error_message(self) -> str | None: ...
    @property
    def is_output_node(self) -> bool | None: ...


N = TypeVar("N", bound=NodeOutcome)


def node_status(status: str | None) -> str | None:
    """A status as the rules read it: an alias (`FAILURE`) as the documented status it means,
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


def is_done(statuses: Iterable[str | None]) -> bool:
    """Whether an execution whose nodes are in these statuses is done: no node is QUEUED or
    RUNNING. A node whose status is missing or unknown does not hold it back (nothing says it
    will change; `execution_status` does not count it as a success either). The one rule for
    the client, the command line and the sandbox."""
    return not any(is_pending(status) for status in statuses)


FINAL_RESULTS_STATUS: Final = 200
"""A results answer with this status is final: the API's word that every node is final. A 202
answer is not; the 400 of an agent without an output node is final when `is_done` says so."""


def results_answer_done(status_code: int, nodes: Mapping[str, NodeOutcome] | None) -> bool:
    """Whether a results answer is final: 200 is; a 400 carrying the node map is final when the
    nodes are done (`is_done`); anything else (202) is not."""
    if status_code == FINAL_RESULTS_STATUS:
        return True
    return nodes is not None and status_code == 400 and is_done(n.status for n in nodes.values())


def failed_nodes(nodes: Mapping[str, N]) -> dict[str, N]:
    """The nodes whose status is FAILED (or its alias FAILURE), by name."""
    return {name: node for name, node in nodes.items() if node_status(node.status) == "FAILED"}


def unknown_status_nodes(nodes: Mapping[str, N]) -> dict[str, N]:
    """The nodes whose status is missing or not one PromptLayer documents, by name."""
    return {name: node for name, node in nodes.items() if not is_known(node.status)}


def succeeded_outputs(nodes: Mapping[str, N]) -> dict[str, N]:
    """The output nodes whose status is SUCCESS, by name, in the order given."""
    return {
        name: node
        for name, node in nodes.items()
        if node.is_output_node is True and node.status == "SUCCESS"
    }


def execution_status(done: bool, nodes: Mapping[str, NodeOutcome]) -> ExecutionStatus:
    """RUNNING until done. Then SUCCESS when an output node succeeded; otherwise FAILED when a
    node failed, or when a node's status is missing or unknown (nothing says the execution
    succeeded, so it is not reported as if it had); else SUCCESS."""
    if not done:
        return "RUNNING"
    if succeeded_outputs(nodes):
        return "SUCCESS"
    if failed_nodes(nodes) or unknown_status_nodes(nodes):
        return "FAILED"
    return "SUCCESS"


def failure_summary(nodes: Mapping[str, NodeOutcome]) -> str:
    """The failed nodes with their error messages, then the nodes whose status is missing or
    unknown, on one line ("" when there are none)."""
    failed = [
        f"{name}: {node.error_message or 'no error message'}"
        for name, node in failed_nodes(nodes).items()
    ]
    unknown = [
        f"{name}: " + ("no status" if node.status is None else f"unknown status {node.status!r}")
        for name, node in unknown_status_nodes(nodes).items()
    ]
    return "; ".join(failed + unknown)


def condition_text(condition: EdgeConditional) -> str:
    """An edge's comparison as text, e.g. `tier = "premium"`; `?` for what the API left out."""
    left, operator = _operand(condition.left_config), condition.operator or "?"
    if operator in UNARY_OPERATORS:
        return f"{left} {operator.replace('_', ' ')}"
    return f"{left} {operator} {_operand(condition.right_config)}"


def _operand(operand: object) -> str:
    """One side of a comparison: a constant as JSON, a source by its name."""
    if isinstance(operand, dict) and "static_value" in operand:
        return json.dumps(operand["static_value"], ensure_ascii=False)
    if isinstance(operand, dict) and operand.get("source") is not None:
        return str(operand["source"])
    return "?" if operand is None else json.dumps(operand, ensure_ascii=False)


def is_http_url(value: object) -> bool:
    """An absolute http(s) URL with a host, a port from 1 to 65535 if it names one, and no
    whitespace or control character anywhere: `urlsplit` silently drops tabs and newlines (so
    `http://a\t@b/` would split as host `b`), and an HTTP client refuses to send to such a URL, so
    it is no URL at all."""
    if not isinstance(value, str):
        return False
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in value):
        return False
    try:
        parts = urlsplit(value)
        port = parts.port  # ValueError unless ASCII digits up to 65535
    except ValueError:  # "http://[::1", "http://h:99999": not a URL at all
        return False
    named = parts.scheme in ("http", "https") and bool(parts.netloc) and bool(parts.hostname)
    return named and port != 0
