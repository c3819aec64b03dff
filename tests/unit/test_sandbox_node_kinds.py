"""Each node kind's value, or its failure and the message the results answer shows, for the
configurations PromptLayer documents and the ones it would refuse; and what decides first."""

from __future__ import annotations

from typing import Any

import pytest

from promptlayer_agents.sandbox._nodes import (
    NodeFailed,
    Script,
    calls_back,
    check_node,
    duration,
    evaluate,
    json_path,
)

VALUES: dict[str, Any] = {
    "s": "Hello. World! Again?\n\n  \nNext paragraph",
    "n": "2.5",
    "i": 3,
    "t": True,
    "j": '{"a": [1, 5, 3], "b": {"c": "x"}}',
    "k": '{"a": [1, 5, 3], "b": {"c": "y"}}',
    "yes": " TRUE ",
    "l": [4, 2],
    "x": "<r><i k='1'>A</i><i>B</i></r>",
    "none": None,
    "empty": "",
}


def value(node_type: str, **config: Any) -> Any:
    return evaluate(node_type, "N", config, VALUES)


def failure(node_type: str, **config: Any) -> str:
    with pytest.raises(NodeFailed) as failed:
        value(node_type, **config)
    return str(failed.value)


@pytest.mark.parametrize(
    ("node_type", "config", "expected"),
    [
        ("VARIABLE", {"value": {"type": "string", "value": "v"}}, "v"),
        ("VARIABLE", {"value": {"type": "string"}}, {"type": "string"}),
        ("VARIABLE", {}, None),
        ("COALESCE", {"sources": ["none", "none"]}, None),
        ("COALESCE", {"sources": ["none", "empty", "i"]}, ""),
        ("COMBINE_COLUMNS", {"sources": []}, {}),
        ("ABSOLUTE_NUMERIC_DISTANCE", {"sources": ["i", "n", "l"]}, 0.5),
        ("CONTAINS", {"source": "s", "value": "world"}, True),
        ("CONTAINS", {"source": "l", "value": "4, 2"}, True),
        ("CONTAINS", {"source": "s", "value": 5}, False),
        ("CONTAINS", {"source": "j", "value_source": "n"}, False),
        ("CONTAINS", {"source": "s", "value": "", "value_source": "ghost"}, True),
        ("REGEX", {"source": "s", "regex_pattern": "^World"}, False),
        ("REGEX", {"source": "i", "regex_pattern": "^3$"}, True),
        ("REGEX_EXTRACTION", {"source": "s", "regex_pattern": r"(\w)o"}, ["l", "W"]),
        ("COMPARE", {"sources": ["i", "i"]}, True),
        ("COMPARE", {"sources": ["i", "i", "n"]}, True),
        ("COMPARE", {"sources": ["j", "k"], "comparison_type": {"type": "JSON"}}, False),
        (
            "COMPARE",
            {"sources": ["j", "k"], "comparison_type": {"type": "JSON", "json_path": "$.a"}},
            True,
        ),
        (
            "COMPARE",
            {"sources": ["j", "k"], "comparison_type": {"type": "JSON", "json_path": "$.b.c"}},
            False,
        ),
        ("COMPARE", {"sources": ["i", "n"], "comparison_type": "JSON"}, False),
        ("COMPARE", {"sources": ["n", "n"], "comparison_type": {}}, True),
        ("COMPARE", {"sources": ["j", "j"], "comparison_type": {"type": "JSON"}}, True),
        ("COMPARE", {"sources": ["j", "l"], "comparison_type": {"type": "JSON"}}, False),
        (
            "COMPARE",
            {"sources": ["j", "l"], "comparison_type": {"type": "JSON", "json_path": "$[0]"}},
            False,
        ),
        (
            "COMPARE",
            {"sources": ["j", "j"], "comparison_type": {"type": "JSON", "json_path": 5}},
            True,
        ),
        ("JSON_PATH", {"source": "j", "json_path": "$.a[*]"}, 1),
        ("JSON_PATH", {"source": "j", "json_path": "$.zz"}, None),
        ("JSON_PATH", {"source": "j", "json_path": "$.zz", "return_first_match": False}, []),
        ("JSON_PATH", {"source": "l", "json_path": "$[-2]"}, 4),
        ("XML_PATH", {"source": "x", "xml_path": "i"}, "A"),
        ("XML_PATH", {"source": "x", "xml_path": "z"}, None),
        ("XML_PATH", {"source": "x", "xml_path": "z", "type": "findall"}, []),
        (
            "XML_PATH",
            {"source": "x", "xml_path": "i", "return_text": False},
            '<i k="1">A</i>',
        ),
        (
            "XML_PATH",
            {"source": "x", "xml_path": "i", "type": "findall", "return_text": False},
            ['<i k="1">A</i>', "<i>B</i>"],
        ),
        ("PARSE_VALUE", {"source": "l", "type": "string"}, "[4, 2]"),
        ("PARSE_VALUE", {"source": "s", "type": "string"}, VALUES["s"]),
        ("PARSE_VALUE", {"source": "n", "type": "number"}, 2.5),
        ("PARSE_VALUE", {"source": "i", "type": "number"}, 3),
        ("PARSE_VALUE", {"source": "t", "type": "boolean"}, True),
        ("PARSE_VALUE", {"source": "empty", "type": "boolean"}, False),
        ("PARSE_VALUE", {"source": "yes", "type": "boolean"}, True),
        ("PARSE_VALUE", {"source": "s", "type": "boolean"}, False),
        ("PARSE_VALUE", {"source": "j", "type": "object"}, {"a": [1, 5, 3], "b": {"c": "x"}}),
        ("PARSE_VALUE", {"source": "l", "type": "object"}, [4, 2]),
        ("ASSERT_VALID", {"source": "l", "type": "object"}, True),
        ("ASSERT_VALID", {"source": "n", "type": "object"}, False),
        ("ASSERT_VALID", {"source": "s", "type": "object"}, False),
        ("ASSERT_VALID", {"source": "n", "type": "number"}, True),
        ("ASSERT_VALID", {"source": "t", "type": "number"}, False),
        ("COUNT", {"source": "s", "type": "chars"}, len(VALUES["s"])),
        ("COUNT", {"source": "s", "type": "sentences"}, 4),
        ("COUNT", {"source": "s", "type": "paragraphs"}, 2),
        ("COUNT", {"source": "s", "type": "words"}, 5),
        ("COUNT", {"source": "empty", "type": "sentences"}, 0),
        ("MATH_OPERATOR", {"sources": ["i"], "operator": "lt", "value": 3}, False),
        ("MATH_OPERATOR", {"sources": ["i"], "operator": "le", "value": 3}, True),
        ("MATH_OPERATOR", {"sources": ["i"], "operator": "gt", "value": 3}, False),
        ("MATH_OPERATOR", {"sources": ["i"], "operator": "ge", "value": "3"}, True),
        ("MATH_OPERATOR", {"sources": ["n", "i"], "operator": "lt", "value": 0}, True),
        ("MIN_MAX", {"source": "j", "type": "min", "json_path": "$.a[*]"}, 1.0),
        ("MIN_MAX", {"source": "l", "type": "max"}, 4.0),
        ("MIN_MAX", {"source": "l", "type": "min", "json_path": 7}, 2.0),
        ("INPUT_VARIABLE", {"variable": "i"}, 3),
        ("TEXT_TEMPLATE", {"template": "{i}/{l}/{s}{"}, "3/[4, 2]/" + VALUES["s"] + "{"),
    ],
)
def test_each_kind_gives_its_documented_value(
    node_type: str, config: dict[str, Any], expected: Any
) -> None:
    found = value(node_type, **config)

    assert found == expected
    assert type(found) is type(expected)  # 3, not 3.0; True, not 1


