"""`--api-key` works before or after the command, and the command line never shows it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from promptlayer_agents.sandbox import Sandbox

COMMAND = str(Path(sys.executable).with_name("promptlayer-agents"))
WRONG_KEY = "pl_wrong_key_never_shown_42"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTLAYER_")}
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.parametrize("position", ["before", "after"])
def test_api_key_and_base_url_work_before_or_after_the_command(
    sandbox: Sandbox, position: str
) -> None:
    connection = ["--api-key", sandbox.api_key, "--base-url", sandbox.url]
    command = ["run", "greeter", "-i", "name=Ada"]

    done = _cli(*connection, *command) if position == "before" else _cli(*command, *connection)

    assert (done.returncode, done.stdout, done.stderr) == (0, "Hello, Ada!\n", "")


@pytest.mark.parametrize("position", ["before", "after"])
def test_a_refused_key_is_never_echoed(sandbox: Sandbox, position: str) -> None:
    connection = ["--api-key", WRONG_KEY, "--base-url", sandbox.url]
    command = ["get", "greeter"]

    done = _cli(*connection, *command) if position == "before" else _cli(*command, *connection)

    assert done.returncode == 3
    assert "Invalid API key" in done.stderr
    assert WRONG_KEY not in done.stdout + done.stderr


def test_the_command_after_wins_over_the_one_before(sandbox: Sandbox) -> None:
    done = _cli(
        "--api-key",
        WRONG_KEY,
        "get",
        "greeter",
        "--api-key",
        sandbox.api_key,
        "--base-url",
        sandbox.url,
    )

    assert done.returncode == 0, done.stderr
