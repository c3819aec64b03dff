"""The requests the generated client sends: method, path, query, headers and body.

Checked on a mocked transport, so nothing leaves the machine.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from promptlayer_agents_api.api.agents import get_agent, get_execution_results, run_agent
from promptlayer_agents_api.models import InputVariables, RunAgentRequest, RunMetadata

from ..helpers import API_KEY, json_response, mock_client

AWKWARD_NAMES = [
    "support bot",
    "team/support-bot",
    "what?now",
    "bot#2",
    "100%",
    "%2F..%2F",
    "caf\u00e9-\u00fcbersetzer",
    "\u65e5\u672c\u8a9e\u30dc\u30c3\u30c8",
    "a/../../admin",
]


def _capture(status: int, body: Any) -> tuple[list[httpx.Request], Any]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return json_response(status, body)

    return sent, mock_client(handler)


RUN_ANSWER = {"success": True, "message": "ok", "workflow_version_execution_id": 1}


def test_run_request() -> None:
    sent, client = _capture(201, RUN_ANSWER)
    inputs = InputVariables.from_dict({"question": "hi", "history": ["a", "b"]})
    body = RunAgentRequest(
        workflow_label_name="prod",
        input_variables=inputs,
        metadata=RunMetadata.from_dict({"user": "42"}),
        return_all_outputs=True,
    )

    run_agent.sync("support-bot", client=client, body=body)

    (request,) = sent
    assert request.method == "POST"
    assert request.url.raw_path == b"/workflows/support-bot/run"
    assert request.url.host == "api.promptlayer.com"
    assert request.headers["X-API-KEY"] == API_KEY
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "workflow_label_name": "prod",
        "input_variables": {"question": "hi", "history": ["a", "b"]},
        "metadata": {"user": "42"},
        "return_all_outputs": True,
    }


def test_results_request() -> None:
    sent, client = _capture(200, "AAA")

    get_execution_results.sync(
        client=client, workflow_version_execution_id=787, return_all_outputs=True
    )

    (request,) = sent
    assert request.method == "GET"
    assert request.url.path == "/workflow-version-execution-results"
    assert dict(request.url.params) == {
        "workflow_version_execution_id": "787",
        "return_all_outputs": "true",
    }
    assert request.headers["X-API-KEY"] == API_KEY


def test_get_agent_request() -> None:
    sent, client = _capture(404, {"success": False, "message": "Workflow not found"})

    get_agent.sync("support-bot", client=client, label="prod")
    get_agent.sync("3", client=client, version=3)

    assert [r.method for r in sent] == ["GET", "GET"]
    assert [r.url.raw_path for r in sent] == [
        b"/workflows/support-bot?label=prod",
        b"/workflows/3?version=3",
    ]
    assert all(r.headers["X-API-KEY"] == API_KEY for r in sent)


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_agent_name_is_one_encoded_path_segment_when_running(name: str) -> None:
    sent, client = _capture(201, RUN_ANSWER)

    run_agent.sync(name, client=client, body=RunAgentRequest())

    (request,) = sent
    assert request.url.raw_path == f"/workflows/{quote(name, safe='')}/run".encode()
    assert request.url.query == b""


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_agent_name_is_one_encoded_path_segment_when_reading(name: str) -> None:
    sent, client = _capture(404, {"success": False, "message": "Workflow not found"})

    get_agent.sync(name, client=client, version=2)

    (request,) = sent
    assert request.url.raw_path == f"/workflows/{quote(name, safe='')}?version=2".encode()
    assert dict(request.url.params) == {"version": "2"}
