"""`JSON`: the type of any value a JSON document can hold, for the fields whose shape the API
leaves open (an execution's output, a node's value or configuration, a condition's operands)."""

from __future__ import annotations

from typing import TypeAlias

JSON: TypeAlias = "dict[str, JSON] | list[JSON] | str | int | float | bool | None"
