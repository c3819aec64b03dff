"""Checking requests as the API does: query parameters and the run body."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import attrs

from promptlayer_agents_api.models import RunAgentRequest
from promptlayer_agents_api.types import ModelError

from ..rules import is_http_url
from ._errors import Issue

TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})
ANSWER_NESTING = 8  # levels an answer wraps a stored value in (node map, node, value), and spare
UNSTORABLE = (
    "Value cannot be stored as JSON (NaN or infinity, a lone surrogate, or nested too deeply)"
)
NOT_JSON_CONSTANT = "NaN and Infinity are not JSON"


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


def run_body(raw: bytes) -> tuple[RunAgentRequest | None, list[Issue]]:
    """The run body read with the generated request model, and every problem with it: a field
    of the wrong type (its JSON path), then what the spec asks beyond types (a non-empty label,
    a version above 0, an http(s) URL) and values that cannot be stored."""
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
        body = RunAgentRequest.from_dict(data)
    except _NotJSONConstant:
        return None, [(["body"], NOT_JSON_CONSTANT, "json_invalid")]
    except ModelError as error:  # a key in the path may hold a lone surrogate: answer it escaped
        path = [_encodable(step) if isinstance(step, str) else step for step in error.path]
        return None, [(["body", *path], error.problem, "type_error")]
    except RecursionError:
        return None, [(["body"], "JSON nested too deeply", "json_invalid")]
    except ValueError:
        return None, [(["body"], "JSON decode error", "json_invalid")]
    problems: list[Issue] = []
    if body.workflow_label_name == "":
        problems.append((["body", "workflow_label_name"], "Input should be non-empty", "too_short"))
    if body.workflow_version_number is not None and body.workflow_version_number < 1:
        where: list[str | int] = ["body", "workflow_version_number"]
        problems.append((where, "Input should be greater than 0", "greater_than"))
    if body.callback_url is not None and not _is_url(body.callback_url):
        problems.append((["body", "callback_url"], "Input should be a URL", "url_type"))
    problems += [
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
