"""The sandbox's HTTP API, served in-process (no socket): status codes, bodies and headers of
every answer a client can get, good and bad requests alike."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import Message

from promptlayer_agents.sandbox import DEFAULT_API_KEY, Faults, create_app
from promptlayer_agents.sandbox._app import SandboxState
from promptlayer_agents.sandbox._callbacks import REMOTE_CALLBACK_WARNING
from promptlayer_agents.sandbox._memory import gone
from promptlayer_agents.sandbox._nodes import Script

T = TypeVar("T")
RESULTS = "/workflow-version-execution-results"
KEY = {"X-API-KEY": DEFAULT_API_KEY}

AGENTS: dict[str, Any] = {
    "agents": [
        {
            "workflow_name": "pair",
            "versions": [
                {
                    "release_labels": ["beta"],
                    "nodes": [
                        {
                            "name": "Two",
                            "node_type": "VARIABLE",
                            "configuration": {"value": "first"},
                            "is_output_node": True,
                        }
                    ],
                },
                {
                    "release_labels": ["prod"],
                    "required_input_variables": {"x": "string"},
                    "nodes": [
                        {
                            "name": "Echo",
                            "node_type": "TEXT_TEMPLATE",
                            "configuration": {"template": "<{x}>"},
                            "dependencies": ["x"],
                            "is_output_node": True,
                        },
                        {"name": "Side", "node_type": "VARIABLE", "configuration": {"value": 7}},
                    ],
                },
            ],
        },
        {
            "workflow_name": "silent",
            "versions": [
                {"nodes": [{"name": "A", "node_type": "VARIABLE", "configuration": {"value": 1}}]}
            ],
        },
        {
            "workflow_name": "slow",
            "versions": [
                {
                    "nodes": [
                        {
                            "name": "Wait",
                            "node_type": "VARIABLE",
                            "configuration": {"value": 1, "sandbox_duration": 600},
                            "is_output_node": True,
                        }
                    ]
                }
            ],
        },
        {
            "workflow_name": "broken",
            "versions": [
                {
                    "nodes": [
                        {
                            "name": "Fail",
                            "node_type": "PROMPT_TEMPLATE",
                            "configuration": {"sandbox_error": "boom"},
                            "is_output_node": True,
                        },
                        {"name": "Fine", "node_type": "VARIABLE", "configuration": {"value": 2}},
                    ]
                }
            ],
        },
    ]
}


def serve(
    app: Starlette,
    talk: Callable[[httpx.AsyncClient], Awaitable[T]],
    *,
    raise_app_exceptions: bool = True,
) -> T:
    """Run `talk` against the app, in-process, on one event loop; stop every execution after."""

    async def main() -> T:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://sandbox", headers=KEY
        ) as client:
            try:
                return await talk(client)
            finally:
                await state_of(app).executions.stop()

    return asyncio.run(asyncio.wait_for(main(), timeout=20))


def state_of(app: Starlette) -> SandboxState:
    state: SandboxState = app.state.sandbox
    return state


def one(app: Starlette, method: str, url: str, **options: Any) -> httpx.Response:
    """One request's answer."""

    async def talk(client: httpx.AsyncClient) -> httpx.Response:
        return await client.request(method, url, **options)

    return serve(app, talk)


