"""`run --json` and `results --json` against the sandbox: one shape, the one its JSON Schema
(docs/result.schema.json) states, however the command ends; and the exit codes a script reads:
still running, no such node."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs pinned: used here alone
import pytest

from promptlayer_agents.cli import main
from promptlayer_agents.cli._common import (
    EXIT_FAILED,
    EXIT_NO_NODE,
    EXIT_OK,
    EXIT_RUNNING,
    EXIT_TIMEOUT,
)
from promptlayer_agents.sandbox import Sandbox

from ..helpers import ROOT

SCHEMA = json.loads((ROOT / "docs" / "result.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@pytest.fixture(autouse=True)
def _connected(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTLAYER_BASE_URL", sandbox.url)
    monkeypatch.setenv("PROMPTLAYER_API_KEY", sandbox.api_key)


def _command(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    """(exit code, the JSON on stdout, stderr), after checking stdout is one valid document."""
    code = main(["-q", *argv])
    shown = capsys.readouterr()
    document = json.loads(shown.out)
    assert shown.out.count("\n") == 1, shown.out
    VALIDATOR.validate(document)
    return code, document, shown.err


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_way_run_and_results_end_prints_the_schema_shape(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Each command's exit code, with its document checked against the schema by _command.
    ends = {
        "run": _command(capsys, "run", "greeter", "-i", "name=Ada", "--json"),
        "run --all-outputs": _command(
            capsys, "run", "greeter", "-i", "name=Ada", "--json", "--all-outputs"
        ),
        "run, failed": _command(capsys, "run", "flaky-extractor", "-i", "document=x", "--json"),
        "run --no-wait": _command(
            capsys, "run", "slow-report", "-i", "topic=t", "--json", "--no-wait"
        ),
        "run, timed out": _command(
            capsys, "run", "slow-report", "-i", "topic=t", "--json", "--timeout", "0.2"
        ),
        "results": _command(capsys, "results", "1", "--json"),
        "results, running": _command(capsys, "results", "5", "--json"),  # the one timed out
        "results --node": _command(capsys, "results", "1", "--json", "--node", "Greeting"),
        "results --wait": _command(capsys, "results", "4", "--json", "--wait"),
    }

    codes = {end: code for end, (code, _, _) in ends.items()}
    assert codes == {
        "run": EXIT_OK,
        "run --all-outputs": EXIT_OK,
        "run, failed": EXIT_FAILED,
        "run --no-wait": EXIT_OK,
        "run, timed out": EXIT_TIMEOUT,
        "results": EXIT_OK,
        "results, running": EXIT_RUNNING,
        "results --node": EXIT_OK,
        "results --wait": EXIT_OK,
    }
    assert ends["run, failed"][1]["status"] == "FAILED"
    assert ends["run --no-wait"][1]["status"] == ends["results, running"][1]["status"] == "RUNNING"
    assert list(ends["results --node"][1]["nodes"]) == ["Greeting"]


def test_run_and_results_print_the_same_document_for_the_same_execution(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, ran, _ = _command(
        capsys, "run", "support-bot", "--label", "staging", "-i", "question=q", "--json"
    )
    _, read, _ = _command(capsys, "results", str(ran["execution_id"]), "--json")

    assert "warning" in ran and "warning" not in read  # the run's own word on its inputs
    del ran["warning"]
    assert read == ran
    assert ran["nodes"]  # every node, in both, without --all-outputs


def test_results_of_a_running_execution_exit_6(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "slow-report", "-i", "topic=t", "--no-wait"]) == EXIT_OK
    execution_id = capsys.readouterr().out.strip()

    code = main(["results", execution_id])

    shown = capsys.readouterr()
    assert code == EXIT_RUNNING
    assert shown.out == ""
    assert shown.err == (
        f"promptlayer-agents: execution {execution_id} is still running "
        f"(wait for it with: promptlayer-agents results {execution_id} --wait)\n"
    )


def test_results_of_a_node_that_does_not_exist_exit_7(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "greeter", "-i", "name=Ada"]) == EXIT_OK
    capsys.readouterr()

    code = main(["results", "1", "--node", "Nope"])

    shown = capsys.readouterr()
    assert code == EXIT_NO_NODE
    assert shown.err == "promptlayer-agents: execution 1 has no node named 'Nope'\n"


@pytest.mark.parametrize("agent", ["greeter", "flaky-extractor"])
def test_execution_result_to_dict_is_what_results_json_prints(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], agent: str
) -> None:
    import promptlayer_agents as pa

    inputs = {"name": "Ada"} if agent == "greeter" else {"document": "x"}
    with pa.Agents() as agents:
        started = agents.run(agent, input_variables=inputs)
        with contextlib.suppress(pa.ExecutionFailedError):  # a failed run is read the same
            agents.wait(started.execution_id, timeout=60)
        result = agents.get_results(started.execution_id, return_all_outputs=True)
    _, printed, _ = _command(capsys, "results", str(started.execution_id), "--json")

    assert result.to_dict() == printed
    VALIDATOR.validate(result.to_dict())
