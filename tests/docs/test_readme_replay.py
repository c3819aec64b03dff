"""The README's "Record once, replay offline" section: its pytest example records once against an
upstream, then passes offline with that upstream gone, as a user runs it; its commands parse; its
error example is what a bad cassette gives.

(Its other Python example runs in test_readme.py, with every other one.)
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from promptlayer_agents.cli import parser
from promptlayer_agents.sandbox import CassetteError, Sandbox
from promptlayer_agents.sandbox._cassette import load

from ..helpers import ROOT

SECTION = (
    (ROOT / "README.md").read_text(encoding="utf-8").split("## Record once, replay offline")[1]
)
SECTION = SECTION.split("\n## ", 1)[0]
SHELL = re.findall(r"```sh\n(.*?)```", SECTION, flags=re.DOTALL)
PYTHON = re.findall(r"```python\n(.*?)```", SECTION, flags=re.DOTALL)
TEST_FILE = next(block for block in PYTHON if "\ndef test_" in block)


def _commands(program: str) -> list[list[str]]:
    """The section's shell lines that run `program`, as arguments after it."""
    found = []
    for block in SHELL:
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            while words and "=" in words[0]:  # VAR=value prefixes
                words.pop(0)
            if words and words[0] == program:
                found.append(words[1:])
    return found


def test_the_sandbox_commands_parse() -> None:
    commands = _commands("promptlayer-agents")
    assert len(commands) == 4

    parsed = [parser().parse_args(arguments) for arguments in commands]

    assert {args.record for args in parsed} == {"triage.yaml", None}
    assert {args.replay for args in parsed} == {"triage.yaml", None}
    assert ["email"] in [args.redact_input for args in parsed]
    assert {(args.speed, args.fallback) for args in parsed} >= {(10.0, "execute")}


def _pytest(
    folder: Path, arguments: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
        env=env,
    )


def test_the_pytest_example_records_once_then_replays_offline(tmp_path: Path) -> None:
    record, replay = _commands("pytest")
    (tmp_path / "test_greeter.py").write_text(TEST_FILE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTLAYER_")}
    cassette = tmp_path / "cassettes" / "test_greeter" / "test_greets_by_name.yaml"

    with Sandbox() as upstream:  # PromptLayer, as far as the suite can tell
        recording = _pytest(
            tmp_path,
            record,
            {**env, "PROMPTLAYER_BASE_URL": upstream.url, "PROMPTLAYER_API_KEY": upstream.api_key},
        )
        assert recording.returncode == 0, recording.stdout + recording.stderr
        assert upstream.state.requests["POST run"] == 1
    assert [run.agent for run in load(cassette).runs] == ["greeter"]

    offline = {**env, "PROMPTLAYER_BASE_URL": "http://127.0.0.1:9", "PROMPTLAYER_API_KEY": "pl_x"}
    replaying = _pytest(tmp_path, replay, offline)
    assert replaying.returncode == 0, replaying.stdout + replaying.stderr
    assert "1 passed" in replaying.stdout


def test_the_error_example_is_what_an_unknown_version_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = re.search(r"`(cassette triage\.yaml:3: [^`]*)`", SECTION.replace("\n", " "))
    assert shown is not None
    monkeypatch.chdir(tmp_path)
    Path("triage.yaml").write_text(
        "# a cassette\n# from another version\npromptlayer_cassette: 2\ninteractions: []\n"
        "complete: true\n",
        encoding="utf-8",
    )

    with pytest.raises(CassetteError) as caught:
        load("triage.yaml")

    assert str(caught.value) == shown.group(1)


def test_the_format_shown_is_the_one_written(tmp_path: Path) -> None:
    sample = re.search(r"```\n(# A promptlayer-agents cassette.*?)```", SECTION, flags=re.DOTALL)
    assert sample is not None
    cassette = tmp_path / "greeter.yaml"
    with Sandbox() as upstream, Sandbox(record=cassette, upstream=upstream.url) as proxy:
        from promptlayer_agents import Agents

        with Agents(api_key=upstream.api_key, base_url=proxy.url) as agents:
            agents.run_and_wait("greeter", input_variables={"name": "Ada"}, poll_interval=0.05)
    written = cassette.read_text(encoding="utf-8")

    for line in sample.group(1).splitlines():
        key = line.split("#")[0].rstrip()
        if key.endswith(":") or key.startswith(("promptlayer_cassette", "complete", "    agent:")):
            assert key in written.splitlines(), key
