"""Every failure is a typed error carrying what a caller needs to act on it."""

from __future__ import annotations

import httpx
import pytest

import promptlayer_agents as pa

from ..fakes import AGENT, Make, reply, started


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, pa.BadRequestError),
        (401, pa.AuthenticationError),
        (403, pa.PermissionDeniedError),
        (404, pa.NotFoundError),
        (409, pa.ConflictError),
        (422, pa.UnprocessableEntityError),
        (429, pa.RateLimitError),
        (500, pa.InternalServerError),
        (503, pa.InternalServerError),
        (418, pa.APIStatusError),
    ],
)
def test_status_maps_to_its_error(
    harness: Make, status: int, error: type[pa.APIStatusError]
) -> None:
    body = {"success": False, "message": "nope"}
    h = harness(default=reply(status, body, {"x-request-id": "req-1"}), max_retries=0)

    with pytest.raises(error) as caught:
        h.get("bot")

    assert isinstance(caught.value, pa.APIStatusError)
    assert isinstance(caught.value, pa.PromptLayerError)
    assert (caught.value.status_code, caught.value.message) == (status, "nope")
    assert caught.value.body == body
    assert caught.value.request_id == "req-1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"success": False, "message": "Workflow not found"}, "Workflow not found"),
        ({"success": False, "error": "Workflow not found"}, "Workflow not found"),
        ({"detail": "Not authenticated"}, "Not authenticated"),
        (
            {"detail": [{"loc": ["query", "version"], "msg": "must be > 0", "type": "x"}]},
            "query.version: must be > 0",
        ),
        ("a JSON string", "a JSON string"),
    ],
)
def test_server_message_is_read_from_every_error_form(
    harness: Make, body: object, message: str
) -> None:
    h = harness(reply(422, body))

    with pytest.raises(pa.UnprocessableEntityError) as caught:
        h.get("bot")

    assert caught.value.message == message


def test_a_non_json_error_body_gives_an_excerpt(harness: Make) -> None:
    h = harness(httpx.Response(422, text="<html>" + "x" * 1000 + "</html>"))

    with pytest.raises(pa.UnprocessableEntityError) as caught:
        h.get("bot")

    assert caught.value.message == "<html>" + "x" * 194


@pytest.mark.parametrize(
    ("response", "match"),
    [
        (httpx.Response(200, text="<html><body>Bad gateway</body></html>"), "<html>"),
        (httpx.Response(200, text='{"success": true, "workflow_id": 1, "work'), "workflow_id"),
        (
            httpx.Response(200, json={"success": True, "workflow": {"id": 3, "name": "a"}}),
            "only the agent's summary",
        ),
        (httpx.Response(302, headers={"location": "/login"}), "unexpected status"),
    ],
)
def test_unreadable_answers_are_response_validation_errors(
    harness: Make, response: httpx.Response, match: str
) -> None:
    h = harness(response)

    with pytest.raises(pa.ResponseValidationError, match=match) as caught:
        h.get("bot")

    assert caught.value.status_code == response.status_code


def test_missing_required_field_is_a_response_validation_error(harness: Make) -> None:
    h = harness(reply(201, {"success": True, "message": "ok"}))

    with pytest.raises(pa.ResponseValidationError, match="workflow_version_execution_id") as caught:
        h.run("bot")

    assert caught.value.status_code == 201
    assert '"success": true' in caught.value.excerpt


def test_connection_failure(harness: Make) -> None:
    h = harness(default=httpx.ConnectError("Connection refused"), max_retries=0)

    with pytest.raises(pa.APIConnectionError, match="Connection refused"):
        h.get("bot")


def test_timeout(harness: Make) -> None:
    h = harness(default=httpx.ReadTimeout("timed out"), max_retries=0)

    with pytest.raises(pa.APITimeoutError):
        h.get("bot")


def test_every_request_has_a_timeout(harness: Make) -> None:
    h = harness(started(), timeout=12.5)

    h.run("bot")

    timeouts = h.api.requests[0].extensions["timeout"]
    assert set(timeouts.values()) == {12.5}


