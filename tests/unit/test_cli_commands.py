"""`run`, `results` and `get` on a scripted API: what each prints on stdout and stderr, the exit
code it ends with, and the requests it sends for each option. (tests/integration/test_cli.py runs
the real command on the sandbox.)"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import promptlayer_agents as pa
from promptlayer_agents.cli import main

from ..fakes import AGENT, FakeClock, ScriptedAPI, node, reply, started

KEY = "pl_cli_key_0123"
BASE = "https://agents.example"
RESULTS = "/workflow-version-execution-results"

GREETED = {"Out": node("SUCCESS", "Hello, Ada!", output=True)}
RUNNING = {"Out": node("RUNNING", output=True)}
FAILED = {
    "Parse": node("FAILED", error="ParseError: unexpected token"),
    "Out": node("SKIPPED", output=True),
}


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedAPI]:
    """The commands' client answers from a script, on a clock that never waits; no key or
    address comes from the environment."""
    scripted = ScriptedAPI()
    real = pa.Agents

    def client(**options: Any) -> pa.Agents:
        transport = httpx.MockTransport(scripted)
        agents = real(http_client=httpx.Client(transport=transport), **options)
        agents._ctx = dataclasses.replace(agents._ctx, clock=FakeClock())
        return agents

    monkeypatch.setattr(pa, "Agents", client)  # what the commands make their client with
    monkeypatch.delenv("PROMPTLAYER_API_KEY", raising=False)
    monkeypatch.delenv("PROMPTLAYER_BASE_URL", raising=False)
    monkeypatch.delenv("PROMPTLAYER_LOG", raising=False)
    yield scripted


def cli(*args: str) -> int:
    """The command with a key and an address given as options."""
    return main([*args, "--api-key", KEY, "--base-url", BASE])


def sent(api: ScriptedAPI) -> list[tuple[str, str, dict[str, str]]]:
    """Each request as (method, path, query parameters)."""
    return [(r.method, r.url.path, dict(r.url.params)) for r in api.requests]


def ctrl_c(request: httpx.Request) -> httpx.Response:
    """An answer that is Ctrl-C pressed while the request is on its way."""
    raise KeyboardInterrupt


# --- run ------------------------------------------------------------------------------------


def test_run_prints_the_main_output_and_sends_what_was_given(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers += [started(5), reply(202, RUNNING), reply(200, GREETED)]

    code = cli("run", "greeter", "-i", "name=Ada", "--metadata", "source=cli", "--label", "prod")

    shown = capsys.readouterr()
    assert (code, shown.out, shown.err) == (0, "Hello, Ada!\n", "")
    assert api.bodies()[0] == {
        "input_variables": {"name": "Ada"},
        "metadata": {"source": "cli"},
        "workflow_label_name": "prod",
        "return_all_outputs": False,
    }
    assert [path for _, path, _ in sent(api)] == ["/workflows/greeter/run", RESULTS, RESULTS]
    assert api.requests[0].headers["x-api-key"] == KEY
    assert str(api.requests[0].url).startswith(BASE + "/")


def test_run_sends_the_version_and_asks_for_every_node_with_all_outputs(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers += [started(5), reply(200, GREETED)]

    code = cli("run", "greeter", "--version", "3", "--all-outputs")

    assert code == 0
    body = api.bodies()[0]
    assert (body["workflow_version_number"], body["return_all_outputs"]) == (3, True)
    assert "metadata" not in body and "workflow_label_name" not in body
    assert sent(api)[1][2]["return_all_outputs"] == "true"


def test_run_no_wait_prints_the_execution_id_only(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(started(42))

    code = cli("run", "greeter", "-i", "name=Ada", "--no-wait")

    assert (code, capsys.readouterr().out) == (0, "42\n")
    assert len(api.requests) == 1


def test_run_no_wait_json_prints_a_result_not_done_with_the_warning(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(started(42, warning="Unexpected input variables: x"))

    code = cli("run", "greeter", "--no-wait", "--json", "-q")

    assert code == 0
    assert json.loads(capsys.readouterr().out) == {
        "execution_id": 42,
        "done": False,
        "status": "RUNNING",
        "output": None,
        "nodes": {},
        "warning": "Unexpected input variables: x",
    }


def test_run_json_prints_the_result_and_the_runs_warning(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers += [started(5, warning="w"), reply(200, GREETED)]

    code = cli("run", "greeter", "--json", "-q")

    printed = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (printed["status"], printed["output"], printed["warning"]) == (
        "SUCCESS",
        "Hello, Ada!",
        "w",
    )
    assert printed["nodes"]["Out"]["value"] == "Hello, Ada!"


def test_all_outputs_lists_every_node_aligned_with_failures_and_the_output_marked(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    nodes = {
        "A": node("SUCCESS", {"n": 1}),
        "Longer": node("SUCCESS", "text", output=True),
        "C": node("FAILED", "ignored", error="boom"),
        "D": {**node("QUEUED"), "status": None},
    }
    api.answers += [reply(200, nodes)]

    code = cli("results", "5", "--all-outputs")

    assert capsys.readouterr().out.splitlines() == [
        'A       SUCCESS  {"n": 1}',
        "Longer  SUCCESS  text (output)",
        "C       FAILED   boom",
        "D       (none)   null",
    ]
    assert code == 0  # the output node succeeded


def test_a_failed_run_exits_1_with_the_failure_and_prints_nothing_on_stdout(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers += [started(5), reply(200, FAILED)]

    code = cli("run", "extractor")

    shown = capsys.readouterr()
    assert code == 1 and shown.out == ""
    assert "Parse: ParseError: unexpected token" in shown.err and shown.err.count("\n") == 1


def test_a_failed_run_with_json_keeps_the_runs_warning(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers += [started(5, warning="Unexpected input variables: x"), reply(200, FAILED)]

    code = cli("run", "extractor", "--json", "-q")

    printed = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (printed["status"], printed["warning"]) == ("FAILED", "Unexpected input variables: x")


def test_a_terminal_sees_the_wait_status_and_then_the_result_alone(
    api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    monkeypatch.setenv("COLUMNS", "200")
    api.answers += [started(5), reply(202, RUNNING), reply(200, GREETED)]

    code = cli("run", "greeter")

    assert (code, capsys.readouterr().out) == (0, "Hello, Ada!\n")
    drawn = screen.getvalue()
    assert "\r\x1b[2K0/1 nodes done · " in drawn and " · execution 5 · Out RUNNING" in drawn
    assert drawn.endswith("\r\x1b[2K")  # cleared before the result is printed


@pytest.mark.parametrize("flag", ["--json", "--all-outputs"])
def test_a_failed_run_still_prints_its_result_with_json_or_all_outputs(
    flag: str, api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers += [started(5), reply(200, FAILED)]

    code = cli("run", "extractor", flag)

    out = capsys.readouterr().out
    assert code == 1
    if flag == "--json":
        assert json.loads(out)["status"] == "FAILED"
    else:
        assert out.splitlines()[0].split() == [
            "Parse",
            "FAILED",
            "ParseError:",
            "unexpected",
            "token",
        ]


def test_a_run_still_running_at_the_deadline_exits_4_and_says_how_to_resume(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(started(9))
    api.default = reply(202, RUNNING)

    code = cli("run", "slow", "--timeout", "3")

    shown = capsys.readouterr()
    assert code == 4 and shown.out == ""
    assert shown.err.startswith("promptlayer-agents: execution 9 still running after ")
    assert shown.err.endswith("(resume with: promptlayer-agents results 9 --wait)\n")


def test_a_timeout_with_json_prints_the_last_result_seen(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(started(9))
    api.default = reply(202, RUNNING)

    code = cli("run", "slow", "--timeout", "3", "--json")

    printed = json.loads(capsys.readouterr().out)
    assert code == 4
    assert (printed["execution_id"], printed["done"], printed["status"]) == (9, False, "RUNNING")
    assert printed["warning"] is None


def test_a_timeout_before_any_answer_prints_an_empty_result(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(started(9))
    api.default = reply(503, {"message": "down"}, {"retry-after": "10"})  # past the deadline

    code = cli("run", "slow", "--timeout", "3", "--json")

    printed = json.loads(capsys.readouterr().out)
    assert code == 4
    assert printed == {
        "execution_id": 9,
        "done": False,
        "status": "RUNNING",
        "output": None,
        "nodes": {},
        "warning": None,
    }


def test_ctrl_c_while_waiting_names_the_execution_and_exits_130(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers += [started(9), ctrl_c]

    code = cli("run", "slow")

    shown = capsys.readouterr()
    assert code == 130 and shown.out == ""
    assert shown.err == (
        "promptlayer-agents: interrupted; execution 9 keeps running "
        "(resume with: promptlayer-agents results 9 --wait)\n"
    )


def test_log_lines_never_show_the_key(api: ScriptedAPI, capsys: pytest.CaptureFixture[str]) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        import logging

        logging.getLogger("promptlayer_agents").warning("the server saw %s", KEY)
        return reply(200, AGENT)

    api.answers.append(echo)

    assert cli("get", "bot") == 0
    assert capsys.readouterr().err == "warning: the server saw ***\n"


def test_ctrl_c_before_the_run_answered_says_interrupted(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(ctrl_c)

    code = cli("run", "slow")

    assert (code, capsys.readouterr().err) == (130, "promptlayer-agents: interrupted\n")


# --- inputs -----------------------------------------------------------------------------------


def test_inputs_from_a_file_then_i_on_top(
    api: ScriptedAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    given = tmp_path / "inputs.json"
    given.write_text('{"name": "File", "n": 1}', encoding="utf-8")
    api.answers.append(started(1))

    code = cli("run", "a", "--inputs", str(given), "-i", "name=Flag", "--no-wait")

    assert code == 0
    assert api.bodies()[0]["input_variables"] == {"name": "Flag", "n": 1}


def test_inputs_from_stdin(
    api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"name": "In"}'))
    api.answers.append(started(1))

    assert cli("run", "a", "--inputs", "-", "--no-wait") == 0
    assert api.bodies()[0]["input_variables"] == {"name": "In"}


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            " {not json",
            "--inputs (inline JSON): Expecting property name enclosed in double quotes: "
            "line 1 column 3 (char 2)\n",
        ),
        ("[1]", "--inputs [1]: No such file or directory\n"),  # no brace: a file name
    ],
)
def test_bad_inputs_stop_the_command_before_anything_is_sent(
    given: str, said: str, api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli("run", "a", "--inputs", given)

    shown = capsys.readouterr().err
    assert code == 2 and shown == f"promptlayer-agents: {said}"
    assert api.requests == []


def test_bad_inputs_on_stdin_say_stdin(
    api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("[1"))

    code = cli("run", "a", "--inputs", "-")

    assert code == 2
    assert capsys.readouterr().err.startswith("promptlayer-agents: --inputs stdin: Expecting ")
    assert api.requests == []


def test_inputs_nested_too_deep_to_read_are_refused(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = '{"a": ' + "[" * 200_000 + "]" * 200_000 + "}"

    code = cli("run", "a", "--inputs", deep)

    assert code == 2
    assert capsys.readouterr().err.startswith("promptlayer-agents: --inputs (inline JSON): ")
    assert api.requests == []


def test_inputs_that_are_json_but_not_an_object_are_refused(
    api: ScriptedAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    given = tmp_path / "list.json"
    given.write_text("[1, 2]", encoding="utf-8")

    code = cli("run", "a", "--inputs", str(given))

    assert code == 2
    assert f"--inputs {given}: expected a JSON object" in capsys.readouterr().err
    assert api.requests == []


@pytest.mark.parametrize("pair", ["name", "=value"])
def test_an_input_without_a_key_is_a_usage_error(
    pair: str, api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli("run", "a", "-i", pair)

    assert exited.value.code == 2
    assert f"expected KEY=VALUE, not {pair!r}" in capsys.readouterr().err


def test_an_input_value_may_hold_equals_signs(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(started(1))

    cli("run", "a", "-i", "expr=a=b", "--metadata", "k=", "--no-wait")

    assert api.bodies()[0]["input_variables"] == {"expr": "a=b"}
    assert api.bodies()[0]["metadata"] == {"k": ""}


# --- results ----------------------------------------------------------------------------------


def test_results_prints_the_output_of_a_finished_execution(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(reply(200, GREETED))

    code = cli("results", "5")

    assert (code, capsys.readouterr().out) == (0, "Hello, Ada!\n")
    assert sent(api) == [
        (
            "GET",
            RESULTS,
            {"workflow_version_execution_id": "5", "return_all_outputs": "false"},
        )
    ]


def test_results_of_a_bare_main_output_print_it(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(reply(200, "Hello, Bo!"))  # the output alone: no node map

    code = cli("results", "5")

    assert (code, capsys.readouterr().out) == (0, "Hello, Bo!\n")


def test_results_json_asks_for_every_node(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(reply(200, GREETED))

    code = cli("results", "5", "--json")

    assert code == 0
    assert sent(api)[0][2]["return_all_outputs"] == "true"
    assert json.loads(capsys.readouterr().out)["output"] == "Hello, Ada!"


def test_results_of_a_running_execution_exit_6_and_say_how_to_wait(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(reply(202, RUNNING))

    code = cli("results", "5")

    shown = capsys.readouterr()
    assert (code, shown.out) == (6, "")
    assert shown.err == (
        "promptlayer-agents: execution 5 is still running "
        "(wait for it with: promptlayer-agents results 5 --wait)\n"
    )


def test_results_of_a_failed_execution_exit_1_with_the_failure(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(reply(200, FAILED))

    code = cli("results", "5")

    shown = capsys.readouterr()
    assert (code, shown.out) == (1, "")  # as `run` prints: no `null` for the output it lacks
    assert shown.err == "execution 5 failed: Parse: ParseError: unexpected token\n"


def test_results_wait_polls_until_final(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers += [reply(202, RUNNING), reply(202, RUNNING), reply(200, GREETED)]

    code = cli("results", "5", "--wait")

    assert (code, capsys.readouterr().out) == (0, "Hello, Ada!\n")
    assert len(api.requests) == 3


def test_results_of_one_node_asks_for_it_and_lists_it(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(reply(200, {"Name": node("SUCCESS", "Ada")}))

    code = cli("results", "5", "--node", "Name")

    assert (code, capsys.readouterr().out) == (0, "Name  SUCCESS  Ada\n")
    params = sent(api)[0][2]
    assert (params["workflow_node_name"], params["return_all_outputs"]) == ("Name", "true")


def test_results_of_a_node_that_does_not_exist_exit_7(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(reply(200, {}))

    code = cli("results", "5", "--node", "Nope")

    shown = capsys.readouterr()
    assert (code, shown.out) == (7, "")
    assert shown.err == "promptlayer-agents: execution 5 has no node named 'Nope'\n"


def test_results_node_with_wait_is_refused_before_anything_is_sent(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli("results", "5", "--node", "Name", "--wait")

    assert code == 2
    assert capsys.readouterr().err == (
        "promptlayer-agents: --node reads the results once: it cannot be used with --wait\n"
    )
    assert api.requests == []


# --- get ----------------------------------------------------------------------------------------


def test_get_prints_a_summary_and_sends_the_label(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(reply(200, AGENT))

    code = cli("get", "bot", "--label", "prod")

    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("bot (id 1) version 1, labels: none\n") and out.endswith("\n")
    assert sent(api) == [("GET", "/workflows/bot", {"label": "prod"})]


def test_get_json_prints_the_definition_indented(
    api: ScriptedAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers.append(reply(200, AGENT))

    code = cli("get", "bot", "--version", "2", "--json")

    out = capsys.readouterr().out
    assert code == 0
    assert json.loads(out)["workflow_name"] == "bot"
    assert out.startswith('{\n  "')
    assert sent(api) == [("GET", "/workflows/bot", {"version": "2"})]