def run_then_results(
    app: Starlette, body: dict[str, Any], agent: str = "pair", **params: Any
) -> tuple[httpx.Response, httpx.Response]:
    """Start a run, then ask for its results once."""

    async def talk(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        started = await client.post(f"/workflows/{agent}/run", json=body)
        execution_id = started.json()["workflow_version_execution_id"]
        query = {"workflow_version_execution_id": execution_id, **params}
        return started, await client.get(RESULTS, params=query)

    return serve(app, talk)


def test_a_run_answers_201_and_its_results_the_main_output() -> None:
    app = create_app(AGENTS)

    started, results = run_then_results(app, {"input_variables": {"x": "hi"}})

    assert started.status_code == 201
    assert started.json() == {
        "success": True,
        "message": "Workflow execution created successfully",
        "warning": None,
        "workflow_version_execution_id": 1,
    }
    assert (results.status_code, results.json()) == (200, "<hi>")
    assert state_of(app).requests == {"POST run": 1, "GET results": 1}
    assert state_of(app).executions.get(1).metadata == {}  # type: ignore[union-attr]


def test_all_outputs_answer_every_node_and_can_be_narrowed() -> None:
    app = create_app(AGENTS)

    _, everything = run_then_results(
        app, {"input_variables": {"x": "a"}}, return_all_outputs="true"
    )
    _, by_name = run_then_results(
        app, {"input_variables": {"x": "a"}}, return_all_outputs="yes", workflow_node_name="Side"
    )
    version = state_of(app).catalog.find("pair").versions[1]  # type: ignore[union-attr]
    side_id = next(node.id for node in version.nodes if node.name == "Side")
    _, by_id = run_then_results(
        app, {"input_variables": {"x": "a"}}, return_all_outputs="1", workflow_node_id=side_id
    )
    _, neither = run_then_results(
        app,
        {"input_variables": {"x": "a"}},
        return_all_outputs="on",
        workflow_node_id=side_id,
        workflow_node_name="Echo",
    )

    echo = {
        "status": "SUCCESS",
        "value": "<a>",
        "error_message": None,
        "raw_error_message": None,
        "is_output_node": True,
    }
    side = {**echo, "value": 7, "is_output_node": False}
    assert everything.json() == {"Echo": echo, "Side": side}
    assert by_name.json() == by_id.json() == {"Side": side}
    assert neither.json() == {}


@pytest.mark.parametrize("value", ["false", "0", "no", "off", "FALSE"])
def test_a_false_flag_answers_the_main_output(value: str) -> None:
    _, results = run_then_results(
        create_app(AGENTS), {"input_variables": {"x": "a"}}, return_all_outputs=value
    )

    assert results.json() == "<a>"


def test_a_failed_run_answers_every_node_whatever_the_flag() -> None:
    _, results = run_then_results(create_app(AGENTS), {}, agent="broken")

    assert results.status_code == 200
    assert results.json()["Fail"]["error_message"] == "boom"
    assert results.json()["Fine"]["value"] == 2


def test_a_run_without_an_output_node_answers_400_with_its_nodes() -> None:
    _, results = run_then_results(create_app(AGENTS), {}, agent="silent")

    assert results.status_code == 400
    assert results.json()["success"] is False
    assert results.json()["message"] == "No output node found for this workflow version execution"
    assert results.json()["output"]["A"]["value"] == 1


def test_in_poll_mode_results_answer_202_until_done() -> None:
    app = create_app(AGENTS)
    state_of(app).executions.polls_per_node = 1

    async def talk(client: httpx.AsyncClient) -> list[tuple[int, Any]]:
        await client.post("/workflows/pair/run", json={"input_variables": {"x": "p"}})
        seen = []
        for _ in range(3):
            answer = await client.get(RESULTS, params={"workflow_version_execution_id": 1})
            seen.append((answer.status_code, answer.json()))
        return seen

    assert serve(app, talk) == [(200, "<p>"), (200, "<p>"), (200, "<p>")]


def test_a_running_execution_answers_202() -> None:
    app = create_app(AGENTS)
    state_of(app).executions.polls_per_node = 3

    async def talk(client: httpx.AsyncClient) -> list[int]:
        await client.post("/workflows/pair/run", json={"input_variables": {"x": "p"}})
        params = {"workflow_version_execution_id": 1}
        return [(await client.get(RESULTS, params=params)).status_code for _ in range(4)]

    assert serve(app, talk) == [202, 202, 200, 200]


def test_warnings_name_missing_and_unexpected_inputs_and_a_remote_callback() -> None:
    app = create_app(AGENTS)
    body = {"input_variables": {"y": 1}, "callback_url": "https://example.com/hook"}

    answer = one(app, "POST", "/workflows/pair/run", json=body)

    assert answer.status_code == 202  # a callback URL: accepted, the result comes later
    assert answer.json()["warning"] == (
        f"Missing input variables: x; Unexpected input variables: y; {REMOTE_CALLBACK_WARNING}"
    )
    assert state_of(app).executions.get(1).callback_url is None  # type: ignore[union-attr]


def test_a_loopback_callback_is_kept_and_remote_ones_when_allowed() -> None:
    local, remote = create_app(AGENTS), create_app(AGENTS, allow_remote_callbacks=True)
    body: dict[str, Any] = {"input_variables": {"x": "a"}, "metadata": {"k": "v"}}

    for app, url in ((local, "http://127.0.0.1:9/hook"), (remote, "https://example.com/h")):
        answer = one(app, "POST", "/workflows/pair/run", json={**body, "callback_url": url})
        execution = state_of(app).executions.get(1)
        assert answer.status_code == 202 and answer.json()["warning"] is None
        assert execution is not None and execution.callback_url == url
        assert execution.metadata == {"k": "v"}


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ({"workflow_version_number": 1}, "first"),
        ({"workflow_label_name": "beta"}, "first"),
        ({"workflow_label_name": "prod"}, "<>"),
        ({}, "<>"),
    ],
)
def test_a_run_takes_the_version_by_number_or_label_else_the_latest(
    body: dict[str, Any], answer: str
) -> None:
    _, results = run_then_results(create_app(AGENTS), {"input_variables": {"x": ""}, **body})

    assert results.json() == answer


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"workflow_label_name": "prod", "workflow_version_number": 1},
            422,
            "workflow_label_name and workflow_version_number are mutually exclusive",
        ),
        ({"workflow_version_number": 9}, 404, "Workflow version not found"),
        ({"workflow_label_name": "gone"}, 404, "Workflow version not found"),
    ],
)
def test_a_run_of_a_version_that_cannot_be_chosen_is_refused(
    body: dict[str, Any], status: int, message: str
) -> None:
    app = create_app(AGENTS)

    answer = one(app, "POST", "/workflows/pair/run", json=body)

    assert (answer.status_code, answer.json()) == (status, {"success": False, "message": message})
    assert len(state_of(app).executions) == 0


