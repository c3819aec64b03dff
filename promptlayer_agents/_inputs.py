"""Checks on what a caller passes, made before anything is sent, each naming what is wrong."""

from __future__ import annotations

import functools
import inspect
import json
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from promptlayer_agents_api.models import InputVariables, RunAgentRequest, RunMetadata
from promptlayer_agents_api.types import ModelError

from ._config import MAX_INPUT_DEPTH
from ._errors import InvalidInputError

# Names that URL normalisation would remove from the path, so they could reach another endpoint.
DOT_SEGMENTS = frozenset({".", ".."})

_Check = TypeVar("_Check", bound=Callable[..., Any])


def _concerning(argument: str) -> Callable[[_Check], _Check]:
    """Marks the InvalidInputError a check raises with the argument it concerns (its
    `argument`), so that the command line can name its own flag for it."""

    def decorate(check: _Check) -> _Check:
        @functools.wraps(check)
        def checked(*args: Any, **kwargs: Any) -> Any:
            try:
                return check(*args, **kwargs)
            except InvalidInputError as error:
                error.argument = error.argument or argument
                raise

        return checked  # type: ignore[return-value]

    return decorate


def _positive_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{what} must be an int > 0, not {type(value).__name__}")
    if value <= 0:
        raise InvalidInputError(f"{what} must be > 0, not {value}")
    return value


def seconds(value: object, what: str) -> float:
    """A duration in seconds, > 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"{what} must be a number of seconds, not {value!r}")
    if not 0 < value < math.inf:
        raise InvalidInputError(f"{what} must be a finite number of seconds > 0, not {value}")
    try:
        return float(value)
    except OverflowError:  # an int too large for a float: no deadline that far is meant
        raise InvalidInputError(f"{what} is too large to be a number of seconds") from None


def _non_empty_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise InvalidInputError(f"{what} must not be empty")
    return _utf8(value, what)


def _utf8(text: str, what: str) -> str:
    """`text`, if it can be sent as UTF-8: a lone surrogate (say from a badly decoded file)
    cannot."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidInputError(
            f"{what} has a lone surrogate {text[error.start]!r} at index {error.start}: it "
            f"cannot be sent as UTF-8"
        ) from None
    return text


@_concerning("agent")
def agent_ref(agent: object) -> str:
    """An agent name, or its numeric id, as the path segment to send (percent-encoded later)."""
    if isinstance(agent, int) and not isinstance(agent, bool):
        number = _positive_int(agent, "agent id")
        if number.bit_length() > 63:  # no agent has such an id, and str() of a huge int fails
            raise InvalidInputError("agent id is too large to be an agent's id")
        return str(number)
    name = _non_empty_str(agent, "agent name")
    if name in DOT_SEGMENTS:
        raise InvalidInputError(f"agent name {name!r} is not allowed: it is a URL dot-segment")
    return name


@_concerning("execution_id")
def execution_id(value: object) -> int:
    """An execution id as the API answered it."""
    return _positive_int(value, "execution_id")


def optional_text(value: object, what: str) -> str | None:
    """An optional non-empty string argument (None when not given)."""
    return None if value is None else _concerning(what)(_non_empty_str)(value, what)


def version_choice(label: object, version: object) -> tuple[str | None, int | None]:
    """The label or version to use; at most one may be given."""
    if label is not None and version is not None:
        raise InvalidInputError("give label or version, not both: they are mutually exclusive")
    return (
        None if label is None else _concerning("label")(_non_empty_str)(label, "label"),
        None if version is None else _concerning("version")(_positive_int)(version, "version"),
    )


