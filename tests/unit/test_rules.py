"""The public rules module: final statuses, when an execution failed, the failure summary, and
what counts as an http(s) URL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promptlayer_agents import rules


@dataclass(frozen=True)
class Node:
    name: str
    status: str
    error_message: str | None = None
    is_output_node: bool = False


def by_name(nodes: Iterable[Node]) -> dict[str, Node]:
    """Nodes as the rules take them: by name, in order."""
    return {node.name: node for node in nodes}


@pytest.mark.parametrize(
    ("status", "final"),
    [
        ("SUCCESS", True),
        ("FAILED", True),
        ("SKIPPED", True),
        ("QUEUED", False),
        ("RUNNING", False),
        ("PAUSED", False),  # a status the API may add later is not final
    ],
)
def test_which_statuses_are_final(status: str, final: bool) -> None:
    assert rules.is_final(status) is final


def test_an_execution_is_running_until_done() -> None:
    assert rules.execution_status(False, by_name([Node("A", "FAILED")])) == "RUNNING"
    assert rules.execution_status(False, {}) == "RUNNING"


def test_a_done_execution_failed_only_when_a_node_failed_and_no_output_succeeded() -> None:
    failed = Node("A", "FAILED", "boom")
    good_output = Node("Out", "SUCCESS", is_output_node=True)
    plain_success = Node("Step", "SUCCESS")

    assert rules.execution_status(
        True, by_name([failed, Node("Out", "SKIPPED", is_output_node=True)])
    ) == ("FAILED")
    assert rules.execution_status(True, by_name([failed, plain_success])) == "FAILED"
    assert rules.execution_status(True, by_name([failed, good_output])) == "SUCCESS"
    assert rules.execution_status(True, by_name([plain_success])) == "SUCCESS"
    assert rules.execution_status(True, {}) == "SUCCESS"


def test_failed_and_succeeded_nodes_keep_their_order() -> None:
    nodes = by_name(
        [
            Node("B", "SUCCESS", is_output_node=True),
            Node("A", "FAILED"),
            Node("C", "SUCCESS"),
            Node("D", "SUCCESS", is_output_node=True),
            Node("E", "FAILED", is_output_node=True),
        ]
    )
    assert list(rules.failed_nodes(nodes)) == ["A", "E"]
    assert list(rules.succeeded_outputs(nodes)) == ["B", "D"]


def test_the_failure_summary_names_each_failed_node_on_one_line() -> None:
    nodes = by_name(
        [
            Node("Lookup", "FAILED", "Variable 'q' not found"),
            Node("Answer", "SKIPPED", is_output_node=True),
            Node("Check", "FAILED", None),
            Node("Notify", "FAILED", ""),
        ]
    )
    assert rules.failure_summary(nodes) == (
        "Lookup: Variable 'q' not found; Check: no error message; Notify: no error message"
    )
    assert rules.failure_summary(by_name([Node("A", "SUCCESS")])) == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/cb",
        "https://example.com",
        "https://example.com/a?b=c",
        "HTTPS://X.IO",
    ],
)
def test_http_urls(url: str) -> None:
    assert rules.is_http_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/cb",
        "example.com/cb",
        "/cb",
        "http://",
        "https://:8080/cb",  # a port but no host
        "",
        None,
        42,
        b"https://example.com",
    ],
)
def test_not_http_urls(url: object) -> None:
    assert not rules.is_http_url(url)


@pytest.mark.parametrize(
    ("statuses", "done"),
    [
        ([], True),
        (["SUCCESS", "FAILED", "SKIPPED"], True),
        (["SUCCESS", "PAUSED"], True),  # an unknown status does not hold an execution back
        (["SUCCESS", None], True),
        (["SUCCESS", "QUEUED"], False),
        (["RUNNING", "PAUSED"], False),
    ],
)
def test_an_execution_is_done_when_no_node_is_queued_or_running(
    statuses: list[str | None], done: bool
) -> None:
    assert rules.is_done(statuses) is done


def test_which_results_answers_are_final() -> None:
    running = by_name([Node("A", "RUNNING")])
    finished = by_name([Node("A", "SUCCESS"), Node("B", "PAUSED")])

    assert rules.results_answer_done(200, None) and rules.results_answer_done(200, running)
    assert not rules.results_answer_done(202, None) and not rules.results_answer_done(202, finished)
    assert rules.results_answer_done(400, finished) and not rules.results_answer_done(400, running)


@dataclass(frozen=True)
class Condition:
    """An edge's comparison as the rules read it (the generated `EdgeConditional`)."""

    left_config: object
    operator: str | None
    right_config: object = None


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        (Condition({"source": "tier"}, "=", {"static_value": "Zoë"}), 'tier = "Zoë"'),
        (Condition({"source": "tier"}, "=", {"static_value": None}), "tier = null"),
        (Condition({"source": "tier"}, "in", ["ä", 1]), 'tier in ["ä", 1]'),
        (Condition({"source": "tier"}, "=", None), "tier = ?"),
        (Condition(None, None, None), "? ? ?"),
        (Condition({"source": "tier"}, "is_null"), "tier is null"),
        (Condition({"source": "tier"}, "is_not_null"), "tier is not null"),
        (Condition({"source": "tier"}, "not_in", "x"), 'tier not_in "x"'),
    ],
)
def test_a_condition_reads_as_its_comparison(condition: Condition, text: str) -> None:
    assert rules.condition_text(condition) == text  # type: ignore[arg-type]


def test_the_failure_summary_says_which_status_each_unclear_node_has() -> None:
    nodes = {"a": Node("a", None), "b": Node("b", "PAUSED")}  # type: ignore[arg-type]

    assert rules.failure_summary(nodes) == "a: no status; b: unknown status 'PAUSED'"


@pytest.mark.parametrize("char", ["\x7f", "\x00", "\x1b", "\x85", "\u2028", " "])
def test_a_url_with_a_control_or_space_character_is_no_url(char: str) -> None:
    assert not rules.is_http_url(f"https://h.example/a{char}b")


def test_a_url_that_does_not_split_is_no_url() -> None:
    assert not rules.is_http_url("https://[::1")


@given(st.integers(min_value=-(10**6), max_value=10**6), st.sampled_from(["http", "https"]))
def test_a_url_names_a_port_a_server_can_listen_on_or_none(port: int, scheme: str) -> None:
    assert rules.is_http_url(f"{scheme}://h.example:{port}/cb") is (1 <= port <= 65535)


@pytest.mark.parametrize("port", ["", "080", "65535"])
def test_an_empty_or_zero_led_port_in_range_is_a_port(port: str) -> None:
    assert rules.is_http_url(f"http://h.example:{port}/")


@pytest.mark.parametrize("port", ["+80", "٣", "8o", "0x50", "00"])
def test_a_port_that_is_not_ascii_digits_in_range_is_no_url(port: str) -> None:
    assert not rules.is_http_url(f"http://h.example:{port}/")
