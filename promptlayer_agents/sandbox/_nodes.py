"""What each kind of node does in the sandbox. Deterministic, offline, no model.

PromptLayer's own node types (configuration shapes from its docs, `column-types.mdx`):

- Pure data, run as documented: VARIABLE (`value`, or `{"type": ..., "value": ...}`), COALESCE,
  COMBINE_COLUMNS, ABSOLUTE_NUMERIC_DISTANCE (`sources`), CONTAINS (`source`, `value` or
  `value_source`, case-insensitive), REGEX and REGEX_EXTRACTION (`source`, `regex_pattern`), COMPARE
  (`sources`, `comparison_type`), JSON_PATH (`source`, `json_path`, `return_first_match`; the paths
  `$`, `.key`, `['key']`, `[n]`, `[*]`), XML_PATH (`source`, `xml_path`, `type`, `return_text`),
  PARSE_VALUE and ASSERT_VALID (`source`, `type`), COUNT (`source`, `type`), MATH_OPERATOR
  (`sources`, `operator`, `value`), MIN_MAX (`source`, `type`, `json_path`).
- Every other type (PROMPT_TEMPLATE, ENDPOINT, CODE_EXECUTION, WORKFLOW, MCP, LLM_ASSERTION,
  AI_DATA_EXTRACTION, CODING_AGENT, ...) needs a model or an outside service: it produces its
  scripted value, or unscripted the placeholder `"sandbox placeholder: <TYPE> node <name>"`.

Sandbox-only kinds (PromptLayer has no such node types), kept for the demo agents and agents files:
INPUT_VARIABLE returns the input variable named by `configuration.variable`; TEXT_TEMPLATE renders
`configuration.template`, replacing `{name}` with the input variable or upstream node of that name.

Any node may also set, in its configuration, `sandbox_value` (a canned answer in place of the
model's or service's: a string is rendered like TEXT_TEMPLATE, any other JSON value is returned as
it is), `sandbox_duration` (seconds it takes) and `sandbox_error` (it fails with this message); a
script (`Script`) overrides all three.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
SANDBOX_ONLY = ("INPUT_VARIABLE", "TEXT_TEMPLATE")

Config = Mapping[str, Any]
Values = Mapping[str, Any]


class NodeFailed(Exception):
    """The node failed; the message is its error_message."""


@dataclass(frozen=True)
class Script:
    """What a node produces in later runs: a value (or a callable given the run's values that
    returns one), or a failure with this error message; and how long it takes, in seconds."""

    value: Any = None
    has_value: bool = False
    error: str | None = None
    duration: float | None = None


def placeholder(node_type: str, name: str) -> str:
    """The documented value of an unscripted node that would need a model or a service."""
    return f"sandbox placeholder: {node_type} node {name}"


def _read(values: Values, name: Any) -> Any:
    if not isinstance(name, str) or name not in values:
        raise NodeFailed(f"Variable '{name}' not found")
    return values[name]


def _field(config: Config, key: str, kind: type = str) -> Any:
    """A configuration value that the node cannot do without."""
    value = config.get(key)
    if not isinstance(value, kind):
        raise NodeFailed(f"configuration.{key} is missing or not a {kind.__name__}")
    return value


def _sources(config: Config, values: Values, least: int = 1) -> list[Any]:
    names = _field(config, "sources", list)
    if len(names) < least:
        raise NodeFailed(f"configuration.sources needs at least {least} names")
    return [_read(values, name) for name in names]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise NodeFailed(f"{value!r} is not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise NodeFailed(f"{value!r} is not a number") from None


def _json(value: Any) -> Any:
    """A JSON text parsed; any other value as it is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise NodeFailed(f"not valid JSON: {value[:80]!r}") from None
    return value


