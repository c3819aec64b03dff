"""`JSON`: the type of any value a JSON document can hold, for the fields whose shape the API
leaves open (an execution's output, a node's value or configuration, a condition's operands).
One definition, the generated models' own."""

from __future__ import annotations

from promptlayer_agents_api.types import JSON as JSON
