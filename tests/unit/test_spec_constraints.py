"""Every constraint openapi.yaml puts on a field is checked by the generated models, and by nothing
hand-written: the cases are read from the spec itself, so a constraint added to it is tested, and
enforced, by `make generate` alone.

For each property of each schema with a constraint (minimum, exclusiveMinimum, maximum,
exclusiveMaximum, minLength, maxLength, pattern, format uri): values that break only that
constraint are refused with a `ModelError` naming the field and the keyword; values that keep
every constraint are read as they came.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import promptlayer_agents_api.models as models
from promptlayer_agents_api.types import ModelError

from ..helpers import load_spec, resolve

SPEC = load_spec()
NUMERIC = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
TEXT = ("minLength", "maxLength", "pattern")
URIS = ["https://example.com/cb", "http://127.0.0.1:8080/hook?x=1", "HTTPS://h.example/"]
NOT_URIS = ["http://[::1", "http://h:99999/", "http://a\tb/", "https://", "http://a b/", "http://"]


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _minimal(schema: dict[str, Any]) -> Any:
    """A small value that keeps every constraint of the schema (required fields only)."""
    schema = resolve(SPEC, schema)
    kinds = _types(schema)
    if "integer" in kinds or "number" in kinds:
        return max(schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
    if "string" in kinds:
        return URIS[0] if schema.get("format") == "uri" else "x" * schema.get("minLength", 1)
    if "boolean" in kinds:
        return True
    if "array" in kinds:
        return []
    return {name: _minimal(schema["properties"][name]) for name in schema.get("required", [])}


def _constrained() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(schema name, property name, property schema) for each constrained property."""
    for name, schema in SPEC["components"]["schemas"].items():
        for prop, raw in schema.get("properties", {}).items():
            if any(key in raw for key in (*NUMERIC, *TEXT)) or raw.get("format") == "uri":
                yield name, prop, raw


CASES = [pytest.param(name, prop, raw, id=f"{name}.{prop}") for name, prop, raw in _constrained()]


def _breaks(raw: dict[str, Any], value: Any) -> set[str]:
    """The numeric and text keywords of `raw` that `value` breaks, by JSON Schema's meaning."""
    tests: dict[str, Callable[[Any], bool]] = {
        "minimum": lambda n: value < n,
        "exclusiveMinimum": lambda n: value <= n,
        "maximum": lambda n: value > n,
        "exclusiveMaximum": lambda n: value >= n,
        "minLength": lambda n: len(value) < n,
        "maxLength": lambda n: len(value) > n,
        "pattern": lambda p: re.search(p, value) is None,
    }
    return {key for key, broken in tests.items() if key in raw and broken(raw[key])}


def _read(name: str, prop: str, value: Any) -> Any:
    schema = SPEC["components"]["schemas"][name]
    body = {**_minimal(schema), prop: value}
    return getattr(models, name).from_dict(body)


def test_the_spec_has_constraints_to_check() -> None:
    """The cases below come from the spec: this pins that they are not an empty list."""
    assert {case.id for case in CASES} >= {
        "RunAgentRequest.workflow_label_name",
        "RunAgentRequest.workflow_version_number",
        "RunAgentRequest.callback_url",
        "RunAgentResponse.workflow_version_execution_id",
    }


@pytest.mark.parametrize(("name", "prop", "raw"), CASES)
@given(data=st.data())
def test_a_value_that_breaks_one_constraint_is_refused_naming_it(
    name: str, prop: str, raw: dict[str, Any], data: st.DataObject
) -> None:
    value: Any
    if _types(raw) & {"integer", "number"}:
        value = data.draw(st.integers(min_value=-(2**64), max_value=2**64))
    elif "pattern" in raw:
        value = data.draw(st.text() | st.from_regex(raw["pattern"]) | st.sampled_from(NOT_URIS))
    else:
        value = data.draw(st.text(max_size=8))
    broken = _breaks(raw, value)
    if raw.get("format") == "uri" and not broken:
        value = data.draw(st.sampled_from(NOT_URIS))
        broken = _breaks(raw, value) or {"format"}
    if not broken:
        assert getattr(_read(name, prop, value), prop) == value
        return

    with pytest.raises(ModelError) as raised:
        _read(name, prop, value)

    assert raised.value.path == [prop]
    assert raised.value.rule in broken
    assert str(raised.value).startswith(f"{prop}: expected ")


URI_CASES = [
    pytest.param(name, prop, raw, id=f"{name}.{prop}")
    for name, prop, raw in _constrained()
    if raw.get("format") == "uri"
]


@pytest.mark.parametrize(("name", "prop", "raw"), URI_CASES)
@pytest.mark.parametrize("uri", URIS)
def test_a_uri_that_keeps_every_constraint_is_read_as_it_came(
    name: str, prop: str, raw: dict[str, Any], uri: str
) -> None:
    read = _read(name, prop, uri)

    assert getattr(read, prop) == uri
    assert read.to_dict()[prop] == uri