@_concerning("input_variables")
def json_inputs(input_variables: object) -> dict[str, Any]:
    """Input variables: a mapping of string keys to JSON values (dicts with string keys, lists,
    strings, finite numbers, booleans, None), nested at most MAX_INPUT_DEPTH levels, every string
    sendable as UTF-8. The error names the place of the first value that is not."""
    if input_variables is None:
        return {}
    if not isinstance(input_variables, Mapping):
        raise InvalidInputError(
            f"input_variables must be a mapping, not {type(input_variables).__name__}"
        )
    inputs = dict(input_variables)
    _check_json(inputs)
    try:
        json.dumps(inputs, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        raise InvalidInputError(f"input_variables is not JSON-serialisable: {error}") from None
    return inputs


def _check_json(inputs: dict[Any, Any]) -> None:
    """Walks the values without recursion, so no depth can exhaust the stack."""
    pending: list[tuple[object, str, int]] = [(inputs, "input_variables", 1)]
    while pending:
        value, where, depth = pending.pop()
        if isinstance(value, str):
            _utf8(value, where)
        elif isinstance(value, float) and not math.isfinite(value):
            raise InvalidInputError(f"{where} is {value}: NaN and infinity are not JSON")
        elif value is None or isinstance(value, bool | int | float):
            continue
        elif depth > MAX_INPUT_DEPTH:
            raise InvalidInputError(
                f"input_variables nests more than {MAX_INPUT_DEPTH} levels deep "
                f"(at {where[:200]}...)"
            )
        elif isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise InvalidInputError(f"{where} keys must be strings, not {key!r}")
                _utf8(key, f"a key of {where}")
                pending.append((item, f"{where}[{key!r}]", depth + 1))
        elif isinstance(value, list | tuple):
            pending.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))
        else:
            raise InvalidInputError(
                f"{where} is not JSON-serialisable: a {type(value).__name__} "
                f"(use dicts, lists, strings, numbers, booleans and None)"
            )


@_concerning("metadata")
def string_metadata(metadata: object) -> dict[str, str] | None:
    """Metadata: string keys and string values (the API stores strings only)."""
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise InvalidInputError(f"metadata must be a mapping, not {type(metadata).__name__}")
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise InvalidInputError(f"metadata keys must be strings, not {key!r}")
        if not isinstance(value, str):
            raise InvalidInputError(
                f"metadata[{key!r}] must be a string, not {type(value).__name__}; "
                f"convert it first, e.g. str(value)"
            )
        _utf8(key, "a metadata key")
        _utf8(value, f"metadata[{key[:40]!r}]")
    return dict(metadata)


@_concerning("callback_url")
def callback(url: object) -> str | None:
    """A callback URL, checked as the spec's run body checks it (an http(s) URI): by the
    generated model, so the rule is written once, in openapi.yaml."""
    if url is None:
        return None
    try:
        return RunAgentRequest.from_dict({"callback_url": url}).callback_url
    except ModelError as error:
        raise InvalidInputError(f"callback_url: {error.problem}") from None


def flag(value: object, what: str) -> bool:
    """A boolean argument."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what} must be True or False, not {value!r}")
    return value


def run_request(
    *,
    input_variables: object,
    metadata: object,
    label: object,
    version: object,
    return_all_outputs: object,
    callback_url: object,
) -> RunAgentRequest:
    """The generated run body, after every check has passed."""
    label_name, version_number = version_choice(label, version)
    meta = string_metadata(metadata)
    url = callback(callback_url)
    return RunAgentRequest(
        workflow_label_name=label_name,
        workflow_version_number=version_number,
        metadata=None if meta is None else RunMetadata(meta),
        input_variables=InputVariables(json_inputs(input_variables)),
        return_all_outputs=flag(return_all_outputs, "return_all_outputs"),
        callback_url=url,
    )


def progress_callback(value: object, *, awaited: bool) -> Callable[..., object] | None:
    """`on_progress`: None or something to call with each intermediate result. An `async def`
    is accepted only where it will be awaited (`awaited`: the async client): the blocking client
    could only create its coroutine and drop it."""
    if value is not None and not callable(value):
        raise InvalidInputError(f"on_progress must be callable, not {type(value).__name__}")
    if not awaited and _is_async_function(value):
        raise InvalidInputError(
            "on_progress is an async function, which Agents cannot await: pass a plain "
            "function, or use AsyncAgents"
        )
    return value


def _is_async_function(value: object) -> bool:
    """An `async def` function, or an object whose `__call__` is one."""
    return inspect.iscoroutinefunction(value) or inspect.iscoroutinefunction(
        getattr(value, "__call__", None)  # noqa: B004 - the method itself, not callable()
    )
