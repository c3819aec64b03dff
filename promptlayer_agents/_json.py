"""`JSON`: the type of any value a JSON document can hold, for the fields whose shape the API
leaves open (an execution's output, a node's value or configuration, a condition's operands), one
definition, the generated models' own; and `json_text`, how the command line writes such values."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from promptlayer_agents_api.types import JSON as JSON


def __getattr__(name: str) -> Any:
    """`JSON`, loaded from the generated package on first use: the command line writes JSON
    with `json_text` while parsing its arguments, which must not load the generated models."""
    if name != "JSON":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from promptlayer_agents_api.types import JSON

    return JSON


def json_text(value: Any, *, indent: int | None = None) -> str:
    """`value` as valid JSON text, non-ASCII text as it is unless UTF-8 cannot hold it (a lone
    surrogate is escaped). NaN and the infinities, which JSON cannot hold (Python's json would
    write a bare `NaN`), are written as null."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent)
    except ValueError:
        value = _finite(value)
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, allow_nan=False, indent=indent)
    return text


def _finite(value: Any) -> Any:
    """A copy of `value` with every NaN or infinity replaced by None; walked without recursion,
    so no depth exhausts the stack."""
    root = [value]
    pending: list[tuple[Any, Any]] = [(root, 0)]
    while pending:
        container, place = pending.pop()
        item = container[place]
        if isinstance(item, float) and not math.isfinite(item):
            container[place] = None
        elif isinstance(item, dict):
            container[place] = mapping = dict(item)
            pending.extend((mapping, name) for name in mapping)
        elif isinstance(item, list | tuple):
            container[place] = items = list(item)
            pending.extend((items, index) for index in range(len(items)))
    return root[0]
