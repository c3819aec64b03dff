"""Typed errors, as the command line keeps the promise: whatever arguments a script passes, the
command ends with one of its documented exit codes, never a traceback, and a usage error (bad
arguments or settings, found before anything is sent) is exactly one line on stderr."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlayer_agents import Agents
from promptlayer_agents.cli import _agents, main
from promptlayer_agents.cli._common import EXIT_MEANINGS, EXIT_USAGE

CLOSED = "http://127.0.0.1:9"  # nothing listens: whatever is sent fails at once
COMMANDS = ["run", "results", "get", "batch"]  # not `sandbox`: valid arguments would serve
FLAGS = [
    "--inputs", "--out", "--label", "--version", "--node", "--wait", "--json", "--timeout", "-i",
    "--metadata", "--all-outputs", "--no-wait", "--api-key", "--base-url", "--concurrency",
    "--retry-unknown", "-q", "-v", "--bogus", "--api",
]  # fmt: skip
VALUES = [
    "bot", "..", "", " ", "1", "0", "-1", "2", '{"a": 1}', '{"a": NaN}', '{"a": "\\ud800"}', "{",
    "[1]", "-", "a=b", "=", "k=\udc80", "0.01", "nan", "inf", "ftp://x", CLOSED, "x\x00y",
    "/nonexistent/dir/out.jsonl", "\u2028",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every request goes to a closed port, without retries (each example ends at once), from a
    scratch directory (batch writes its results where it is told)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PROMPTLAYER_BASE_URL", CLOSED)
    monkeypatch.delenv("PROMPTLAYER_API_KEY", raising=False)

    def client(args: argparse.Namespace) -> Agents:
        return Agents(api_key=args.api_key, base_url=args.base_url, max_retries=0)

    monkeypatch.setattr(_agents, "client", client)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    command=st.sampled_from(COMMANDS),
    words=st.lists(st.sampled_from(FLAGS + VALUES), max_size=7),
    key=st.sampled_from([[], ["--api-key", "k"]]),
)
def test_any_arguments_end_in_a_documented_code_and_usage_errors_in_one_line(
    command: str, words: list[str], key: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main([command, *words, *key])
    except SystemExit as exited:  # argparse: a usage error
        code = exited.code if isinstance(exited.code, int) else -1
    shown = capsys.readouterr()

    assert code in EXIT_MEANINGS, (code, shown.err)
    assert "Traceback" not in shown.err
    if code == EXIT_USAGE:
        assert shown.err.count("\n") == 1, shown.err
        assert shown.err.startswith("promptlayer-agents"), shown.err
