"""A ConfigurationError or InvalidInputError says which argument it concerns (`argument`) and what
is wrong without spelling the argument's Python name (`problem`): what lets the command line name
its own flag instead. Checked here on the client, before anything is sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import promptlayer_agents as pa
from promptlayer_agents import _inputs
from promptlayer_agents._config import resolve_settings

SETTINGS: dict[str, Any] = {"api_key": "k", "base_url": None, "timeout": 30.0, "max_retries": 2}


def _settings(**changed: Any) -> Callable[[], object]:
    return lambda: resolve_settings(**{**SETTINGS, **changed}, environ={})


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (_settings(api_key=None), "api_key"),
        (_settings(api_key="a key"), "api_key"),
        (_settings(base_url="ftp://x"), "base_url"),
        (_settings(timeout=0), "timeout"),
        (_settings(timeout=1e12), "timeout"),
        (_settings(max_retries=-1), "max_retries"),
        (_settings(max_response_bytes=0), "max_response_bytes"),
    ],
)
def test_a_configuration_error_names_its_setting(make: Callable[[], object], argument: str) -> None:
    with pytest.raises(pa.ConfigurationError) as raised:
        make()

    assert raised.value.argument == argument
    assert raised.value.problem


def test_the_key_and_url_problems_do_not_spell_the_python_names() -> None:
    for make in (_settings(api_key=None), _settings(api_key=""), _settings(base_url="x")):
        with pytest.raises(pa.ConfigurationError) as raised:
            make()
        assert "api_key" not in raised.value.problem and "base_url" not in raised.value.problem
        assert raised.value.problem != str(raised.value)  # the library's own text says them


@pytest.mark.parametrize(
    ("check", "argument"),
    [
        (lambda: _inputs.agent_ref(""), "agent"),
        (lambda: _inputs.agent_ref(".."), "agent"),
        (lambda: _inputs.agent_ref(0), "agent"),
        (lambda: _inputs.execution_id(0), "execution_id"),
        (lambda: _inputs.version_choice(" ", None), "label"),
        (lambda: _inputs.version_choice(None, 0), "version"),
        (lambda: _inputs.json_inputs({"a": float("nan")}), "input_variables"),
        (lambda: _inputs.json_inputs({"a": "\ud800"}), "input_variables"),
        (lambda: _inputs.json_inputs([1]), "input_variables"),
        (lambda: _inputs.string_metadata({"a": 1}), "metadata"),
        (lambda: _inputs.string_metadata({"\udc80": "x"}), "metadata"),
        (lambda: _inputs.optional_text("", "node_name"), "node_name"),
        (lambda: _inputs.callback("ftp://x"), "callback_url"),
    ],
)
def test_an_input_error_names_its_argument(check: Callable[[], object], argument: str) -> None:
    with pytest.raises(pa.InvalidInputError) as raised:
        check()

    assert raised.value.argument == argument
    assert raised.value.problem == str(raised.value)


def test_an_error_about_no_single_argument_names_none() -> None:
    with pytest.raises(pa.InvalidInputError) as raised:
        _inputs.version_choice("prod", 2)

    assert raised.value.argument is None


def test_the_fields_survive_the_public_constructor() -> None:
    error = pa.InvalidInputError("x must be y", argument="x", problem="must be y")

    assert (str(error), error.argument, error.problem) == ("x must be y", "x", "must be y")
    assert isinstance(error, ValueError)
    assert pa.ConfigurationError("plain").argument is None
