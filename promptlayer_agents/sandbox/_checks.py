"""Checking requests as the API does: query parameters and the run body."""

from __future__ import annotations

import json
from typing import Any

import attrs

from promptlayer_agents_api.models import RunAgentRequest
from promptlayer_agents_api.types import ModelError

from ._errors import Issue

TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})
ANSWER_NESTING = 8  # levels an answer wraps a stored value in (node map, node, value), and spare
UNSTORABLE = (
    "Value cannot be stored as JSON (NaN or infinity, a lone surrogate, or nested too deeply)"
)
NOT_JSON_CONSTANT = "NaN and Infinity are not JSON"
ISSUE_TYPES = {
    "type": "type_error",
    "required": "missing",
    "minimum": "greater_than_equal",
    "exclusiveMinimum": "greater_than",
    "maximum": "less_than_equal",
    "exclusiveMaximum": "less_than",
    "minLength": "string_too_short",
    "maxLength": "string_too_long",
    "pattern": "string_pattern_mismatch",
    "format": "url_parsing",
}
"""The `type` of a 422 issue, as the API's validator names it, for each spec rule a field broke."""


def storable(value: object) -> bool:
    """Whether the value can be stored and answered as UTF-8 JSON, by the client's rules: no NaN
    or infinity (a number such as 1e999 parses as one), no lone surrogate, no nesting too deep for
    the encoder. Values that are not would make every later answer about the execution fail, so
    runs holding them are refused."""
    wrapped: object = value
    for _ in range(ANSWER_NESTING):
        wrapped = [wrapped]
    try:
        json.dumps(wrapped, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, TypeError, RecursionError, UnicodeEncodeError):
        return False
    return True


def positive_int(text: str | None, loc: list[str | int]) -> tuple[int | None, Issue | None]:
    """A query parameter that must be an integer > 0: (value, None) or (None, the problem)."""
    if text is None:
        return None, None
    try:
        value = int(text)
    except ValueError:
        return None, (loc, "Input should be a valid integer", "int_parsing")
    if value <= 0:
        return None, (loc, "Input should be greater than 0", "greater_than")
    return value, None


def flag(text: str | None, loc: list[str | int]) -> tuple[bool, Issue | None]:
    """A boolean query parameter, false when absent."""
    value = (text or "false").lower()
    if value not in TRUE | FALSE:
        return False, (loc, "Input should be a valid boolean", "bool_parsing")
    return value in TRUE, None


class _NotJSONConstant(Exception):
    """The body holds NaN, Infinity or -Infinity, which Python's parser accepts and JSON has not."""


def _refuse_constant(name: str) -> Any:
    raise _NotJSONConstant(name)


def run_body(raw: bytes) -> tuple[RunAgentRequest | None, list[Issue]]:
    """The run body read with the generated request model, and every problem with it: a field
    that breaks the spec (of the wrong type, or outside a constraint: its JSON path), then values
    that cannot be stored."""
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
        body = RunAgentRequest.from_dict(data)
    except _NotJSONConstant:
        return None, [(["body"], NOT_JSON_CONSTANT, "json_invalid")]
    except ModelError as error:  # a key in the path may hold a lone surrogate: answer it escaped
        path = [_encodable(step) if isinstance(step, str) else step for step in error.path]
        return None, [(["body", *path], error.problem, ISSUE_TYPES.get(error.rule, "value_error"))]
    except RecursionError:
        return None, [(["body"], "JSON nested too deeply", "json_invalid")]
    except ValueError:
        return None, [(["body"], "JSON decode error", "json_invalid")]
    problems: list[Issue] = [
        (["body", key], UNSTORABLE, "value_error")
        for key in _FIELDS
        if key in data and not storable(data[key])
    ]
    return body, problems


_FIELDS = tuple(field.name for field in attrs.fields(RunAgentRequest) if field.init)
"""The run body's fields, from the generated model (whose fields keep their JSON names)."""


def _encodable(text: str) -> str:
    """Text that UTF-8 can encode: a lone surrogate as its escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def input_warning(expected: set[str], given: set[str]) -> str | None:
    """The API's warning about missing or unexpected input variables (the run starts anyway)."""
    notes = []
    if missing := sorted(expected - given):
        notes.append(f"Missing input variables: {', '.join(missing)}")
    if unexpected := sorted(given - expected):
        notes.append(f"Unexpected input variables: {', '.join(unexpected)}")
    return "; ".join(notes) or None
