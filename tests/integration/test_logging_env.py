"""PROMPTLAYER_LOG=debug|info prints the package's logging on stderr with no code, and never the
key; unset, the package prints nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

KEY = "pl_secret_key_4f1d"

# A run answered by a transport that echoes the key in its warning, as a hostile server might.
SCRIPT = f"""
import httpx
from promptlayer_agents import Agents

def answer(request):
    return httpx.Response(201, json={{
        "success": True, "message": "started", "workflow_version_execution_id": 7,
        "warning": "Unexpected input variables: nme (key {KEY})",
    }})

client = Agents(http_client=httpx.Client(transport=httpx.MockTransport(answer)))
print(client.run("triage", input_variables={{"nme": "x"}}).execution_id)
"""


def run(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "PROMPTLAYER_LOG"}
    environ.update(PROMPTLAYER_API_KEY=KEY, **env)
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environ, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("value", ["info", "debug", "INFO", " debug "])
def test_the_switch_prints_the_warning_and_each_request_without_the_key(value: str) -> None:
    done = run(PROMPTLAYER_LOG=value)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "7"
    assert "promptlayer_agents WARNING" in done.stderr
    assert "Unexpected input variables: nme" in done.stderr
    assert "httpx INFO] HTTP Request: POST" in done.stderr
    assert KEY not in done.stderr


def test_without_the_switch_the_package_prints_nothing() -> None:
    done = run()
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_an_unknown_level_is_named_and_ignored() -> None:
    done = run(PROMPTLAYER_LOG="verbose")
    assert done.returncode == 0, done.stderr
    assert "PROMPTLAYER_LOG='verbose' is ignored: use debug or info" in done.stderr
    assert "HTTP Request" not in done.stderr
