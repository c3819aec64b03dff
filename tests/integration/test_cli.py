"""The command line end to end: real processes against the sandbox, output and exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from promptlayer_agents.sandbox import Sandbox

COMMAND = str(Path(sys.executable).with_name("promptlayer-agents"))
Cli = Callable[..., subprocess.CompletedProcess[str]]


def _environment(sandbox: Sandbox, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTLAYER_")}
    env.update(PROMPTLAYER_BASE_URL=sandbox.url, PROMPTLAYER_API_KEY=sandbox.api_key, **extra)
    return env


@pytest.fixture
def cli(sandbox: Sandbox) -> Cli:
    """cli(*args, stdin=None) runs `promptlayer-agents args` against the sandbox."""

    def run(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [COMMAND, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            env=_environment(sandbox, **env),
        )

    return run


def test_run_prints_the_main_output(cli: Cli) -> None:
    done = cli("run", "greeter", "-i", "name=Ada")

    assert (done.returncode, done.stdout, done.stderr) == (0, "Hello, Ada!\n", "")


def test_run_json_prints_only_json(cli: Cli) -> None:
    done = cli("run", "greeter", "-i", "name=Ada", "--json")

    result = json.loads(done.stdout)
    assert done.returncode == 0
    assert (result["status"], result["output"]) == ("SUCCESS", "Hello, Ada!")
    assert result["nodes"]["Name"]["value"] == "Ada"


def test_run_all_outputs_lists_every_node(cli: Cli) -> None:
    done = cli(
        "run",
        "support-bot",
        "--label",
        "staging",
        "-i",
        "question=hi",
        "-i",
        "tier=gold",
        "--all-outputs",
    )

    assert done.returncode == 0
    assert [line.split()[:2] for line in done.stdout.splitlines()] == [
        ["Tier", "SUCCESS"],
        ["Escalate", "SKIPPED"],
        ["Answer", "SUCCESS"],
    ]


def test_inputs_from_a_file_and_stdin_with_i_on_top(cli: Cli, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs.json"
    inputs.write_text('{"name": "File", "extra": 1}', encoding="utf-8")

    from_file = cli("run", "greeter", "--inputs", str(inputs), "--version", "1")
    from_stdin = cli("run", "greeter", "--inputs", "-", "-i", "name=Flag", stdin='{"name": "In"}')

    assert from_file.stdout == "Hello, File!\n"
    assert "Unexpected input variables: extra" in from_file.stderr
    assert from_stdin.stdout == "Hello, Flag!\n"


def test_no_wait_then_results(cli: Cli) -> None:
    started = cli("run", "greeter", "-i", "name=Bo", "--no-wait", "--metadata", "source=test")
    execution_id = started.stdout.strip()

    waited = cli("results", execution_id, "--wait")
    now = cli("results", execution_id, "--json", "--all-outputs")

    assert started.returncode == 0 and execution_id.isdigit()
    assert waited.stdout == "Hello, Bo!\n"
    assert json.loads(now.stdout)["nodes"]["Greeting"]["status"] == "SUCCESS"


def test_results_of_one_node(cli: Cli) -> None:
    execution_id = cli("run", "greeter", "-i", "name=Bo", "--no-wait").stdout.strip()
    cli("results", execution_id, "--wait")

    one = cli("results", execution_id, "--node", "Name", "--json")
    refused = cli("results", execution_id, "--node", "Name", "--wait")

    unknown = cli("results", execution_id, "--node", "Nope")

    assert list(json.loads(one.stdout)["nodes"]) == ["Name"]
    assert f"execution {execution_id} has no node named 'Nope'" in unknown.stderr
    assert refused.returncode == 2
    assert "--node reads the results once" in refused.stderr


def test_failed_execution(cli: Cli) -> None:
    done = cli("run", "flaky-extractor", "-i", "document=x")

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "Parse: ParseError: unexpected token" in done.stderr
    assert "Traceback" not in done.stderr


def test_timeout_says_how_to_resume(cli: Cli) -> None:
    done = cli("run", "slow-report", "-i", "topic=tides", "--timeout", "0.3")

    assert done.returncode == 4
    assert "still running" in done.stderr
    assert "resume with: promptlayer-agents results " in done.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["run", "greeter", "--label", "prod", "--version", "2"], 2, "not allowed with"),
        (["run", "greeter", "-i", "name"], 2, "expected KEY=VALUE"),
        (["run", "greeter", "--inputs", "/no/such/file.json"], 2, "--inputs /no/such/file.json"),
        (["run", "no-such-agent"], 3, "HTTP 404: Workflow not found"),
        (["results", "999999"], 3, "HTTP 404"),
        (["get", "greeter", "--api-key", "pl_wrong"], 3, "check --api-key or PROMPTLAYER_API_KEY"),
    ],
)
def test_errors_are_one_line_with_their_exit_code(
    cli: Cli, args: list[str], code: int, message: str
) -> None:
    done = cli(*args)

    assert done.returncode == code
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert "pl_wrong" not in done.stdout + done.stderr


def test_missing_key_is_a_usage_error(sandbox: Sandbox) -> None:
    env = _environment(sandbox)
    del env["PROMPTLAYER_API_KEY"]

    done = subprocess.run(
        [COMMAND, "get", "greeter"], capture_output=True, text=True, timeout=60, env=env
    )

    assert done.returncode == 2
    assert "PROMPTLAYER_API_KEY" in done.stderr


def test_get_summary_lists_nodes_in_dependency_order(cli: Cli) -> None:
    done = cli("get", "support-bot", "--label", "staging")

    lines = done.stdout.splitlines()
    assert lines[0].startswith("support-bot (id ") and "version 3, labels: staging" in lines[0]
    assert "required inputs: question (string), tier (string)" in lines
    nodes = [line.split()[1] for line in lines if line.startswith("  ")]
    assert nodes == ["Tier", "Escalate", "Answer"]
    assert any("Escalate" in line and "[output]" in line for line in lines)
    assert 'edge: Tier -> Escalate when Tier = "premium"' in lines


def test_get_json_is_the_full_definition(cli: Cli) -> None:
    done = cli("get", "support-bot", "--version", "1", "--json")

    definition = json.loads(done.stdout)
    assert (definition["workflow_name"], definition["version"]) == ("support-bot", 1)
    assert definition["nodes"][0]["name"] == "Answer"


ECHO = {
    "agents": [
        {
            "workflow_name": "echo",
            "versions": [
                {
                    "required_input_variables": {"text": "string"},
                    "nodes": [
                        {
                            "name": "Text",
                            "node_type": "INPUT_VARIABLE",
                            "dependencies": ["text"],
                            "configuration": {"variable": "text", "sandbox_duration": 0.05},
                        },
                        {
                            "name": "Echo",
                            "node_type": "TEXT_TEMPLATE",
                            "dependencies": ["Text"],
                            "configuration": {"template": "echo {Text}"},
                            "is_output_node": True,
                        },
                    ],
                }
            ],
        }
    ]
}


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_interrupted_and_resumed_runs_every_input_exactly_once(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sandbox = sandbox_factory(ECHO)
    inputs, out = tmp_path / "inputs.jsonl", tmp_path / "results.jsonl"
    total = 300
    inputs.write_text("".join(json.dumps({"text": f"t{n}"}) + "\n" for n in range(total)))
    command = [
        COMMAND,
        "batch",
        "echo",
        "--inputs",
        str(inputs),
        "--out",
        str(out),
        "--concurrency",
        "25",
    ]

    first = subprocess.Popen(
        command,
        env=_environment(sandbox),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):  # bounded: at most 60 s for a sixth of the inputs to finish
            if out.exists() and out.read_text().count("\n") >= total // 6:
                break
            try:
                first.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
        first.send_signal(signal.SIGINT)
        _, first_err = first.communicate(timeout=60)
    finally:
        first.kill()

    partial = _records(out)  # every line whole and readable
    assert first.returncode == 130, first_err
    assert "rerun the same command to continue" in first_err
    assert 0 < len(partial) < total

    second = subprocess.run(
        command, env=_environment(sandbox), capture_output=True, text=True, timeout=120
    )

    records = _records(out)
    assert second.returncode == 0, second.stderr
    assert f"skipping {len(partial)} inputs already done" in second.stderr
    assert f"{total} succeeded, 0 failed, 0 errors, 0 unknown" in second.stdout
    assert sorted(r["line"] for r in records) == list(range(1, total + 1))
    assert all(r["output"] == f"echo {r['inputs']['text']}" for r in records)
    assert sandbox.state.requests["POST run"] == total  # no input was started twice
    assert len({r["execution_id"] for r in records}) == total
    assert not out.with_name("results.jsonl.pending").exists()


def test_batch_reports_failures_and_bad_lines(sandbox: Sandbox, tmp_path: Path) -> None:
    inputs, out = tmp_path / "inputs.jsonl", tmp_path / "results.jsonl"
    inputs.write_text('{"document": "a"}\n\n[1, 2]\n{"document": "b"}\n', encoding="utf-8")

    done = subprocess.run(
        [COMMAND, "batch", "flaky-extractor", "--inputs", str(inputs), "--out", str(out)],
        env=_environment(sandbox),
        capture_output=True,
        text=True,
        timeout=120,
    )

    records = {r["line"]: r for r in _records(out)}
    assert done.returncode == 1
    assert "0 succeeded, 2 failed, 1 error, 0 unknown" in done.stdout
    assert records[1]["status"] == records[4]["status"] == "FAILED"
    assert "ParseError" in records[1]["error"]
    assert records[3] == {
        "line": 3,
        "id": None,
        "inputs": None,
        "execution_id": None,
        "status": "ERROR",
        "output": None,
        "error": "line 3 is not a JSON object",
    }
    assert done.stderr == ""  # not a terminal: no progress bar


def test_a_terminal_sees_elapsed_time_and_node_statuses(sandbox: Sandbox) -> None:
    import pty

    parent, child = pty.openpty()
    try:
        process = subprocess.Popen(
            [COMMAND, "run", "slow-report", "-i", "topic=tides"],
            env=_environment(sandbox),
            stdout=subprocess.PIPE,
            stderr=child,
            text=True,
        )
        stdout, _ = process.communicate(timeout=60)
        os.close(child)
        shown = b""
        while True:
            try:
                chunk = os.read(parent, 4096)
            except OSError:  # the terminal closed: everything was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(parent)

    assert process.returncode == 0
    assert stdout == "Report: Draft from notes on tides\n"  # stdout carries the result only
    assert b"/3 nodes done" in shown and b"Research SUCCESS" in shown
