"""The whole message of each input error names the argument and what it got, and the smallest
acceptable values pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import promptlayer_agents as pa

from ..fakes import AGENT, Harness, Make, node, reply, started


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda h: h.get("bot", label=7), "label must be a string, not int"),
        (lambda h: h.get("bot", version="3"), "version must be an int > 0, not str"),
        (lambda h: h.get_results(7.0), "execution_id must be an int > 0, not float"),
        (lambda h: h.run(b"bot"), "agent name must be a string, not bytes"),
        (
            lambda h: h.run("bot", input_variables=["a"]),
            "input_variables must be a mapping, not list",
        ),
        (
            lambda h: h.run("bot", callback_url=""),
            'callback_url: expected text matching ^[Hh][Tt][Tt][Pp][Ss]?://, got ""',
        ),
        (lambda h: h.run("bot", callback_url=8080), "callback_url: expected a string, got 8080"),
        (
            lambda h: h.get_results(787, return_all_outputs="yes"),
            "return_all_outputs must be True or False, not 'yes'",
        ),
        (
            lambda h: h.get("bot", label="prod", version=3),
            "give label or version, not both: they are mutually exclusive",
        ),
        (
            lambda h: h.run("bot", input_variables={"when": {1, 2}}),
            "input_variables['when'] is not JSON-serialisable: a set "
            "(use dicts, lists, strings, numbers, booleans and None)",
        ),
        (lambda h: h.run(2**63), "agent id is too large to be an agent's id"),
        (lambda h: h.wait(787, on_progress=3), "on_progress must be callable, not int"),
    ],
)
def test_the_message_says_which_argument_and_what_it_got(
    harness: Make, call: Callable[[Harness], Any], message: str
) -> None:
    h = harness()

    with pytest.raises(pa.InvalidInputError) as caught:
        call(h)

    assert str(caught.value) == message
    assert h.api.requests == []


def test_one_is_a_valid_id_and_version(harness: Make) -> None:
    h = harness(reply(200, AGENT), reply(200, {"A": node("SUCCESS", 1, output=True)}), started())

    h.get(1, version=1)
    h.get_results(1)
    h.run("bot", version=1)

    assert h.api.paths[:2] == [
        "/workflows/1?version=1",
        "/workflow-version-execution-results?workflow_version_execution_id=1"
        "&return_all_outputs=false",
    ]
    assert h.api.bodies()[2]["workflow_version_number"] == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"node_id": ""}, "node_id must not be empty"),
        ({"node_name": 3}, "node_name must be a string, not int"),
    ],
)
def test_a_bad_node_choice_is_named_in_the_error(
    harness: Make, options: dict[str, Any], message: str
) -> None:
    h = harness()

    with pytest.raises(pa.InvalidInputError) as caught:
        h.get_results(1, **options)

    assert str(caught.value) == message
    assert h.api.requests == []


def test_the_largest_agent_id_is_sent_as_it_is(harness: Make) -> None:
    h = harness(started())

    h.run(2**63 - 1)

    assert h.api.requests[0].url.path == f"/workflows/{2**63 - 1}/run"