@pytest.mark.parametrize(
    ("node_type", "config", "message"),
    [
        ("COALESCE", {}, "configuration.sources is missing or not a list"),
        ("COALESCE", {"sources": "i"}, "configuration.sources is missing or not a list"),
        ("COALESCE", {"sources": []}, "configuration.sources needs at least 1 names"),
        (
            "ABSOLUTE_NUMERIC_DISTANCE",
            {"sources": ["i"]},
            "configuration.sources needs at least 2 names",
        ),
        ("ABSOLUTE_NUMERIC_DISTANCE", {"sources": ["i", "t"]}, "True is not a number"),
        ("ABSOLUTE_NUMERIC_DISTANCE", {"sources": ["i", "none"]}, "None is not a number"),
        ("ABSOLUTE_NUMERIC_DISTANCE", {"sources": ["i", "s"]}, f"{VALUES['s']!r} is not a number"),
        ("COMBINE_COLUMNS", {"sources": ["i", "ghost"]}, "Variable 'ghost' not found"),
        ("CONTAINS", {"value": "a"}, "Variable 'None' not found"),
        ("CONTAINS", {"source": ["i"], "value": "a"}, "Variable '['i']' not found"),
        ("CONTAINS", {"source": "s"}, "Variable 'None' not found"),
        ("REGEX", {"source": "s"}, "configuration.regex_pattern is missing or not a str"),
        (
            "REGEX_EXTRACTION",
            {"source": "s", "regex_pattern": "[a"},
            "configuration.regex_pattern: unterminated character set at position 0",
        ),
        ("COMPARE", {"sources": ["i"]}, "configuration.sources needs at least 2 names"),
        (
            "COMPARE",
            {"sources": ["s", "i"], "comparison_type": {"type": "JSON"}},
            f"not valid JSON: {VALUES['s'][:80]!r}",
        ),
        (
            "JSON_PATH",
            {"source": "j", "json_path": "a.b"},
            "unsupported JSONPath 'a.b' (it starts with $)",
        ),
        (
            "JSON_PATH",
            {"source": "j", "json_path": "$.a..b"},
            "unsupported JSONPath '$.a..b' at '..b'",
        ),
        (
            "JSON_PATH",
            {"source": "j", "json_path": 5},
            "configuration.json_path is missing or not a str",
        ),
        (
            "XML_PATH",
            {"source": "s", "xml_path": "i"},
            "XML_PATH: ParseError: syntax error: line 1, column 0",
        ),
        ("XML_PATH", {"source": "x", "xml_path": "["}, "XML_PATH: TypeError: "),
        ("XML_PATH", {"source": "x", "xml_path": "@"}, "XML_PATH: KeyError: '@'"),
        (
            "XML_PATH",
            {"source": "x", "xml_path": "/i", "type": "findall"},
            "XML_PATH: SyntaxError: cannot use absolute path on element",
        ),
        ("XML_PATH", {"source": "x"}, "configuration.xml_path is missing or not a str"),
        (
            "PARSE_VALUE",
            {"source": "i", "type": "date"},
            "configuration.type must be string, number, boolean or object",
        ),
        ("PARSE_VALUE", {"source": "s", "type": "number"}, f"{VALUES['s']!r} is not a number"),
        (
            "ASSERT_VALID",
            {"source": "i", "type": "date"},
            "ASSERT_VALID type 'date' is not one the sandbox checks (object, number)",
        ),
        (
            "COUNT",
            {"source": "s", "type": "lines"},
            "configuration.type must be chars, words, sentences or paragraphs",
        ),
        (
            "MATH_OPERATOR",
            {"sources": ["i"], "operator": "eq", "value": 1},
            "configuration.operator must be lt, le, gt or ge",
        ),
        ("MATH_OPERATOR", {"sources": ["i"], "operator": "lt"}, "None is not a number"),
        ("MIN_MAX", {"source": "i", "type": "min"}, "MIN_MAX needs a non-empty list of numbers"),
        (
            "MIN_MAX",
            {"source": "j", "type": "min", "json_path": "$.zz[*]"},
            "MIN_MAX needs a non-empty list of numbers",
        ),
        ("MIN_MAX", {"source": "l", "type": "avg"}, "configuration.type must be min or max"),
        ("MIN_MAX", {"source": "l"}, "configuration.type must be min or max"),
        ("INPUT_VARIABLE", {"variable": "ghost"}, "Variable 'ghost' not found"),
        ("TEXT_TEMPLATE", {"template": "{i} {ghost}"}, "Variable 'ghost' not found"),
    ],
)
def test_each_kind_fails_with_the_reason(
    node_type: str, config: dict[str, Any], message: str
) -> None:
    assert failure(node_type, **config).startswith(message)