def test_run_warning_is_returned_and_logged(
    harness: Make, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness(started(warning="Missing input variables: question"))

    with caplog.at_level("WARNING", logger="promptlayer_agents"):
        run = h.run("bot")

    assert run.warning == "Missing input variables: question"
    assert run.execution_id == 787
    assert any("Missing input variables" in r.getMessage() for r in caplog.records)
    assert all(r.name == "promptlayer_agents" for r in caplog.records)


@pytest.mark.parametrize(
    ("detail", "message"),
    [
        (["first problem", "second"], "first problem; second"),
        ([{"loc": "body", "problem": "odd"}], '{"loc":"body","problem":"odd"}'),
        ([{"msg": "no location"}], "no location"),
        ([{"loc": ["body", 0], "msg": "bad", "type": "x"}, 7], "body.0: bad; 7"),
        (42, "42"),
        ({"reason": "nested"}, '{"reason":"nested"}'),
        ([[1, 2]], "[1,2]"),
    ],
)
def test_any_json_detail_gives_the_servers_message(
    harness: Make, detail: object, message: str
) -> None:
    h = harness(reply(422, {"detail": detail}))

    with pytest.raises(pa.UnprocessableEntityError) as caught:
        h.get("bot")

    assert caught.value.message == message
    assert caught.value.body == {"detail": detail}


@pytest.mark.parametrize("execution_id", [0, -3, True, 1.5, "787", None])
def test_a_run_answer_without_a_positive_integer_id_is_refused(
    harness: Make, execution_id: object
) -> None:
    body = {"success": True, "message": "ok", "workflow_version_execution_id": execution_id}
    h = harness(reply(201, body))

    with pytest.raises(pa.ResponseValidationError, match="workflow_version_execution_id"):
        h.run("bot")


def _agent(**changes: object) -> dict[str, object]:
    node = {
        "id": "n1",
        "name": "A",
        "node_type": "VARIABLE",
        "is_output_node": True,
        "configuration": {},
        "dependencies": [],
    }
    edge = {"id": "e1", "source_node_name": "A", "target_node_name": "B", "is_and": True}
    return {**AGENT, "nodes": [node, {**node, "id": "n2", "name": "B"}], "edges": [edge], **changes}


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({k: v for k, v in AGENT.items() if k != "workflow_id"}, "^workflow_id: missing"),
        (_agent(version="3"), '^version: expected an integer, got "3"'),
        (_agent(nodes=[{"name": "A"}]), r"^nodes\[0\]\.id: missing"),
        (_agent(edges=[{"id": "e"}]), r"^edges\[0\]\.source_node_name: missing"),
        (_agent(edges=[{**_agent()["edges"][0], "is_and": "yes"}]), r"edges\[0\].is_and"),  # type: ignore[index]
        (
            _agent(edges=[{**_agent()["edges"][0], "conditionals": [3]}]),  # type: ignore[index]
            r"^edges\[0\]\.conditionals\[0\]: expected an object, got 3",
        ),
        (_agent(release_labels="prod"), '^release_labels: expected a list, got "prod"'),
        (["not", "an", "object"], "^the answer: expected an object, got a list"),
    ],
)
def test_an_unreadable_definition_names_the_field_not_the_fallback(
    harness: Make, body: object, match: str
) -> None:
    h = harness(reply(200, body))

    with pytest.raises(pa.ResponseValidationError, match=match) as caught:
        h.get("bot")

    assert "KeyError" not in str(caught.value)
    assert "'workflow'" not in str(caught.value)


ODD_CONDITIONALS = [
    {},
    {"operator": "="},
    {"position": 1, "operator": "~", "left_config": "x", "right_config": [1, {"a": None}]},
    {"left_config": {"source": {"node": "A"}}, "right_config": 5, "extra": True},
    {"position": "first", "operator": 7},
]


def test_odd_conditionals_never_make_the_definition_unreadable(harness: Make) -> None:
    from promptlayer_agents.definitions import describe

    edge = {**_agent()["edges"][0], "conditionals": ODD_CONDITIONALS}  # type: ignore[index]
    h = harness(reply(200, _agent(edges=[edge])))

    agent = h.get("bot")

    conditionals = agent.edges[0].conditionals
    assert isinstance(conditionals, list) and len(conditionals) == len(ODD_CONDITIONALS)
    assert conditionals[2].right_config == [1, {"a": None}]
    assert (conditionals[4].position, conditionals[4].operator) == (None, None)
    assert agent.to_dict()["edges"][0]["conditionals"] == ODD_CONDITIONALS
    assert describe(agent)[-1].startswith("edge: A -> B when ? ? ? and ? = ? and")


def test_long_messages_are_cut_in_str_and_kept_whole(harness: Make) -> None:
    h = harness(reply(500, {"message": "x" * 100_000}), max_retries=0)

    with pytest.raises(pa.InternalServerError) as caught:
        h.get("bot")

    assert len(str(caught.value)) < 600
    assert str(caught.value).endswith("more characters)")
    assert caught.value.message == "x" * 100_000


@pytest.mark.parametrize(("size", "fits"), [(100, True), (101, False)])
def test_answers_are_limited_to_max_response_bytes(harness: Make, size: int, fits: bool) -> None:
    body = b'{"A": "' + b"x" * (size - 9) + b'"}'
    assert len(body) == size
    answer = httpx.Response(200, headers={"Content-Type": "application/json"}, content=body)
    h = harness(answer, max_response_bytes=100)

    if fits:
        assert h.get_results(1).output == {"A": "x" * (size - 9)}
    else:
        with pytest.raises(pa.ResponseValidationError, match="larger than max_response_bytes"):
            h.get_results(1)
