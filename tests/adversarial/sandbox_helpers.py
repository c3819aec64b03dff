"""What the sandbox's adversarial tests share: a small agent, a started PromptLayerSandbox, a raw
HTTP client on it, and a bounded wait on a condition."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from promptlayer_agents.sandbox import PromptLayerSandbox

RESULTS = "/workflow-version-execution-results"

ECHO: dict[str, Any] = {
    "workflow_name": "echo",
    "version": 1,
    "required_input_variables": {"text": "string"},
    "nodes": [
        {
            "name": "Twice",
            "node_type": "TEXT_TEMPLATE",
            "configuration": {"template": "{text}{text}"},
            "dependencies": ["text"],
        },
        {
            "name": "Model",
            "node_type": "PROMPT_TEMPLATE",
            "is_output_node": True,
            "dependencies": ["Twice"],
        },
    ],
}
"""Twice doubles the input `text`; Model, the output node, answers what a test scripts."""


@pytest.fixture
def controlled() -> Iterator[PromptLayerSandbox]:
    """A started sandbox serving ECHO, stopped after the test."""
    sandbox = PromptLayerSandbox()
    sandbox.add_agent(ECHO)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def raw_client(url: str, api_key: str) -> httpx.Client:
    """A plain HTTP client on the sandbox, with its key, for requests the client would refuse."""
    headers = {"X-API-KEY": api_key, "Content-Type": "application/json"}
    return httpx.Client(base_url=url, headers=headers, timeout=30)


def until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    """Wait until `condition()` holds, checking every 10 ms, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout} s")
        time.sleep(0.01)


def results(http: httpx.Client, execution_id: int) -> httpx.Response:
    """The node map answer of an execution."""
    params = {"workflow_version_execution_id": str(execution_id), "return_all_outputs": "true"}
    return http.get(RESULTS, params=params)


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in `folder`, as a user runs it (the plugin comes through its entry point)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=folder,
    )