def test_a_run_of_an_unknown_agent_is_404() -> None:
    answer = one(create_app(AGENTS), "POST", "/workflows/ghost/run", json={})

    assert (answer.status_code, answer.json()["message"]) == (404, "Workflow not found")


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"{", {"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}),
        (
            b'{"input_variables": NaN}',
            {"loc": ["body"], "msg": "NaN and Infinity are not JSON", "type": "json_invalid"},
        ),
        (
            b'{"workflow_version_number": "one"}',
            {"loc": ["body", "workflow_version_number"], "type": "type_error"},
        ),
        (
            b'{"input_variables": {"x": 1e999}}',
            {"loc": ["body", "input_variables"], "type": "value_error"},
        ),
    ],
)
def test_a_bad_run_body_is_422_naming_the_field(content: bytes, detail: dict[str, Any]) -> None:
    app = create_app(AGENTS)

    answer = one(app, "POST", "/workflows/pair/run", content=content)

    assert answer.status_code == 422
    [issue] = answer.json()["detail"]
    assert {key: issue[key] for key in detail} == detail
    assert len(state_of(app).executions) == 0


def test_get_agent_answers_the_version_asked_for() -> None:
    app = create_app(AGENTS)
    versions = state_of(app).catalog.find("pair").versions  # type: ignore[union-attr]

    latest = one(app, "GET", "/workflows/pair")
    first = one(app, "GET", "/workflows/pair", params={"version": "1"})
    labelled = one(app, "GET", "/workflows/pair", params={"label": "beta"})
    by_id = one(app, "GET", f"/workflows/{versions[0].workflow_id}")

    assert latest.status_code == 200 and latest.json() == by_id.json() == versions[1].to_dict()
    assert first.json() == labelled.json() == versions[0].to_dict()
    assert state_of(app).requests["GET agent"] == 4


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        (
            {"version": "x"},
            422,
            {
                "detail": [
                    {
                        "loc": ["query", "version"],
                        "msg": "Input should be a valid integer",
                        "type": "int_parsing",
                    }
                ]
            },
        ),
        (
            {"version": "0"},
            422,
            {
                "detail": [
                    {
                        "loc": ["query", "version"],
                        "msg": "Input should be greater than 0",
                        "type": "greater_than",
                    }
                ]
            },
        ),
        (
            {"version": "1", "label": "prod"},
            422,
            {"success": False, "message": "version and label are mutually exclusive"},
        ),
        ({"version": "5"}, 404, {"success": False, "message": "Workflow version not found"}),
        ({"label": "none"}, 404, {"success": False, "message": "Workflow version not found"}),
    ],
)
def test_get_agent_refuses_what_it_cannot_answer(
    params: dict[str, str], status: int, body: dict[str, Any]
) -> None:
    answer = one(create_app(AGENTS), "GET", "/workflows/pair", params=params)

    assert (answer.status_code, answer.json()) == (status, body)


