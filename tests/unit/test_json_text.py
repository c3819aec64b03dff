"""`json_text`, how the command line writes JSON values: exactly the text `json.dumps` writes,
non-ASCII kept as it is, NaN and the infinities as null, a lone surrogate escaped, indented when
asked, and the value given never changed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from promptlayer_agents._json import _finite, json_text

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize(
    ("value", "same_as"),
    [
        ({"q": "Zoë", "n": [1, 2.5]}, {"q": "Zoë", "n": [1, 2.5]}),
        ({"q": "Zoë", "n": [NAN, 2.5, -INF]}, {"q": "Zoë", "n": [None, 2.5, None]}),
        ((1.5, [INF], {"k": (NAN,)}), [1.5, [None], {"k": [None]}]),
    ],
)
def test_the_text_is_json_dumps_of_the_finite_value_keeping_non_ascii(
    value: Any, same_as: Any, indent: int | None
) -> None:
    assert json_text(value, indent=indent) == json.dumps(same_as, ensure_ascii=False, indent=indent)


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("value", [{"q": "\ud800é"}, {"q": "\ud800é", "n": NAN}])
def test_a_lone_surrogate_is_escaped_with_the_rest(value: Any, indent: int | None) -> None:
    text = json_text(value, indent=indent)

    assert text == json.dumps({"q": "\ud800é", "n": None} if "n" in value else value, indent=indent)
    text.encode("utf-8")  # writable as UTF-8


def test_the_value_given_is_not_changed() -> None:
    value = {"a": [NAN, {"b": INF}], "c": (1, NAN)}

    copy = _finite(value)

    assert copy == {"a": [None, {"b": None}], "c": [1, None]}
    assert value["a"][1] == {"b": INF} and value["c"][0] == 1
    assert json.dumps(value) == '{"a": [NaN, {"b": Infinity}], "c": [1, NaN]}'


def test_any_depth_is_walked_without_recursion() -> None:
    deep: Any = NAN
    for _ in range(50_000):
        deep = [deep]

    found = _finite(deep)
    for _ in range(50_000):
        found = found[0]
    assert found is None


def test_json_is_the_generated_type_and_nothing_else_is_there() -> None:
    from promptlayer_agents import _json
    from promptlayer_agents_api.types import JSON

    assert _json.JSON is JSON
    with pytest.raises(AttributeError) as raised:
        _json.nope  # noqa: B018
    assert str(raised.value) == "module 'promptlayer_agents._json' has no attribute 'nope'"