def test_a_long_text_that_is_not_json_is_cut_in_the_message() -> None:
    text = "x" * 200
    with pytest.raises(NodeFailed) as failed:
        evaluate("PARSE_VALUE", "N", {"source": "t", "type": "object"}, {"t": text})

    assert str(failed.value) == f"not valid JSON: {'x' * 80!r}"


def test_json_path_steps() -> None:
    data = {"k-1": {"_x": [10, 20, 30]}, "q": {"r": 1, "s": 2}}

    assert json_path(data, "$") == [data]
    assert json_path(data, "$.k-1._x[2]") == [30]
    assert json_path(data, '$["k-1"]._x[-3]') == [10]
    assert json_path(data, "$['k-1']._x[3]") == []
    assert json_path(data, "$['k-1']._x[-4]") == []
    assert json_path(data, "$.q.*") == [1, 2]
    assert json_path(data, "$.q[*]") == [1, 2]
    assert json_path(data, "$.k-1._x.*") == [10, 20, 30]
    assert json_path(data, "$.q[0]") == []
    assert json_path([{"r": 1}, {"r": 2}, 5], "$[*].r") == [1, 2]
    assert json_path("text", "$.*") == []


@pytest.mark.parametrize(
    ("node_type", "config", "problem"),
    [
        ("INPUT_VARIABLE", {}, "INPUT_VARIABLE needs configuration.variable (a string)"),
        ("TEXT_TEMPLATE", {"template": 5}, "TEXT_TEMPLATE needs configuration.template (a string)"),
        (
            "VARIABLE",
            {"sandbox_duration": -0.1},
            "configuration.sandbox_duration must be a number of seconds >= 0",
        ),
        (
            "VARIABLE",
            {"sandbox_duration": True},
            "configuration.sandbox_duration must be a number of seconds >= 0",
        ),
        (
            "VARIABLE",
            {"sandbox_duration": "1"},
            "configuration.sandbox_duration must be a number of seconds >= 0",
        ),
        ("PROMPT_TEMPLATE", {"sandbox_error": 5}, "configuration.sandbox_error must be a string"),
        ("VARIABLE", {}, None),
        ("TEXT_TEMPLATE", {"template": "", "sandbox_duration": 0, "sandbox_error": ""}, None),
        ("NEW_KIND", {"sandbox_duration": 1.5}, None),
    ],
)
def test_check_node_says_why_a_node_cannot_be_served(
    node_type: str, config: dict[str, Any], problem: str | None
) -> None:
    assert check_node(node_type, config) == problem


