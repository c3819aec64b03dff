"""What each kind of sandbox node does. Deterministic, no LLM.

- VARIABLE returns `configuration.value` (PromptLayer's `{"type": ..., "value": ...}` form too).
- INPUT_VARIABLE returns the input variable named by `configuration.variable`.
- TEXT_TEMPLATE renders `configuration.template`, replacing `{name}` with the input variable or
  upstream node of that name.

Any node may also set `sandbox_duration` (seconds it takes) and `sandbox_error` (it fails with this
message).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class NodeFailed(Exception):
    """The node failed; the message is its error_message."""


def _variable(config: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    value = config.get("value")
    if isinstance(value, Mapping) and "value" in value:
        return value["value"]
    return value


def _input_variable(config: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    name = config["variable"]
    if name not in values:
        raise NodeFailed(f"Variable '{name}' not found")
    return values[name]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _text_template(config: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise NodeFailed(f"Variable '{name}' not found")
        return _text(values[name])

    return PLACEHOLDER.sub(fill, config["template"])


KINDS: dict[str, tuple[Callable[[Mapping[str, Any], Mapping[str, Any]], Any], str | None]] = {
    "VARIABLE": (_variable, None),
    "INPUT_VARIABLE": (_input_variable, "variable"),
    "TEXT_TEMPLATE": (_text_template, "template"),
}


def check_node(node_type: str, config: Mapping[str, Any]) -> str | None:
    """Why the sandbox cannot run this node, or None."""
    if node_type not in KINDS:
        return f"node_type {node_type!r} is not one the sandbox runs ({', '.join(sorted(KINDS))})"
    required = KINDS[node_type][1]
    if required and not isinstance(config.get(required), str):
        return f"{node_type} needs configuration.{required} (a string)"
    duration = config.get("sandbox_duration", 0)
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration < 0:
        return "configuration.sandbox_duration must be a number of seconds >= 0"
    if not isinstance(config.get("sandbox_error", ""), str):
        return "configuration.sandbox_error must be a string"
    return None


def duration(config: Mapping[str, Any]) -> float:
    """How long the node takes, in seconds."""
    return float(config.get("sandbox_duration", 0))


def evaluate(node_type: str, config: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    """The node's value from the inputs and upstream values; raises NodeFailed."""
    if "sandbox_error" in config:
        raise NodeFailed(config["sandbox_error"])
    return KINDS[node_type][0](config, values)