def test_get_agent_of_an_unknown_agent_is_404() -> None:
    answer = one(create_app(AGENTS), "GET", "/workflows/ghost")

    assert (answer.status_code, answer.json()["message"]) == (404, "Workflow not found")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/workflows/pair/run", "POST"),
        ("PUT", "/workflows/pair/run", "POST"),
        ("POST", "/workflows/pair", "GET, HEAD"),
        ("DELETE", "/workflows/pair", "GET, HEAD"),
    ],
)
def test_a_wrong_method_is_405_naming_the_allowed_ones(method: str, path: str, allow: str) -> None:
    app = create_app(AGENTS)

    answer = one(app, method, path)

    assert answer.status_code == 405
    assert answer.headers["allow"] == allow
    assert answer.json() == {"success": False, "message": "Method not allowed"}
    assert not state_of(app).requests  # refused before it is served


@pytest.mark.parametrize("path", ["/workflows/pair/other", "/workflows/", "/workflows/a/b/run"])
def test_an_unknown_path_under_workflows_is_a_json_404(path: str) -> None:
    answer = one(create_app(AGENTS), "GET", path)

    assert (answer.status_code, answer.json()) == (404, {"success": False, "message": "Not found"})


def test_a_path_outside_the_api_is_a_json_404_and_a_wrong_method_a_json_405() -> None:
    app = create_app(AGENTS)

    missing = one(app, "GET", "/elsewhere")
    posted = one(app, "POST", RESULTS)

    assert missing.status_code == 404
    assert missing.json() == {"success": False, "message": "Not Found"}
    assert posted.status_code == 405 and posted.json()["message"] == "Method Not Allowed"
    assert sorted(posted.headers["allow"].split(", ")) == ["GET", "HEAD"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        (
            {},
            {
                "loc": ["query", "workflow_version_execution_id"],
                "msg": "Field required",
                "type": "missing",
            },
        ),
        (
            {"workflow_version_execution_id": "x"},
            {
                "loc": ["query", "workflow_version_execution_id"],
                "msg": "Input should be a valid integer",
                "type": "int_parsing",
            },
        ),
        (
            {"workflow_version_execution_id": "-1"},
            {
                "loc": ["query", "workflow_version_execution_id"],
                "msg": "Input should be greater than 0",
                "type": "greater_than",
            },
        ),
        (
            {"workflow_version_execution_id": "1", "return_all_outputs": "maybe"},
            {
                "loc": ["query", "return_all_outputs"],
                "msg": "Input should be a valid boolean",
                "type": "bool_parsing",
            },
        ),
    ],
)
def test_a_bad_results_query_is_422_naming_the_parameter(
    params: dict[str, str], detail: dict[str, Any]
) -> None:
    answer = one(create_app(AGENTS), "GET", RESULTS, params=params)

    assert (answer.status_code, answer.json()) == (422, {"detail": [detail]})


def test_results_of_an_execution_never_started_or_forgotten_are_404() -> None:
    app = create_app(AGENTS, max_executions=1)

    async def talk(client: httpx.AsyncClient) -> list[httpx.Response]:
        for _ in range(2):
            await client.post("/workflows/pair/run", json={"input_variables": {"x": "a"}})
        return [
            await client.get(RESULTS, params={"workflow_version_execution_id": n})
            for n in (1, 2, 3)
        ]

    forgotten, kept, unknown = serve(app, talk)

    assert (forgotten.status_code, forgotten.json()["message"]) == (
        404,
        gone(1, 1, state_of(app).executions.max_stored_bytes),
    )
    assert kept.status_code == 200
    assert (unknown.status_code, unknown.json()["message"]) == (
        404,
        "Workflow version execution not found",
    )