JSON_PATH_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\.\*|\[\*\]|\[(-?\d+)\]|\[['\"]([^'\"]*)['\"]\]")


def json_path(data: Any, path: str) -> list[Any]:
    """Every match of a simple JSONPath ($, .key, ['key'], [n], [*], .*) in data."""
    if not path.startswith("$"):
        raise NodeFailed(f"unsupported JSONPath {path!r} (it starts with $)")
    matches, rest = [data], path[1:]
    while rest:
        step = JSON_PATH_STEP.match(rest)
        if step is None:
            raise NodeFailed(f"unsupported JSONPath {path!r} at {rest!r}")
        key, index, quoted = step.groups()
        key = quoted if quoted is not None else key
        found: list[Any] = []
        for item in matches:
            if key is not None:
                if isinstance(item, Mapping) and key in item:
                    found.append(item[key])
            elif index is not None:
                if isinstance(item, list) and -len(item) <= int(index) < len(item):
                    found.append(item[int(index)])
            elif isinstance(item, Mapping):
                found.extend(item.values())
            elif isinstance(item, list):
                found.extend(item)
        matches, rest = found, rest[step.end() :]
    return matches


def _variable(config: Config, values: Values) -> Any:
    value = config.get("value")
    if isinstance(value, Mapping) and "value" in value:
        return value["value"]
    return value


def _coalesce(config: Config, values: Values) -> Any:
    return next((v for v in _sources(config, values) if v is not None), None)


def _combine(config: Config, values: Values) -> Any:
    names = _field(config, "sources", list)
    return {name: _read(values, name) for name in names}


def _distance(config: Config, values: Values) -> Any:
    first, second = _sources(config, values, 2)[:2]
    return abs(_number(first) - _number(second))


def _contains(config: Config, values: Values) -> Any:
    text = _text(_read(values, config.get("source")))
    needle = config.get("value")
    if needle is None:
        needle = _read(values, config.get("value_source"))
    return _text(needle).lower() in text.lower()


def _pattern(config: Config) -> re.Pattern[str]:
    try:
        return re.compile(_field(config, "regex_pattern"))
    except re.error as error:
        raise NodeFailed(f"configuration.regex_pattern: {error}") from None


def _regex(config: Config, values: Values) -> Any:
    return _pattern(config).search(_text(_read(values, config.get("source")))) is not None


def _regex_extraction(config: Config, values: Values) -> Any:
    return _pattern(config).findall(_text(_read(values, config.get("source"))))


def _compare(config: Config, values: Values) -> Any:
    first, second = _sources(config, values, 2)[:2]
    comparison = config.get("comparison_type")
    kind = comparison.get("type", "STRING") if isinstance(comparison, Mapping) else "STRING"
    if kind != "JSON":
        return _text(first) == _text(second)
    first, second = _json(first), _json(second)
    path = comparison.get("json_path") if isinstance(comparison, Mapping) else None
    if isinstance(path, str):
        return json_path(first, path) == json_path(second, path)
    return bool(first == second)


def _json_path(config: Config, values: Values) -> Any:
    matches = json_path(_json(_read(values, config.get("source"))), _field(config, "json_path"))
    if config.get("return_first_match", True):
        return matches[0] if matches else None
    return matches


def _xml_path(config: Config, values: Values) -> Any:
    try:
        root = ElementTree.fromstring(_text(_read(values, config.get("source"))))
        path = _field(config, "xml_path")
        found = root.findall(path) if config.get("type") == "findall" else [root.find(path)]
    except (SyntaxError, TypeError, KeyError) as error:  # not XML, or a path ElementTree cannot
        # read: it raises SyntaxError (ParseError is one) for most, TypeError or KeyError for some
        raise NodeFailed(f"XML_PATH: {type(error).__name__}: {error}") from None
    as_text = config.get("return_text", True)
    shown = [
        None if e is None else e.text if as_text else ElementTree.tostring(e, encoding="unicode")
        for e in found
    ]
    return shown if config.get("type") == "findall" else shown[0]


def _parse_value(config: Config, values: Values) -> Any:
    value, kind = _read(values, config.get("source")), config.get("type")
    if kind == "string":
        return _text(value)
    if kind == "number":
        number = _number(value)
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        return value if isinstance(value, bool) else _text(value).strip().lower() == "true"
    if kind == "object":
        return _json(value)
    raise NodeFailed("configuration.type must be string, number, boolean or object")


def _assert_valid(config: Config, values: Values) -> Any:
    value, kind = _read(values, config.get("source")), config.get("type")
    try:
        if kind == "object":
            return isinstance(_json(value), dict | list)
        if kind == "number":
            _number(value)
            return True
    except NodeFailed:
        return False
    raise NodeFailed(f"ASSERT_VALID type {kind!r} is not one the sandbox checks (object, number)")


def _count(config: Config, values: Values) -> Any:
    text, kind = _text(_read(values, config.get("source"))), config.get("type")
    counts: dict[Any, Callable[[str], int]] = {
        "chars": len,
        "words": lambda t: len(t.split()),
        "sentences": lambda t: len([s for s in re.split(r"[.!?]+", t) if s.strip()]),
        "paragraphs": lambda t: len([p for p in re.split(r"\n\s*\n", t) if p.strip()]),
    }
    if kind not in counts:
        raise NodeFailed("configuration.type must be chars, words, sentences or paragraphs")
    return counts[kind](text)


MATH = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


def _math(config: Config, values: Values) -> Any:
    operands = _sources(config, values)
    first = _number(operands[0])
    second = _number(operands[1] if len(operands) > 1 else config.get("value"))
    operator = config.get("operator")
    if operator not in MATH:
        raise NodeFailed("configuration.operator must be lt, le, gt or ge")
    return MATH[operator](first, second)


def _min_max(config: Config, values: Values) -> Any:
    data = _json(_read(values, config.get("source")))
    path = config.get("json_path")
    items = json_path(data, path) if isinstance(path, str) else data
    if not isinstance(items, list) or not items:
        raise NodeFailed("MIN_MAX needs a non-empty list of numbers")
    numbers = [_number(item) for item in items]
    if config.get("type") not in ("min", "max"):
        raise NodeFailed("configuration.type must be min or max")
    return min(numbers) if config["type"] == "min" else max(numbers)


def _input_variable(config: Config, values: Values) -> Any:
    return _read(values, config["variable"])


def _text_template(config: Config, values: Values) -> Any:
    def fill(match: re.Match[str]) -> str:
        return _text(_read(values, match.group(1)))

    return PLACEHOLDER.sub(fill, config["template"])


Kind = Callable[[Config, Values], Any]

KINDS: dict[str, tuple[Kind, str | None]] = {
    "VARIABLE": (_variable, None),
    "COALESCE": (_coalesce, None),
    "COMBINE_COLUMNS": (_combine, None),
    "ABSOLUTE_NUMERIC_DISTANCE": (_distance, None),
    "CONTAINS": (_contains, None),
    "REGEX": (_regex, None),
    "REGEX_EXTRACTION": (_regex_extraction, None),
    "COMPARE": (_compare, None),
    "JSON_PATH": (_json_path, None),
    "XML_PATH": (_xml_path, None),
    "PARSE_VALUE": (_parse_value, None),
    "ASSERT_VALID": (_assert_valid, None),
    "COUNT": (_count, None),
    "MATH_OPERATOR": (_math, None),
    "MIN_MAX": (_min_max, None),
    "INPUT_VARIABLE": (_input_variable, "variable"),
    "TEXT_TEMPLATE": (_text_template, "template"),
}
"""The kinds the sandbox runs as documented, and the configuration key (a string) each requires
before an agent is accepted (only the sandbox-only kinds: an official node's configuration is
checked when it runs, so a definition read from PromptLayer always loads)."""


def check_node(node_type: str, config: Config) -> str | None:
    """Why the sandbox cannot accept this node, or None."""
    required = KINDS[node_type][1] if node_type in KINDS else None
    if required and not isinstance(config.get(required), str):
        return f"{node_type} needs configuration.{required} (a string)"
    duration = config.get("sandbox_duration", 0)
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration < 0:
        return "configuration.sandbox_duration must be a number of seconds >= 0"
    if not isinstance(config.get("sandbox_error", ""), str):
        return "configuration.sandbox_error must be a string"
    return None


def duration(config: Config, script: Script | None = None) -> float:
    """How long the node takes, in seconds: the script's duration, else sandbox_duration."""
    if script is not None and script.duration is not None:
        return script.duration
    return float(config.get("sandbox_duration", 0))


def evaluate(
    node_type: str, name: str, config: Config, values: Values, script: Script | None = None
) -> Any:
    """The node's value from the run's values (input variables and finished nodes, by name).

    A script decides first (its error, then its value); then `sandbox_error`, `sandbox_value`;
    then the kind, or the placeholder for a kind that needs a model or a service. Raises
    NodeFailed."""
    if script is not None and script.error is not None:
        raise NodeFailed(script.error)
    if script is not None and script.has_value:
        return _scripted(script.value, values)
    if "sandbox_error" in config:
        raise NodeFailed(config["sandbox_error"])
    if "sandbox_value" in config:
        canned = config["sandbox_value"]
        return _text_template({"template": canned}, values) if isinstance(canned, str) else canned
    if node_type in KINDS:
        return KINDS[node_type][0](config, values)
    return placeholder(node_type, name)


def calls_back(script: Script | None) -> bool:
    """Whether the node's value comes from calling the script's callable (the engine calls it,
    isolated, in `_callables`), rather than from `evaluate`."""
    if script is None or script.error is not None:
        return False
    return script.has_value and callable(script.value)


def _scripted(value: Any, values: Values) -> Any:
    """A scripted value (a callable one is the engine's to call: `calls_back`)."""
    if callable(value):
        raise NodeFailed("a script callable is called by the engine, isolated, not here")
    return value
