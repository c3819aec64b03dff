"""The README's quick start: every command after the set-up lines runs as written, in bash."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from promptlayer_agents.cli import parser
from promptlayer_agents.sandbox import DEFAULT_API_KEY, Sandbox

from ..helpers import ROOT

SECTION = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start", 1)[1]
BLOCK = re.findall(r"```sh\n(.*?)```", SECTION.split("\n## ", 1)[0], flags=re.DOTALL)[0]
SETUP, COMMANDS = BLOCK.split("\n\n", 1)


def test_setup_lines_match_the_sandbox_defaults() -> None:
    defaults = parser().parse_args(["sandbox"])
    url = f"http://{defaults.host}:{defaults.port}"

    assert "promptlayer-agents sandbox &" in SETUP
    assert f"PROMPTLAYER_BASE_URL={url} PROMPTLAYER_API_KEY={DEFAULT_API_KEY}" in SETUP


def test_quick_start_commands_run(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTLAYER_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.update(PROMPTLAYER_BASE_URL=sandbox.url, PROMPTLAYER_API_KEY=sandbox.api_key)

    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", COMMANDS],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Hello, Ada!\n" in out
    assert "Escalate  SUCCESS  A person will call you about: Where is my invoice? (output)" in out
    assert "Report: Draft from notes on tides\n" in out  # results 3 --wait
    assert "support-bot (id 5) version 2, labels: prod" in out
    assert "3 succeeded, 0 failed, 0 errors, 0 unknown; results in greetings.jsonl" in out
    assert (tmp_path / "greetings.jsonl").read_text().count("\n") == 3