@pytest.mark.parametrize("key", [None, "pl_other", DEFAULT_API_KEY.upper()])
def test_a_request_without_the_api_key_is_401(key: str | None) -> None:
    app = create_app(AGENTS)
    headers = {"X-API-KEY": key} if key is not None else {}

    async def talk(client: httpx.AsyncClient) -> list[httpx.Response]:
        client.headers.pop("X-API-KEY")
        return [
            await client.post("/workflows/pair/run", json={}, headers=headers),
            await client.get("/workflows/pair", headers=headers),
            await client.get(RESULTS, params={"workflow_version_execution_id": 1}, headers=headers),
        ]

    answers = serve(app, talk)

    assert [(a.status_code, a.json()) for a in answers] == [
        (401, {"success": False, "message": "Invalid API key"})
    ] * 3
    assert len(state_of(app).executions) == 0
    assert state_of(app).requests == {"POST run": 1, "GET agent": 1, "GET results": 1}


def test_the_api_key_is_the_one_given() -> None:
    app = create_app(AGENTS, api_key="pl_mine")

    refused = one(app, "GET", "/workflows/pair")
    answered = one(app, "GET", "/workflows/pair", headers={"X-API-KEY": "pl_mine"})

    assert (refused.status_code, answered.status_code) == (401, 200)


@pytest.mark.parametrize(
    ("faults", "status", "message"),
    [
        (Faults(rate_limit=1.0, retry_after=3), 429, "Too many requests (sandbox fault injection)"),
        (
            Faults(unavailable=1.0, retry_after=0),
            503,
            "Service unavailable (sandbox fault injection)",
        ),
    ],
)
def test_injected_faults_answer_instead_with_retry_after(
    faults: Faults, status: int, message: str
) -> None:
    app = create_app(AGENTS, faults=faults)

    answer = one(app, "POST", "/workflows/pair/run", json={})

    assert (answer.status_code, answer.json()) == (status, {"success": False, "message": message})
    assert answer.headers["retry-after"] == str(faults.retry_after)
    assert len(state_of(app).executions) == 0  # nothing ran


def test_fault_fractions_split_the_dice_between_429_503_and_answers() -> None:
    app = create_app(AGENTS, faults=Faults(rate_limit=0.3, unavailable=0.3, seed=7))

    async def talk(client: httpx.AsyncClient) -> list[int]:
        return [(await client.get("/workflows/pair")).status_code for _ in range(60)]

    statuses = serve(app, talk)
    dice = state_of(create_app(AGENTS, faults=Faults(seed=7))).random
    expected = []
    for _ in range(60):
        roll = dice.random()
        expected.append(429 if roll < 0.3 else 503 if roll < 0.6 else 200)
        if expected[-1] == 200:
            dice.random()  # an answer's roll for a dropped connection

    assert statuses == expected
    assert {429, 503, 200} <= set(statuses)


