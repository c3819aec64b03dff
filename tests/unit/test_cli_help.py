"""What `--help` shows for the commands of one agent, one execution and the sandbox: each option
with its value's name, what it does and its default, in its group, as the README describes them.
(The batch command's help is tested with the batch command; the exit codes with the reporting.)"""

from __future__ import annotations

import re

import pytest

from promptlayer_agents.cli import main

HELP: dict[str, list[str]] = {
    "": [
        "Run PromptLayer agents, read their results and definitions.",
        "positional arguments:",
        "COMMAND",
        "run run an agent and print its output",
        "results an execution's results",
        "get an agent's definition",
        "sandbox serve a local PromptLayer-compatible API for trying the client and offline tests",
        "options:",
        "--version print the version and exit",
        "-v, --verbose also print retries and each request",
        "-q, --quiet print results and errors only: no warnings, status line or progress bar",
        "connection:",
        "--api-key KEY API key (default: $PROMPTLAYER_API_KEY)",
        "--base-url URL API address (default: $PROMPTLAYER_BASE_URL or PromptLayer's)",
    ],
    "run": [
        "positional arguments:",
        "NAME the agent's name or numeric id",
        "options:",
        "-i KEY=VALUE an input variable (a string); repeatable",
        (
            "--inputs JSON|FILE|- input variables as a JSON object: inline (text starting "
            "with '{'), a file, or - for stdin"
        ),
        "--label LABEL the version with this release label, e.g. prod",
        "--version VERSION this version number",
        "--metadata KEY=VALUE metadata stored with the run; repeatable",
        "--no-wait print the execution id and stop",
        "--timeout S give up waiting for the execution after S seconds (default 600)",
        "--all-outputs every node, not only the main output",
        (
            "--json print the result on stdout as one JSON object (its schema: "
            "docs/result.schema.json)"
        ),
        "-v, --verbose also print retries and each request",
        "-q, --quiet print results and errors only: no warnings, status line or progress bar",
        "connection:",
        "--api-key KEY API key (default: $PROMPTLAYER_API_KEY)",
        "--base-url URL API address (default: $PROMPTLAYER_BASE_URL or PromptLayer's)",
    ],
    "results": [
        "positional arguments:",
        "EXECUTION_ID",
        "options:",
        "--wait wait until the execution is final",
        "--node NAME only this node's result (implies --all-outputs; not with --wait)",
        "--timeout S give up waiting for the execution after S seconds (default 600)",
        "--all-outputs every node, not only the main output",
        (
            "--json print the result on stdout as one JSON object (its schema: "
            "docs/result.schema.json)"
        ),
        "-v, --verbose also print retries and each request",
        "-q, --quiet print results and errors only: no warnings, status line or progress bar",
        "connection:",
        "--api-key KEY API key (default: $PROMPTLAYER_API_KEY)",
        "--base-url URL API address (default: $PROMPTLAYER_BASE_URL or PromptLayer's)",
    ],
    "get": [
        "positional arguments:",
        "NAME_OR_ID the agent's name or numeric id",
        "options:",
        "--label LABEL the version with this release label, e.g. prod",
        "--version VERSION this version number",
        "--json print the full definition as JSON",
        "-v, --verbose also print retries and each request",
        "-q, --quiet print results and errors only: no warnings, status line or progress bar",
        "connection:",
        "--api-key KEY API key (default: $PROMPTLAYER_API_KEY)",
        "--base-url URL API address (default: $PROMPTLAYER_BASE_URL or PromptLayer's)",
    ],
    "sandbox": [
        "options:",
        "--host HOST address to bind (default 127.0.0.1)",
        "--port PORT port (default 8765; 0 = any free)",
        (
            "--agents FILE agents to serve: a YAML or JSON agents file, or Get Agent JSON as "
            "`get NAME --json` prints it, one definition or a list (default: the demo agents)"
        ),
        "--api-key API_KEY the key clients must send (default pl_sandbox)",
        "--max-executions N executions remembered; the oldest are dropped (default 1000)",
        "--allow-remote-callbacks",
        "also POST callbacks to addresses other than loopback",
        "--log-level LOG_LEVEL",
        "uvicorn log level (default info)",
        "--access-log print a line for every request (off by default)",
        "-v, --verbose also print retries and each request",
        "-q, --quiet print results and errors only: no warnings, status line or progress bar",
        "fault injection (all off by default):",
        "--latency S delay every answer",
        "--rate-limit FRACTION",
        "answer this fraction of requests with 429 and Retry-After",
        "--unavailable FRACTION",
        "answer this fraction of requests with 503",
        "--drop FRACTION drop the connection of this fraction of requests after handling them",
        "--retry-after S Retry-After seconds on injected 429s and 503s (default 1)",
        "--seed SEED seed the fault dice",
        "limits:",
        "--max-body-bytes N refuse larger request bodies with 413 (default 10 MiB)",
        (
            "--max-stored-bytes N bytes of inputs, metadata and node values all executions "
            "may hold; past it the oldest are forgotten (default 128 MiB)"
        ),
        "--idle-timeout S close a connection idle this long (default 5)",
        (
            "--header-timeout S close a connection whose request line and headers take longer"
            " (default 10)"
        ),
        "--body-timeout S close a connection whose request body takes longer (default 30)",
        (
            "--max-connections N connections and requests in progress at once; more get 503 "
            "(default 1000)"
        ),
        (
            "--max-header-bytes N a request's line and headers together; larger ones get 400 "
            "(default 64 KiB)"
        ),
        "record and replay (see the README):",
        (
            "--record FILE be a recording proxy: forward each request with the caller's key "
            "to --upstream, answer what it answered, and append each exchange to this "
            "cassette"
        ),
        (
            "--replay FILE answer from this cassette: matched runs get new executions that "
            "follow the recorded progression; anything else is refused"
        ),
        "--upstream URL with --record: where to forward (default https://api.promptlayer.com)",
        (
            "--redact-input NAME with --record: record this input variable's value as "
            "[REDACTED] (repeatable)"
        ),
        "--speed X with --replay: play the recorded timeline X times as fast (default 1)",
        "--fallback {none,execute}",
        (
            "with --replay: what a run matching no recording gets: a 404 (none, the default),"
            " or an execution of its definition as the sandbox runs it (execute)"
        ),
    ],
}
"""Each line of the help after its usage, spaces collapsed, without -h, batch and the exit codes."""


def _shown(command: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"] if command else ["--help"])
    assert exited.value.code == 0
    body = capsys.readouterr().out.split("\n\n", 1)[1]
    lines = [" ".join(line.split()) for line in body.splitlines() if line.strip()]
    return [
        line
        for line in lines
        if not line.startswith(("batch ", "-h, --help"))
        and not re.match(r"\d+ ", line)
        and line != "exit codes:"
    ]


@pytest.mark.parametrize("command", list(HELP), ids=lambda command: command or "top")
def test_the_help_shows_each_option_what_it_does_and_its_default(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # one line per option

    assert _shown(command, capsys) == HELP[command]
