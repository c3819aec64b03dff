"""`batch` starts no input twice, whatever is lost: answers dropped by the server, or the process
SIGKILLed at any instant. Counted on the server side, from the executions the sandbox records."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from promptlayer_agents.cli import main
from promptlayer_agents.cli._common import EXIT_OK, EXIT_UNKNOWN
from promptlayer_agents.sandbox import Faults, Sandbox

COMMAND = str(Path(sys.executable).with_name("promptlayer-agents"))

ECHO = {
    "agents": [
        {
            "workflow_name": "echo",
            "versions": [
                {
                    "required_input_variables": {"text": "string"},
                    "nodes": [
                        {
                            "name": "Echo",
                            "node_type": "TEXT_TEMPLATE",
                            "dependencies": ["text"],
                            "configuration": {"template": "echo {text}", "sandbox_duration": 0.05},
                            "is_output_node": True,
                        }
                    ],
                }
            ],
        }
    ]
}


def _inputs(path: Path, total: int) -> list[str]:
    texts = [f"t{n}" for n in range(1, total + 1)]
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    return texts


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _started(sandbox: Sandbox) -> dict[int, str]:
    """Every execution the sandbox started: id -> its `text` input (ids count up from 1)."""
    executions = sandbox.state.executions
    found = [executions.get(number) for number in range(1, len(executions) + 1)]
    return {e.id: e.inputs["text"] for e in found if e is not None}


def _check_at_most_once(sandbox: Sandbox, texts: list[str], out: Path) -> list[dict[str, Any]]:
    """0 inputs started twice, every input line exactly one result line, every SUCCESS backed by
    the execution that ran its input, and no execution nobody can account for."""
    records = _records(out)
    started = _started(sandbox)
    assert max(Counter(started.values()).values(), default=0) == 1, "an input started twice"
    assert sorted(r["line"] for r in records) == list(range(1, len(texts) + 1))
    by_text = {r["inputs"]["text"]: r for r in records}
    for record in records:
        assert record["status"] in {"SUCCESS", "UNKNOWN"}, record
        if record["status"] == "SUCCESS":
            assert started[record["execution_id"]] == record["inputs"]["text"]
            assert record["output"] == f"echo {record['inputs']['text']}"
    for text in started.values():  # an execution of an UNKNOWN input may exist; of no other
        assert by_text[text]["status"] in {"SUCCESS", "UNKNOWN"}
    return records


def _batch(sandbox: Sandbox, inputs: Path, out: Path, *extra: str) -> list[str]:
    connection = ["--api-key", sandbox.api_key, "--base-url", sandbox.url]
    return ["batch", "echo", "--inputs", str(inputs), "--out", str(out), *connection, *extra]


def test_lost_answers_end_unknown_and_are_never_started_again(
    sandbox_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox = sandbox_factory(ECHO, faults=Faults(drop=0.1, seed=11))
    inputs, out = tmp_path / "inputs.jsonl", tmp_path / "out.jsonl"
    texts = _inputs(inputs, 100)
    command = _batch(sandbox, inputs, out, "--concurrency", "20")

    codes = []
    for _ in range(6):  # bounded: a poll's answer lost three times in a row ends in an ERROR
        codes.append(main(command))
        if all(r["status"] != "ERROR" for r in _records(out)):
            break
    records = _check_at_most_once(sandbox, texts, out)
    unknown = [r for r in records if r["status"] == "UNKNOWN"]

    assert unknown, "with 10% of answers dropped some run answers are lost"
    assert codes[-1] == EXIT_UNKNOWN
    assert all("--retry-unknown" in r["error"] and r["execution_id"] is None for r in unknown)
    summary = capsys.readouterr().out.splitlines()[-1]
    assert f"{len(records) - len(unknown)} succeeded, 0 failed, 0 errors" in summary
    assert f"{len(unknown)} unknown" in summary

    runs = sandbox.state.requests["POST run"]
    assert main(command) == EXIT_UNKNOWN  # a plain rerun starts nothing
    assert sandbox.state.requests["POST run"] == runs
    assert _records(out) == records

    sandbox.state.faults = Faults()
    assert main([*command, "--retry-unknown"]) == EXIT_OK  # at least once, when asked
    final = _records(out)
    assert sorted(r["line"] for r in final) == list(range(1, len(texts) + 1))
    assert {r["status"] for r in final} == {"SUCCESS"}
    assert sandbox.state.requests["POST run"] == runs + len(unknown)


def _kill_at(process: subprocess.Popen[str], sandbox: Sandbox, runs: int, deadline: float) -> None:
    """SIGKILL the process as soon as the server has received `runs` run requests in all (or
    when it ended, or at the deadline): while that run is handled, answered or journalled."""
    while time.monotonic() < deadline and sandbox.state.requests["POST run"] < runs:
        try:
            process.wait(timeout=0.005)
            return
        except subprocess.TimeoutExpired:
            continue
    process.kill()
    process.wait(timeout=10)


def test_sigkill_at_any_instant_never_starts_an_input_twice(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = sandbox_factory(ECHO)
    inputs, out = tmp_path / "inputs.jsonl", tmp_path / "out.jsonl"
    texts = _inputs(inputs, 40)
    command = [COMMAND, *_batch(sandbox, inputs, out, "--concurrency", "8")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTLAYER_")}
    dice = random.Random(7)
    deadline = time.monotonic() + 60  # bounded in time, and in kills below

    for _ in range(6):
        runs = sandbox.state.requests["POST run"]
        target = runs + dice.randint(1, 8)  # kill as the server receives this run request
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
        )
        _kill_at(process, sandbox, target, deadline)
        if process.returncode != -signal.SIGKILL:
            break  # it finished first

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    records = _check_at_most_once(sandbox, texts, out)
    unknown = sum(r["status"] == "UNKNOWN" for r in records)
    assert done.returncode == (EXIT_UNKNOWN if unknown else EXIT_OK), done.stderr
    assert "Traceback" not in done.stderr
    assert unknown <= 6 * 8  # at most the runs in flight at each kill


def _closed_port_url() -> str:
    """The URL of a port nothing listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_runs_that_certainly_did_not_start_are_started_on_the_rerun(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    sandbox = sandbox_factory(ECHO, faults=Faults(rate_limit=1.0, retry_after=0))
    inputs, out = tmp_path / "inputs.jsonl", tmp_path / "out.jsonl"
    texts = _inputs(inputs, 10)
    command = _batch(sandbox, inputs, out, "--concurrency", "10")

    refused = main([*command, "--base-url", _closed_port_url()])  # the later option wins
    refused_records = _records(out)
    limited = main(command)  # every request answered 429
    limited_records = _records(out)
    sandbox.state.faults = Faults()
    done = main(command)

    assert (refused, limited, done) == (1, 1, EXIT_OK)
    for records in (refused_records, limited_records):
        assert {(r["status"], r["execution_id"]) for r in records} == {("ERROR", None)}
    assert sorted(_started(sandbox).values()) == sorted(texts)  # each exactly once
    _check_at_most_once(sandbox, texts, out)
