"""Checking requests as the API does: query parameters and the run body."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ..rules import is_http_url
from ._errors import Issue

TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})
ANSWER_NESTING = 8  # levels an answer wraps a stored value in (node map, node, value), and spare
UNSTORABLE = (
    "Value cannot be stored as JSON (NaN or infinity, a lone surrogate, or nested too deeply)"
)
NOT_JSON_CONSTANT = "NaN and Infinity are not JSON"


def _is_integral(value: object) -> bool:
    """An integer as JSON Schema counts one: 3 and 3.0 alike, never a boolean."""
    return type(value) is int or (type(value) is float and value.is_integer())


RUN_FIELDS: dict[str, tuple[Callable[[Any], bool], str, str]] = {
    "workflow_label_name": (
        lambda v: v is None or (isinstance(v, str) and v != ""),
        "Input should be a non-empty string",
        "string_type",
    ),
    "workflow_version_number": (
        lambda v: v is None or (_is_integral(v) and v > 0),
        "Input should be an integer greater than 0",
        "int_type",
    ),
    "metadata": (
        lambda v: (
            v is None or (isinstance(v, dict) and all(isinstance(x, str) for x in v.values()))
        ),
        "Input should be an object of strings",
        "dict_type",
    ),
    "input_variables": (lambda v: isinstance(v, dict), "Input should be an object", "dict_type"),
    "return_all_outputs": (lambda v: isinstance(v, bool), "Input should be a boolean", "bool_type"),
    "callback_url": (lambda v: v is None or _is_url(v), "Input should be a URL", "url_type"),
}


def _is_url(value: object) -> bool:
    """An http(s) URL, as `rules.is_http_url` says, that can also be split and has a port in
    range: `http://[::1` and `http://h:99999/` are not."""
    if not isinstance(value, str):
        return False
    try:
        urlsplit(value).port  # noqa: B018 - reading it raises ValueError when out of range
        return is_http_url(value)
    except ValueError:
        return False


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


def run_body(raw: bytes) -> tuple[dict[str, Any], list[Issue]]:
    """The run body as an object, and every problem with it."""
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except _NotJSONConstant:
        return {}, [(["body"], NOT_JSON_CONSTANT, "json_invalid")]
    except ValueError:
        return {}, [(["body"], "JSON decode error", "json_invalid")]
    except RecursionError:
        return {}, [(["body"], "JSON nested too deeply", "json_invalid")]
    if not isinstance(body, dict):
        return {}, [(["body"], "Input should be an object", "dict_type")]
    problems: list[Issue] = [
        (["body", key], msg, kind)
        for key, (ok, msg, kind) in RUN_FIELDS.items()
        if key in body and not ok(body[key])
    ]
    problems += [
        (["body", key], UNSTORABLE, "value_error")
        for key in RUN_FIELDS
        if key in body and not storable(body[key])
    ]
    return body, problems


def input_warning(expected: set[str], given: set[str]) -> str | None:
    """The API's warning about missing or unexpected input variables (the run starts anyway)."""
    notes = []
    if missing := sorted(expected - given):
        notes.append(f"Missing input variables: {', '.join(missing)}")
    if unexpected := sorted(given - expected):
        notes.append(f"Unexpected input variables: {', '.join(unexpected)}")
    return "; ".join(notes) or None