def test_a_dropped_connection_starts_an_answer_and_never_finishes_it() -> None:
    app = create_app(AGENTS, faults=Faults(drop=1.0))
    body = json.dumps({"input_variables": {"x": "a"}}).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/workflows/pair/run",
        "raw_path": b"/workflows/pair/run",
        "query_string": b"",
        "headers": [(b"x-api-key", DEFAULT_API_KEY.encode())],
        "server": ("sandbox", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    async def main() -> None:
        await app(scope, receive, send)
        await state_of(app).executions.stop()

    asyncio.run(main())

    start, part = sent
    assert start["status"] == 200 and (b"content-length", b"1000") in start["headers"]
    assert (part["body"], part["more_body"]) == (b'{"succ', True)  # never finished
    assert len(state_of(app).executions) == 1  # handled, then dropped: the run started


def test_latency_delays_every_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr("promptlayer_agents.sandbox._faults.asyncio.sleep", pause)
    slow, quick = create_app(AGENTS, faults=Faults(latency=0.25)), create_app(AGENTS)

    assert one(slow, "GET", "/workflows/pair").status_code == 200
    assert one(quick, "GET", "/workflows/pair").status_code == 200
    assert pauses == [0.25]


def test_a_failing_handler_is_a_json_500_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(AGENTS)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(state_of(app).catalog, "find", broken)

    answer = one(app, "GET", "/workflows/pair")

    assert (answer.status_code, answer.json()) == (
        500,
        {"success": False, "message": "Internal server error"},
    )
    assert [r.getMessage() for r in caplog.records] == ["sandbox: GET /workflows/pair failed"]
    assert "RuntimeError: bug" in caplog.text


def test_a_client_gone_before_its_body_arrived_starts_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(AGENTS)

    async def gone_body(self: Any) -> bytes:
        raise ClientDisconnect()

    monkeypatch.setattr("starlette.requests.Request.body", gone_body)

    answer = one(app, "POST", "/workflows/pair/run", json={})

    assert (answer.status_code, answer.json()["message"]) == (
        400,
        "The client disconnected before sending its whole body",
    )
    assert len(state_of(app).executions) == 0


def test_an_error_outside_a_handler_is_a_json_500(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(AGENTS)

    def broken(request: Any) -> Any:
        raise RuntimeError("bug in routing")

    monkeypatch.setattr("promptlayer_agents.sandbox._app.agent_segment", broken)

    async def talk(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/workflows/pair")

    answer = serve(app, talk, raise_app_exceptions=False)

    assert (answer.status_code, answer.json()) == (
        500,
        {"success": False, "message": "Internal server error"},
    )


def test_a_body_over_the_limit_is_413_and_starts_nothing() -> None:
    app = create_app(AGENTS, max_body_bytes=64)
    exact = json.dumps({"input_variables": {"x": "y" * 34}}).encode()
    over = json.dumps({"input_variables": {"x": "y" * 35}}).encode()

    def chunks(body: bytes) -> Any:
        async def parts() -> Any:
            yield body[:40]
            yield body[40:]

        return parts()

    answers = [
        one(app, "POST", "/workflows/pair/run", content=over),
        one(app, "POST", "/workflows/pair/run", content=chunks(over)),
        one(app, "POST", "/workflows/pair/run", content=exact),
        one(app, "POST", "/workflows/pair/run", content=chunks(exact)),
    ]

    message = "Request body too large (the limit is 64 bytes)"
    assert (len(exact), len(over)) == (64, 65)
    assert [answer.status_code for answer in answers] == [413, 413, 201, 201]
    assert answers[0].json() == answers[1].json() == {"success": False, "message": message}
    assert len(state_of(app).executions) == 2


def test_the_body_limit_leaves_the_lifespan_alone() -> None:
    app = create_app(AGENTS, max_body_bytes=1)
    events = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[Message] = []

    async def receive() -> Message:
        return events.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(app({"type": "lifespan"}, receive, send), 10))

    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


@pytest.mark.parametrize("limits", [{"max_body_bytes": 0}, {"max_stored_bytes": 0}])
def test_limits_under_one_byte_are_refused(limits: dict[str, Any]) -> None:
    with pytest.raises(ValueError) as refused:
        create_app(AGENTS, **limits)

    assert str(refused.value) == "max_body_bytes and max_stored_bytes must be at least 1"


def test_the_limits_given_are_kept() -> None:
    state = state_of(
        create_app(AGENTS, max_executions=3, max_stored_bytes=1, faults=Faults(seed=1))
    )

    assert (state.executions.limit, state.executions.max_stored_bytes) == (3, 1)
    assert state_of(create_app(AGENTS)).executions.limit == 1000
    assert state.allow_remote_callbacks is False and state.api_key == DEFAULT_API_KEY
    assert state.faults == Faults(seed=1)


def test_the_bundled_agents_are_served_by_default() -> None:
    assert "greeter" in state_of(create_app()).catalog.names


def test_the_lifespan_stops_running_executions_and_closes_callbacks() -> None:
    app = create_app(AGENTS)
    state = state_of(app)
    closed: list[bool] = []

    async def close() -> None:
        closed.append(True)

    async def main() -> asyncio.Task[None] | None:
        state.callbacks.close = close  # type: ignore[method-assign]
        async with app.router.lifespan_context(app):
            slow = state.catalog.find("slow").versions[0]  # type: ignore[union-attr]
            execution = state.executions.start(slow, {}, None, state.callbacks.deliver)
            assert closed == [] and execution.task is not None and not execution.task.done()
        return execution.task

    task = asyncio.run(main())

    assert task is not None and task.cancelled()
    assert closed == [True]


def test_a_node_path_the_xml_library_cannot_read_fails_its_node_not_the_server() -> None:
    """ElementTree raises TypeError or KeyError, not SyntaxError, for some paths ("[", "@")."""
    agent = {
        "workflow_name": "xml",
        "required_input_variables": {"doc": "string"},
        "nodes": [
            {
                "name": f"Find{index}",
                "node_type": "XML_PATH",
                "configuration": {"source": "doc", "xml_path": path},
                "dependencies": ["doc"],
                "is_output_node": True,
            }
            for index, path in enumerate(["[", "@", "i[@a="])
        ],
    }

    started, results = run_then_results(
        create_app(agent), {"input_variables": {"doc": "<r/>"}}, agent="xml"
    )

    assert (started.status_code, results.status_code) == (201, 200)
    errors = [node["error_message"] for node in results.json().values()]
    assert [node["status"] for node in results.json().values()] == ["FAILED"] * 3
    assert errors[0].startswith("XML_PATH: TypeError: ") and errors[1] == "XML_PATH: KeyError: '@'"


class _Tape:
    """Answers the operations it holds (whatever the key or faults), passes on the others."""

    def __init__(self, **answers: int) -> None:
        self.answers = answers
        self.seen: list[tuple[str, str]] = []

    async def answer(self, request: Any, operation: str, state: SandboxState) -> Any:
        assert isinstance(state, SandboxState)
        self.seen.append((request.method, operation))
        status = self.answers.get(operation)
        return None if status is None else JSONResponse({"taped": operation}, status_code=status)


def test_a_tape_answers_first_and_passes_on_what_it_does_not_hold() -> None:
    app = create_app(AGENTS, faults=Faults(drop=1.0))
    tape = _Tape(agent=203)
    state_of(app).tape = tape

    async def talk(client: httpx.AsyncClient) -> list[httpx.Response]:
        client.headers.pop("X-API-KEY")
        return [
            await client.get("/workflows/pair"),
            await client.get(RESULTS, params={"workflow_version_execution_id": 1}),
        ]

    taped, passed = serve(app, talk)

    assert (taped.status_code, taped.json()) == (203, {"taped": "agent"})
    assert passed.status_code == 401  # not taped: the sandbox answers, key checked first
    assert tape.seen == [("GET", "agent"), ("GET", "results")]
    assert state_of(app).requests == {"GET agent": 1, "GET results": 1}


def test_results_wait_for_a_script_callable_due_by_now() -> None:
    def slow(values: dict[str, Any]) -> str:
        time.sleep(0.1)  # the callable's own work, on its own thread
        return f"called with {values['x']}"

    app = create_app(AGENTS)
    state_of(app).executions.scripts = {"pair": {"Echo": Script(value=slow, has_value=True)}}

    _, results = run_then_results(app, {"input_variables": {"x": "a"}})

    assert (results.status_code, results.json()) == (200, "called with a")


class _Callbacks:
    """Records the executions whose final result would be posted."""

    def __init__(self) -> None:
        self.delivered: list[tuple[int, str | None]] = []

    async def deliver(self, execution: Any) -> None:
        self.delivered.append((execution.id, execution.callback_url))

    async def close(self) -> None:
        return None


@pytest.mark.parametrize("polls", [None, 1])
def test_a_finished_run_is_handed_to_the_callbacks(polls: int | None) -> None:
    app = create_app(AGENTS)
    callbacks = _Callbacks()
    state_of(app).callbacks = callbacks  # type: ignore[assignment]
    state_of(app).executions.polls_per_node = polls

    async def talk(client: httpx.AsyncClient) -> None:
        body = {"input_variables": {"x": "a"}, "callback_url": "http://127.0.0.1:9/hook"}
        await client.post("/workflows/pair/run", json=body)
        await client.get(RESULTS, params={"workflow_version_execution_id": 1})
        execution = state_of(app).executions.get(1)
        assert execution is not None and execution.task is not None
        await execution.task

    serve(app, talk)

    assert callbacks.delivered == [(1, "http://127.0.0.1:9/hook")]


def test_a_declared_length_over_the_limit_is_refused_before_any_body_is_read() -> None:
    app = create_app(AGENTS, max_body_bytes=10)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/workflows/pair/run",
        "raw_path": b"/workflows/pair/run",
        "query_string": b"",
        "headers": [(b"x-api-key", DEFAULT_API_KEY.encode()), (b"content-length", b"11")],
        "server": ("sandbox", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }
    reads: list[int] = []
    sent: list[Message] = []

    async def receive() -> Message:
        reads.append(1)
        return {"type": "http.request", "body": b"{" * 11, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 10))

    assert sent[0]["status"] == 413 and reads == []
