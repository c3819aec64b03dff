"""The README's "Using the client" examples run as written, against a small fake of the API."""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from ..helpers import ROOT, json_response, load_spec

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Using the client", 1)[1].split("\n## ", 1)[0]
EXAMPLES = re.findall(r"```python\n(.*?)```", SECTION, flags=re.DOTALL)
AGENT_EXAMPLE = load_spec()["paths"]["/workflows/{workflow_id_or_name}"]["get"]["responses"]["200"][
    "content"
]["application/json"]["examples"]["agent"]["value"]


class FakeAPI:
    """Runs answer 201; each execution answers 202 once, then its final node map."""

    def __init__(self) -> None:
        self.ids = itertools.count(1000)
        self.polled: set[int] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["X-API-KEY"] == "pl_readme"
        path = unquote(request.url.path)
        if request.method == "POST" and path.endswith("/run"):
            execution = next(self.ids)
            body = {"success": True, "message": "ok", "workflow_version_execution_id": execution}
            return json_response(201, body)
        if path == "/workflow-version-execution-results":
            return self._results(request)
        if path == "/workflows/support-bot":
            return json_response(200, AGENT_EXAMPLE)
        return json_response(404, {"success": False, "message": "Workflow not found"})

    def _results(self, request: httpx.Request) -> httpx.Response:
        execution = int(request.url.params["workflow_version_execution_id"])
        final = execution in self.polled
        self.polled.add(execution)
        nodes: dict[str, Any] = {
            "Lookup": {"status": "SUCCESS", "value": "reset", "is_output_node": False},
            "Answer": {
                "status": "SUCCESS" if final else "RUNNING",
                "value": "Open Settings, then Security." if final else None,
                "is_output_node": True,
            },
        }
        if request.url.params["return_all_outputs"] == "true":
            return json_response(200 if final else 202, nodes)
        return json_response(200 if final else 202, nodes["Answer"]["value"])


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> FakeAPI:
    """Every httpx client the examples create talks to the fake; pauses take no time."""
    api = FakeAPI()
    for cls in (httpx.Client, httpx.AsyncClient):
        original = cls.__init__

        def init(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> None:
            kwargs.setdefault("transport", httpx.MockTransport(api))
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", init)

    async def no_pause(seconds: float) -> None:
        pass

    monkeypatch.setattr("time.sleep", lambda seconds: None)
    monkeypatch.setattr(asyncio, "sleep", no_pause)
    monkeypatch.setenv("PROMPTLAYER_API_KEY", "pl_readme")
    monkeypatch.setenv("PROMPTLAYER_BASE_URL", "https://api.promptlayer.test")
    return api


def test_the_section_has_the_promised_examples() -> None:
    code = "\n".join(EXAMPLES)
    for call in [
        "agents.run(",
        ".wait(",
        "run_and_wait(",
        "agents.get(",
        "get_results(",
        "except NotFoundError",
        "AsyncAgents()",
        "parse_callback(",
    ]:
        assert call in code, call


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_example_runs(fake_api: FakeAPI, example: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(example, "README.md", "exec"), {"__name__": "__readme__"})

    assert capsys.readouterr().out, "every example prints what it got"


def test_first_example_prints_the_result(
    fake_api: FakeAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    exec(compile(EXAMPLES[0], "README.md", "exec"), {"__name__": "__readme__"})

    assert capsys.readouterr().out.splitlines() == [
        "started execution 1000",
        "SUCCESS Open Settings, then Security.",
        "  Lookup: SUCCESS",
        "  Answer: SUCCESS",
    ]


def test_error_example_reports_the_missing_agent(
    fake_api: FakeAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    errors = next(e for e in EXAMPLES if "except NotFoundError" in e)

    exec(compile(errors, "README.md", "exec"), {"__name__": "__readme__"})

    assert capsys.readouterr().out.strip() == "404 Workflow not found"
