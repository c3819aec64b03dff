"""What executions may hold: the sandbox's memory bound, and the size of its answers.

Two bounds, both counted in bytes of JSON as the sandbox answers it:

- Every results answer fits the client's default `max_response_bytes` (10 MiB): a node whose value
  would make the node map larger than `MAX_NODE_MAP_BYTES` fails instead, with `TOO_LARGE` as its
  error. Room is kept for that failure of every node not final yet, so the map can never outgrow
  the bound, whichever node finishes last. (The main output, the 400 without an output node and
  the callback wrap the map, or a part of it, in less than `ANSWER_MARGIN` bytes.)
- All executions together hold at most `max_stored_bytes` of input variables, metadata and node
  values (128 MiB by default): past it, the oldest finished executions are forgotten first, then
  the oldest running ones (stopped), never the one just started or growing. A forgotten
  execution answers 404 with a message that says so (`gone`). Python's objects take more memory
  than their JSON (several times more for many small values), so the process's memory is a small
  multiple of the bound, not the bound itself.
"""

from __future__ import annotations

import json
from typing import Any

CLIENT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
"""The client's default `max_response_bytes` (pinned equal by a test)."""
ANSWER_MARGIN = 4096
"""Bytes an answer may add around the node map (the 400's message, the callback's id)."""
MAX_NODE_MAP_BYTES = CLIENT_MAX_RESPONSE_BYTES - ANSWER_MARGIN
DEFAULT_MAX_STORED_BYTES = 128 * 1024 * 1024

TOO_LARGE = (
    f"the node's value is too large: the sandbox keeps every results answer within "
    f"{MAX_NODE_MAP_BYTES} bytes, so that the client (max_response_bytes, 10 MiB by default) "
    "can read it"
)


def json_size(value: Any) -> int:
    """Bytes of `value` as the sandbox answers it (compact UTF-8 JSON)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return len(text.encode("utf-8"))


def node_map_size(entries: dict[str, int]) -> int:
    """Bytes of a node map `{name: entry}`, given each entry's size by name."""
    members = sum(json_size(name) + 1 + size for name, size in entries.items())
    return 2 + members + max(0, len(entries) - 1)  # braces, colons and commas


def gone(execution_id: int, max_executions: int, max_stored_bytes: int) -> str:
    """The 404's message for an execution the sandbox no longer keeps."""
    return (
        f"Workflow version execution {execution_id} is no longer kept: the sandbox keeps the "
        f"last {max_executions} executions, and at most {max_stored_bytes} bytes of their "
        "inputs, metadata and node values (--max-executions, --max-stored-bytes)"
    )
