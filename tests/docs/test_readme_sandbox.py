"""The README's sandbox section: its agents file example runs, its exports match the defaults.

(Its Python examples run in test_readme.py, with every other one.)
"""

from __future__ import annotations

import re

import yaml

from promptlayer_agents import Agents
from promptlayer_agents.cli import parser
from promptlayer_agents.sandbox import DEFAULT_API_KEY, Sandbox

from ..helpers import ROOT

SECTION = (ROOT / "README.md").read_text(encoding="utf-8").split("## The sandbox", 1)[1]
SECTION = SECTION.split("\n## ", 1)[0]


def _block(language: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", SECTION, flags=re.DOTALL)
    assert len(blocks) == 1, f"expected one {language} block in the sandbox section"
    return str(blocks[0])


def test_agents_file_example_runs() -> None:
    agents = yaml.safe_load(_block("yaml"))

    with (
        Sandbox(agents) as sandbox,
        Agents(api_key=sandbox.api_key, base_url=sandbox.url) as client,
    ):
        result = client.run_and_wait("summarizer", input_variables={"text": "tides"}, label="prod")

    assert result.output == "Summary of: tides"
    assert result.nodes["Fallback"].status == "FAILED"
    assert result.nodes["Fallback"].error_message == "forced failure"


def test_the_shown_exports_match_the_command_defaults() -> None:
    defaults = parser().parse_args(["sandbox"])

    assert f"export PROMPTLAYER_BASE_URL=http://{defaults.host}:{defaults.port}" in SECTION
    assert f"export PROMPTLAYER_API_KEY={DEFAULT_API_KEY}" in SECTION