def test_duration_is_the_scripts_then_the_configured_one_then_zero() -> None:
    assert duration({}) == 0.0
    assert duration({"sandbox_duration": 2}) == 2.0
    assert duration({"sandbox_duration": 2}, Script(value=1, has_value=True)) == 2.0
    assert duration({"sandbox_duration": 2}, Script(duration=0.0)) == 0.0


def test_what_decides_a_value_first() -> None:
    config = {"value": "kind", "sandbox_value": "canned {i}", "sandbox_error": "configured"}
    no_error = {key: config[key] for key in ("value", "sandbox_value")}

    def run(node_config: dict[str, Any], script: Script | None = None) -> Any:
        try:
            return evaluate("VARIABLE", "N", node_config, VALUES, script)
        except NodeFailed as failed:
            return f"failed: {failed}"

    assert run(config, Script(value="v", has_value=True, error="scripted")) == "failed: scripted"
    assert run(config, Script(value="v", has_value=True)) == "v"
    assert run(config, Script(value=None, has_value=True)) is None
    assert run(config, Script(duration=1)) == "failed: configured"
    assert run(no_error) == "canned 3"
    assert run({**no_error, "sandbox_value": {"k": "{i}"}}) == {"k": "{i}"}
    assert run({"value": "kind"}) == "kind"
    assert (
        evaluate("PROMPT_TEMPLATE", "Reply", {}, {})
        == "sandbox placeholder: PROMPT_TEMPLATE node Reply"
    )


def test_a_callable_value_is_called_by_the_engine_only() -> None:
    def called(values: dict[str, Any]) -> Any:
        return 1

    assert calls_back(Script(value=called, has_value=True))
    assert not calls_back(None)
    assert not calls_back(Script(value=called, has_value=True, error="no"))
    assert not calls_back(Script(value=called))
    assert not calls_back(Script(value="text", has_value=True))
    with pytest.raises(NodeFailed) as failed:
        evaluate("VARIABLE", "N", {}, {}, Script(value=called, has_value=True))
    assert str(failed.value) == "a script callable is called by the engine, isolated, not here"
