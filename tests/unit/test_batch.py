"""`promptlayer-agents batch` on a scripted API: one result line per input, resumable, never
running an input twice. (tests/integration/test_cli.py runs the real command on the sandbox.)"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import math
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import promptlayer_agents as pa
from promptlayer_agents.cli import main
from promptlayer_agents.cli._ledger import Target, identity

from ..fakes import FakeClock, ScriptedAPI, node, reply


class Agency:
    """The Agents API for a batch: each run starts execution 100, 101, ...; each execution
    greets its `name` input, or fails when the name is "fail"."""

    def __init__(self) -> None:
        self.inputs: dict[int, dict[str, Any]] = {}
        self.refuse: set[str] = set()
        self.runs: list[dict[str, Any]] = []  # every run request's body
        self.unfinished: set[str] = set()  # names whose execution keeps running
        self.on_run: Callable[[], None] = lambda: None
        self.scripted = ScriptedAPI()  # set by the fixture: what was sent

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.runs.append(json.loads(request.content))
            self.on_run()
            inputs = self.runs[-1]["input_variables"]
            if inputs.get("name") in self.refuse:
                return reply(422, {"success": False, "message": "Missing input variables"})
            execution_id = 100 + len(self.inputs)
            self.inputs[execution_id] = inputs
            return reply(
                201,
                {"success": True, "message": "ok", "workflow_version_execution_id": execution_id},
            )
        execution_id = int(request.url.params["workflow_version_execution_id"])
        name = self.inputs[execution_id].get("name")
        if name in self.unfinished:
            return reply(202, {"Out": node("RUNNING", output=True)})
        if name == "fail":
            failed = {
                "Greet": node("FAILED", error="no greeting"),
                "Out": node("SKIPPED", output=True),
            }
            return reply(200, failed)
        return reply(200, {"Out": node("SUCCESS", f"Hello, {name}!", output=True)})


@pytest.fixture
def agency(monkeypatch: pytest.MonkeyPatch) -> Iterator[Agency]:
    """The batch command's client answers from an Agency, on a clock that never waits."""
    api = Agency()
    scripted = api.scripted = ScriptedAPI(default=api)

    real = pa.AsyncAgents

    def client(**options: Any) -> pa.AsyncAgents:
        transport = httpx.MockTransport(scripted)
        agents = real(http_client=httpx.AsyncClient(transport=transport), **options)
        agents._ctx = dataclasses.replace(agents._ctx, clock=FakeClock())
        return agents

    monkeypatch.setattr(pa, "AsyncAgents", client)  # what the batch command makes its client with
    monkeypatch.setenv("PROMPTLAYER_API_KEY", "pl_test")
    yield api


def ident(inputs: dict[str, Any], occurrence: int = 1) -> str:
    """The identity of an input of the `greeter` agent, as the results and the journal hold it."""
    return identity(Target("greeter").digest(inputs), occurrence)


def batch(tmp_path: Path, *lines: str, extra: tuple[str, ...] = ()) -> int:
    inputs = tmp_path / "in.jsonl"
    if lines:
        inputs.write_text("".join(line + "\n" for line in lines), "utf-8")
    out = tmp_path / "out.jsonl"
    return main(["batch", "greeter", "--inputs", str(inputs), "--out", str(out), *extra])


def results(tmp_path: Path) -> list[dict[str, Any]]:
    text = (tmp_path / "out.jsonl").read_text("utf-8")
    records = (json.loads(line) for line in text.split("\n") if line)  # JSONL: "\n" ends a line
    return sorted(records, key=lambda r: r["line"])


def test_every_input_gets_one_result_line(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = batch(tmp_path, '{"name": "Ada"}', "", '{"name": "Grace"}', extra=("--concurrency", "1"))

    assert code == 0
    assert results(tmp_path) == [
        {
            "line": 1,
            "id": ident({"name": "Ada"}),
            "inputs": {"name": "Ada"},
            "execution_id": 100,
            "status": "SUCCESS",
            "output": "Hello, Ada!",
            "error": None,
        },
        {
            "line": 3,
            "id": ident({"name": "Grace"}),
            "inputs": {"name": "Grace"},
            "execution_id": 101,
            "status": "SUCCESS",
            "output": "Hello, Grace!",
            "error": None,
        },
    ]
    out = capsys.readouterr().out
    assert (
        out == f"2 succeeded, 0 failed, 0 errors, 0 unknown; results in {tmp_path / 'out.jsonl'}\n"
    )
    assert not (tmp_path / "out.jsonl.pending").exists()


def test_failures_and_bad_lines_are_recorded_and_counted(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agency.refuse.add("ghost")

    code = batch(
        tmp_path, '{"name": "fail"}', "not json", "[1, 2]", '{"name": "ghost"}', '{"name": "Cy"}'
    )

    assert code == 1
    records = results(tmp_path)
    assert [(r["line"], r["status"]) for r in records] == [
        (1, "FAILED"),
        (2, "ERROR"),
        (3, "ERROR"),
        (4, "ERROR"),
        (5, "SUCCESS"),
    ]
    assert records[0]["error"] == "Greet: no greeting"
    assert agency.inputs[records[0]["execution_id"]] == {"name": "fail"}  # its run's own id
    assert records[1]["error"].startswith("line 2 is not JSON: ")
    assert records[1]["inputs"] is None and records[1]["execution_id"] is None
    assert records[2]["error"] == "line 3 is not a JSON object"
    assert records[3]["error"] == "HTTP 422: Missing input variables"
    assert records[3]["execution_id"] is None
    assert "1 succeeded, 1 failed, 3 errors" in capsys.readouterr().out
    assert (tmp_path / "out.jsonl.pending").exists()  # kept while inputs remain to be done


def test_a_rerun_skips_finished_inputs_and_retries_errors(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agency.refuse.add("Ada")
    lines = ('{"name": "Ada"}', '{"name": "fail"}', '{"name": "Cy"}')
    assert batch(tmp_path, *lines) == 1
    started_before = len(agency.inputs)
    agency.refuse.clear()
    capsys.readouterr()

    assert batch(tmp_path, *lines) == 1

    assert [(r["line"], r["status"]) for r in results(tmp_path)] == [
        (1, "SUCCESS"),
        (2, "FAILED"),
        (3, "SUCCESS"),
    ]
    assert len(agency.inputs) == started_before + 1  # only Ada ran again
    captured = capsys.readouterr()
    assert "skipping 2 inputs already done" in captured.err
    assert "2 succeeded, 1 failed, 0 errors" in captured.out


def test_a_started_run_in_the_journal_is_waited_for_not_started_again(
    agency: Agency, tmp_path: Path
) -> None:
    agency.inputs[100] = {"name": "Ada"}
    (tmp_path / "out.jsonl.pending").write_text('{"line": 1, "execution_id": 100}\n', "utf-8")
    (tmp_path / "out.jsonl").write_text('{"line": 1, "status": "ERROR"}\n{"line": 2, "sta', "utf-8")

    code = batch(tmp_path, '{"name": "Ada"}', '{"name": "Bo"}')

    assert code == 0
    records = results(tmp_path)
    assert [(r["line"], r["execution_id"], r["output"]) for r in records] == [
        (1, 100, "Hello, Ada!"),
        (2, 101, "Hello, Bo!"),
    ]
    assert list(agency.inputs) == [100, 101]
    assert not (tmp_path / "out.jsonl.pending").exists()


def test_an_unreadable_inputs_file_is_a_usage_error(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = batch(tmp_path)

    assert code == 2
    assert f"--inputs {tmp_path / 'in.jsonl'}: No such file or directory" in capsys.readouterr().err
    assert agency.inputs == {}


@pytest.mark.parametrize("concurrency", ["0", "-1"])
def test_concurrency_must_be_at_least_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], concurrency: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        batch(tmp_path, extra=("--concurrency", concurrency))

    assert caught.value.code == 2
    assert f"must be at least 1, not {concurrency}" in capsys.readouterr().err


def test_the_help_shows_each_option_as_the_readme_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["batch", "--help"])
    assert caught.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit):
        main(["--help"])
    overview = " ".join(capsys.readouterr().out.split())

    for shown in [
        "NAME the agent's name or numeric id",
        "--inputs FILE.jsonl one JSON object of input variables per line",
        "--out RESULTS.jsonl one JSON result per input; rerunning skips the inputs already done",
        "--concurrency N runs in flight at once (default 8)",
        "--timeout S give up waiting for one run after S seconds (default 600)",
        "--retry-unknown start again the inputs whose run may have started but whose answer was "
        "lost (UNKNOWN): at least once instead of at most once",
    ]:
        assert shown in text
    assert "batch one run per line of a JSONL file, resumable" in overview


def test_inputs_and_out_are_required(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["batch", "greeter"])

    assert caught.value.code == 2
    assert "the following arguments are required: --inputs, --out" in capsys.readouterr().err


def test_the_label_or_version_is_sent_with_every_run(agency: Agency, tmp_path: Path) -> None:
    assert batch(tmp_path, '{"name": "Ada"}', extra=("--label", "prod")) == 0
    (tmp_path / "out.jsonl").unlink()
    assert batch(tmp_path, '{"name": "Ada"}', extra=("--version", "3")) == 0

    assert [
        (body.get("workflow_label_name"), body.get("workflow_version_number"))
        for body in agency.runs
    ] == [
        ("prod", None),
        (None, 3),
    ]


def test_an_input_still_running_at_the_timeout_is_an_error_and_is_waited_for_on_a_rerun(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agency.unfinished.add("Slow")

    assert batch(tmp_path, '{"name": "Slow"}', extra=("--timeout", "2")) == 1
    (record,) = results(tmp_path)
    assert (record["status"], record["execution_id"]) == ("ERROR", 100)
    assert record["error"] == "execution 100 was not finished after 2.0s; resume with wait(100)"
    journal = (tmp_path / "out.jsonl.pending").read_text("utf-8")
    slow = ident({"name": "Slow"})
    assert [json.loads(line) for line in journal.splitlines()] == [
        {"id": slow, "line": 1, "sending": True},  # journalled before the run is sent
        {"id": slow, "line": 1, "execution_id": 100},
    ]

    agency.unfinished.clear()
    capsys.readouterr()
    assert batch(tmp_path, '{"name": "Slow"}') == 0

    assert [(r["status"], r["execution_id"], r["output"]) for r in results(tmp_path)] == [
        ("SUCCESS", 100, "Hello, Slow!")
    ]
    assert len(agency.runs) == 1
    assert "skipping" not in capsys.readouterr().err


def test_ctrl_c_stops_starting_runs_and_a_rerun_finishes_each_input_once(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ('{"name": "Ada"}', '{"name": "Bo"}', '{"name": "Cy"}')
    agency.on_run = lambda: signal.raise_signal(signal.SIGINT)  # Ctrl-C as the first run starts

    code = batch(tmp_path, *lines, extra=("--concurrency", "1"))

    assert code == 130
    assert len(agency.runs) == 1  # the run already sent finished and was journalled
    done = len(results(tmp_path)) if (tmp_path / "out.jsonl").read_text("utf-8") else 0
    assert (
        f"interrupted: {done} of 3 done, {3 - done} left; rerun the same command to continue"
        in (capsys.readouterr().err)
    )

    agency.on_run = lambda: None
    assert batch(tmp_path, *lines) == 0

    assert [(r["line"], r["status"]) for r in results(tmp_path)] == [
        (1, "SUCCESS"),
        (2, "SUCCESS"),
        (3, "SUCCESS"),
    ]
    assert [run["input_variables"]["name"] for run in agency.runs] == ["Ada", "Bo", "Cy"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_ends_with_the_counts(
    agency: Agency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However soon the batch ends after its last redraw: no redraw between the first and the
    last is due (an endless interval), yet both are drawn."""
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setenv("COLUMNS", "120")  # room for the bar after the counts
    monkeypatch.setattr("promptlayer_agents.cli._terminal.REFRESH", math.inf)

    batch(tmp_path, '{"name": "fail"}', '{"name": "Ada"}', '{"name": "Bo"}')

    drawn = [part for part in terminal.getvalue().split("\r\x1b[2K") if part]
    assert [part.split(" · ")[0] for part in drawn] == ["0/3 done", "3/3 done"]
    assert " · 2 succeeded, 1 failed, 0 errors, 0 unknown [" + "#" * 24 + "]" in drawn[-1]
    assert all("None" not in part for part in drawn)


def test_the_key_and_address_given_are_used(agency: Agency, tmp_path: Path) -> None:
    extra = ("--api-key", "pl_given", "--base-url", "http://127.0.0.1:9/api")
    assert batch(tmp_path, '{"name": "Ada"}', extra=extra) == 0

    sent = agency.scripted.requests
    assert [str(r.url).split("?")[0] for r in sent] == [
        "http://127.0.0.1:9/api/workflows/greeter/run",
        "http://127.0.0.1:9/api/workflow-version-execution-results",
    ]
    assert {r.headers["X-API-KEY"] for r in sent} == {"pl_given"}


def test_results_into_a_missing_folder_start_nothing(agency: Agency, tmp_path: Path) -> None:
    """A mistyped folder is an error, not created behind the user's back."""
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"name": "Ada"}\n', "utf-8")
    out = tmp_path / "new" / "folder" / "out.jsonl"

    with pytest.raises(SystemExit) as exited:
        main(["batch", "greeter", "--inputs", str(inputs), "--out", str(out)])

    assert exited.value.code == 2
    assert agency.scripted.requests == [] and not (tmp_path / "new").exists()


def test_text_is_written_as_it_is(agency: Agency, tmp_path: Path) -> None:
    assert batch(tmp_path, '{"name": "Zoë 🌱"}') == 0

    line = (tmp_path / "out.jsonl").read_text("utf-8")
    assert '"Hello, Zoë 🌱!"' in line


def test_lines_of_the_results_that_are_not_records_are_ignored_on_a_rerun(
    agency: Agency, tmp_path: Path
) -> None:
    done = {"line": 2, "inputs": {"name": "Bo"}, "execution_id": 7, "status": "SUCCESS"}
    (tmp_path / "out.jsonl").write_text(
        "garbage\n[1, 2]\n"
        + json.dumps({"line": "1", "status": "SUCCESS"})
        + "\n"
        + json.dumps(done)
        + "\n",
        "utf-8",
    )
    inode = (tmp_path / "out.jsonl").stat().st_ino

    assert batch(tmp_path, '{"name": "Ada"}', '{"name": "Bo"}') == 0

    assert (tmp_path / "out.jsonl").stat().st_ino == inode  # appended to, not replaced
    lines = (tmp_path / "out.jsonl").read_text("utf-8").splitlines()
    assert lines[:3] == ["garbage", "[1, 2]", '{"line": "1", "status": "SUCCESS"}']
    assert [(json.loads(x)["line"], json.loads(x)["status"]) for x in lines[3:]] == [
        (2, "SUCCESS"),
        (1, "SUCCESS"),
    ]
    assert [run["input_variables"]["name"] for run in agency.runs] == ["Ada"]


def test_a_torn_last_line_does_not_swallow_the_next_result(agency: Agency, tmp_path: Path) -> None:
    ada = {"line": 1, "inputs": {"name": "Ada"}, "execution_id": 7, "status": "SUCCESS"}
    (tmp_path / "out.jsonl").write_text(json.dumps(ada) + '\n{"line": 2, "sta', "utf-8")
    lines = ('{"name": "Ada"}', '{"name": "Bo"}')

    assert batch(tmp_path, *lines) == 0
    assert batch(tmp_path, *lines) == 0

    assert [(r["line"], r["status"]) for r in results(tmp_path)] == [(1, "SUCCESS"), (2, "SUCCESS")]
    assert [run["input_variables"]["name"] for run in agency.runs] == ["Bo"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_unicode_line_separators_in_text_never_make_an_input_run_again(
    agency: Agency, tmp_path: Path, separator: str
) -> None:
    """Results hold text as written; read back split at other line breaks than "\\n", a finished
    input's record was lost and the input started again on every rerun."""
    raw = json.dumps({"name": f"Ada{separator}Lovelace"}, ensure_ascii=False)  # valid JSON

    assert batch(tmp_path, raw, '{"name": "Grace"}') == 0
    assert batch(tmp_path, raw, '{"name": "Grace"}') == 0

    assert len(agency.runs) == 2
    assert [(r["line"], r["status"]) for r in results(tmp_path)] == [(1, "SUCCESS"), (2, "SUCCESS")]


def test_results_that_would_overwrite_the_inputs_are_refused(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"name": "Ada"}\n', "utf-8")

    code = main(["batch", "greeter", "--inputs", str(inputs), "--out", str(inputs)])

    assert code == 2 and "would overwrite the inputs" in capsys.readouterr().err
    assert inputs.read_text("utf-8") == '{"name": "Ada"}\n' and agency.runs == []


def test_the_last_input_needs_no_line_end(agency: Agency, tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text('{"name": "Ada"}\r\n{"name": "Bo"}', "utf-8")

    assert batch(tmp_path) == 0

    assert [run["input_variables"]["name"] for run in agency.runs] == ["Ada", "Bo"]


def test_a_line_nested_too_deeply_is_an_error_and_the_next_line_still_runs(
    agency: Agency, tmp_path: Path
) -> None:
    deep = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"

    assert batch(tmp_path, deep, '{"name": "Bo"}') == 1

    assert [(r["line"], r["inputs"], r["status"], r["error"]) for r in results(tmp_path)] == [
        (1, None, "ERROR", "line 1 is nested too deeply"),
        (2, {"name": "Bo"}, "SUCCESS", None),
    ]


def test_inputs_that_are_not_utf8_are_a_usage_error(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in.jsonl").write_bytes(b'{"name": "Ad\xff"}\n')

    assert batch(tmp_path) == 2

    err = capsys.readouterr().err
    assert f"--inputs {tmp_path / 'in.jsonl'}: not UTF-8 text (invalid start byte)" in err
    assert agency.runs == []


def test_results_that_cannot_be_written_are_a_usage_error_naming_why(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in.jsonl").write_text('{"name": "Ada"}\n', "utf-8")
    (tmp_path / "file").write_text("", "utf-8")
    out = tmp_path / "file" / "out.jsonl"  # a folder that is a file

    with pytest.raises(SystemExit) as exited:
        main(["batch", "greeter", "--inputs", str(tmp_path / "in.jsonl"), "--out", str(out)])

    assert exited.value.code == 2
    assert f"--out: {str(out.parent)!r} is not a directory" in capsys.readouterr().err
    assert agency.runs == []


def test_undecodable_bytes_in_the_results_do_not_stop_a_rerun(
    agency: Agency, tmp_path: Path
) -> None:
    ada = {"line": 1, "inputs": {"name": "Ada"}, "execution_id": 7, "status": "SUCCESS"}
    (tmp_path / "out.jsonl").write_bytes(json.dumps(ada).encode() + b"\n\xff\xfe garbage\n")

    assert batch(tmp_path, '{"name": "Ada"}', '{"name": "Bo"}') == 0

    lines = (tmp_path / "out.jsonl").read_bytes().split(b"\n")
    assert lines[1] == b"\xff\xfe garbage"  # left as it was
    assert (json.loads(lines[2])["line"], json.loads(lines[2])["status"]) == (2, "SUCCESS")
    assert [run["input_variables"]["name"] for run in agency.runs] == ["Bo"]


def test_unknown_inputs_are_kept_and_named_until_retry_unknown_starts_them_again(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lost = {"line": 1, "inputs": {"name": "Ada"}, "execution_id": None, "status": "UNKNOWN"}
    (tmp_path / "out.jsonl").write_text(json.dumps(lost) + "\n", "utf-8")

    assert batch(tmp_path, '{"name": "Ada"}', '{"name": "Bo"}') == 5

    shown = capsys.readouterr()
    assert shown.out.startswith("1 succeeded, 0 failed, 0 errors, 1 unknown; results in ")
    assert shown.err == (
        "skipping 1 inputs already done\n"
        "1 input may have started (UNKNOWN) and was not started again; "
        "rerun with --retry-unknown to start them again\n"
    )
    assert [run["input_variables"]["name"] for run in agency.runs] == ["Bo"]

    assert batch(tmp_path, '{"name": "Ada"}', '{"name": "Bo"}', extra=("--retry-unknown",)) == 0

    assert [(r["line"], r["status"]) for r in results(tmp_path)] == [(1, "SUCCESS"), (2, "SUCCESS")]
    assert [run["input_variables"]["name"] for run in agency.runs] == ["Bo", "Ada"]
    assert capsys.readouterr().err == "skipping 1 inputs already done\n"


@pytest.mark.parametrize("entry", [{"id": ident({"name": "Ada"})}, {}], ids=["now", "0.1.0"])
def test_an_input_sent_before_a_crash_without_an_answer_ends_unknown_saying_why(
    agency: Agency, tmp_path: Path, entry: dict[str, str]
) -> None:
    """Also from the journal of a batch run by version 0.1.0, which named inputs by line."""
    sending = json.dumps({**entry, "line": 1, "sending": True})
    (tmp_path / "out.jsonl.pending").write_text(sending + "\n", "utf-8")

    assert batch(tmp_path, '{"name": "Ada"}') == 5

    assert results(tmp_path) == [
        {
            "line": 1,
            "id": ident({"name": "Ada"}),
            "inputs": {"name": "Ada"},
            "execution_id": None,
            "status": "UNKNOWN",
            "output": None,
            "error": "the run may have started, execution id unknown: the batch stopped after "
            "sending its run and before recording the answer; rerun with --retry-unknown to "
            "start it again",
        }
    ]
    assert agency.runs == []


def test_on_a_terminal_a_rerun_starts_from_what_was_done(
    agency: Agency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = {"line": 1, "inputs": {"name": "Ada"}, "execution_id": 7, "status": "SUCCESS"}
    bo = {"line": 3, "inputs": {"name": "Bo"}, "execution_id": 8, "status": "SUCCESS"}
    (tmp_path / "out.jsonl").write_text(json.dumps(ada) + "\n" + json.dumps(bo) + "\n", "utf-8")
    monkeypatch.setattr("promptlayer_agents.cli._terminal.REFRESH", 0.0)  # draw every update
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)

    batch(tmp_path, '{"name": "Ada"}', '{"name": "fail"}', '{"name": "Bo"}', '{"name": "Cy"}')

    drawn = [part for part in terminal.getvalue().split("\r\x1b[2K") if " done · " in part]
    assert " · 2 succeeded, 0 failed, 0 errors, 0 unknown" in drawn[0]
    assert [part.split()[0] for part in drawn] == ["2/4", "3/4", "4/4", "4/4"]
    assert " · 3 succeeded, 1 failed, 0 errors, 0 unknown" in drawn[-1]


def test_by_default_eight_runs_are_in_flight_at_once(agency: Agency, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    in_flight: list[int] = []  # at each run request: runs sent whose result is not written yet
    agency.on_run = lambda: in_flight.append(
        len(agency.runs) - (len(out.read_text("utf-8").splitlines()) if out.exists() else 0)
    )
    names = [f"n{i}" for i in range(12)]
    agency.unfinished.update(names)  # each waits until its --timeout

    batch(tmp_path, *[json.dumps({"name": name}) for name in names], extra=("--timeout", "30"))

    assert max(in_flight) == 8
    assert len(results(tmp_path)) == 12


def test_nan_and_infinities_in_an_output_are_written_as_null(
    agency: Agency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON has no NaN: a bare `NaN` in the results made them unreadable by strict readers."""
    answer = {
        "Out": node("SUCCESS", [float("nan"), {"x": float("inf")}, -float("inf")], output=True)
    }
    real = Agency.__call__

    def odd_numbers(self: Agency, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return reply(200, answer)
        return real(self, request)

    monkeypatch.setattr(Agency, "__call__", odd_numbers)

    assert batch(tmp_path, '{"name": "Ada"}') == 0

    text = (tmp_path / "out.jsonl").read_text("utf-8")
    assert json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in {text}"))[
        "output"
    ] == [None, {"x": None}, None]


def test_a_utf8_byte_order_mark_at_the_start_of_the_inputs_is_accepted(
    agency: Agency, tmp_path: Path
) -> None:
    (tmp_path / "in.jsonl").write_bytes(b'\xef\xbb\xbf{"name": "Ada"}\n{"name": "Bo"}\n')

    assert batch(tmp_path) == 0

    assert [(r["line"], r["status"]) for r in results(tmp_path)] == [(1, "SUCCESS"), (2, "SUCCESS")]


def test_an_interrupt_counts_the_runs_started_and_not_finished(
    agency: Agency,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It used to say "0 of 5 done" although three runs had started and were journalled."""

    async def sleep_letting_others_run(clock: FakeClock, seconds: float) -> None:
        clock.sleep(seconds)
        await asyncio.sleep(0)  # the waits take turns, as real ones do, and see the Ctrl-C

    monkeypatch.setattr(FakeClock, "async_sleep", sleep_letting_others_run)
    names = [f"n{i}" for i in range(5)]
    agency.unfinished.update(names)

    def ctrl_c_at_the_third_run() -> None:
        if len(agency.runs) == 3:
            signal.raise_signal(signal.SIGINT)

    agency.on_run = ctrl_c_at_the_third_run

    code = batch(tmp_path, *[json.dumps({"name": n}) for n in names], extra=("--concurrency", "3"))

    assert code == 130
    assert (
        "interrupted: 0 of 5 done, 3 started and not finished (a rerun waits for them), 5 left; "
        "rerun the same command to continue" in capsys.readouterr().err
    )
    agency.unfinished.clear()
    agency.on_run = lambda: None

    assert batch(tmp_path, *[json.dumps({"name": n}) for n in names]) == 0

    assert sorted(run["input_variables"]["name"] for run in agency.runs) == names  # each once


def test_a_warning_names_the_input_line_it_concerns(
    agency: Agency,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = Agency.__call__

    def warning_for_bo(self: Agency, request: httpx.Request) -> httpx.Response:
        answer = real(self, request)
        if request.method == "POST" and self.runs[-1]["input_variables"]["name"] == "Bo":
            body = json.loads(answer.content) | {"warning": "Unexpected input variables: colour"}
            return reply(201, body)
        return answer

    monkeypatch.setattr(Agency, "__call__", warning_for_bo)

    assert batch(tmp_path, '{"name": "Ada"}', "", '{"name": "Bo"}', '{"name": "Cy"}') == 0

    assert capsys.readouterr().err == (
        "warning: input line 3: run of 'greeter': Unexpected input variables: colour\n"
    )


@pytest.mark.parametrize("default", ["cp1252", "ascii"])
def test_results_are_utf8_whatever_the_systems_default_encoding(
    agency: Agency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default: str
) -> None:
    """Files opened without an encoding get the system's: cp1252 on Windows, ASCII under
    LC_ALL=C. The results file is UTF-8 all the same, and a rerun reads it back."""
    monkeypatch.setattr("io.text_encoding", lambda encoding, stacklevel=2: encoding or default)

    assert batch(tmp_path, '{"name": "Zoë"}', '{"name": "Bo"}') == 0
    assert batch(tmp_path, '{"name": "Zoë"}', '{"name": "Bo"}') == 0

    assert [(r["inputs"], r["output"]) for r in results(tmp_path)] == [
        ({"name": "Zoë"}, "Hello, Zoë!"),
        ({"name": "Bo"}, "Hello, Bo!"),
    ]
    assert len(agency.runs) == 2


def test_a_temporary_file_left_by_a_crash_is_replaced_not_left_behind(
    agency: Agency, tmp_path: Path
) -> None:
    """Resuming rewrites the results through `RESULTS.jsonl.tmp`; one left over by a crash
    mid-rewrite is replaced, and none stays once the results are rewritten."""
    ada = {"line": 1, "inputs": {"name": "Ada"}, "execution_id": 7, "status": "SUCCESS"}
    (tmp_path / "out.jsonl").write_text(json.dumps(ada) + '\n{"line": 2, "sta', "utf-8")
    (tmp_path / "out.jsonl.tmp").write_text('{"line": 9, "status": "SUCCESS"}\n', "utf-8")

    assert batch(tmp_path, '{"name": "Ada"}', '{"name": "Bo"}') == 0

    assert [(r["line"], r["status"]) for r in results(tmp_path)] == [(1, "SUCCESS"), (2, "SUCCESS")]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_only_the_journal_waits_for_the_disk(
    agency: Agency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal's entries are fsynced (at most once rests on them); the results are not,
    since a result lost in a power cut is waited for again from the journal: a batch does not
    pay a wait for the disk per result."""
    synced: list[str] = []

    def fsync(fd: int) -> None:
        for path in tmp_path.iterdir():
            if os.path.samestat(os.fstat(fd), path.stat()):
                synced.append(path.name)

    monkeypatch.setattr("os.fsync", fsync)

    assert batch(tmp_path, '{"name": "Ada"}', '{"name": "Bo"}', '{"name": "Cy"}') == 0

    assert synced == ["out.jsonl.pending"] * 6  # sending, then the execution id, per input


def test_a_rerun_for_another_label_runs_every_input_again(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A result belongs to the agent, label and version it ran for: its identity says so, even
    though its inputs are the same."""
    assert batch(tmp_path, '{"name": "Ada"}') == 0
    capsys.readouterr()

    assert batch(tmp_path, '{"name": "Ada"}', extra=("--label", "prod")) == 0

    assert [run.get("workflow_label_name") for run in agency.runs] == [None, "prod"]
    out, inputs = tmp_path / "out.jsonl", tmp_path / "in.jsonl"
    assert capsys.readouterr().err == (
        f"1 results in {out} are of inputs no longer in {inputs} (removed or edited, or run for "
        "another agent, label or version); they stay in the results and are not run again\n"
    )


def test_a_last_record_without_its_line_end_is_torn_and_its_input_runs_again(
    agency: Agency, tmp_path: Path
) -> None:
    """A record is written with its "\\n" at once: without it, the write was cut, even when
    the JSON before it happens to be whole."""
    ada = {"line": 1, "id": ident({"name": "Ada"}), "inputs": {"name": "Ada"}, "status": "SUCCESS"}
    (tmp_path / "out.jsonl").write_text(json.dumps(ada), "utf-8")

    assert batch(tmp_path, '{"name": "Ada"}') == 0

    assert [run["input_variables"] for run in agency.runs] == [{"name": "Ada"}]
    assert (tmp_path / "out.jsonl").read_text("utf-8").count("\n") == 1  # whole lines only
    assert [(r["line"], r["execution_id"]) for r in results(tmp_path)] == [(1, 100)]


def test_a_result_with_undecodable_bytes_still_counts_as_done(
    agency: Agency, tmp_path: Path
) -> None:
    ada = {"line": 1, "id": ident({"name": "Ada"}), "inputs": {"name": "Ada"}, "status": "SUCCESS"}
    line = json.dumps(ada | {"output": "@"}).encode().replace(b"@", b"\xff\xfe")
    (tmp_path / "out.jsonl").write_bytes(line + b"\n")

    assert batch(tmp_path, '{"name": "Ada"}', '{"name": "Bo"}') == 0

    assert [run["input_variables"] for run in agency.runs] == [{"name": "Bo"}]


def test_unreadable_journal_lines_are_skipped_and_the_rest_still_counts(
    agency: Agency, tmp_path: Path
) -> None:
    """Lines that are not JSON objects, and bytes that are not UTF-8, cost only that line."""
    agency.inputs[100] = {"name": "Ada"}
    entry = {"id": ident({"name": "Ada"}), "line": 1, "execution_id": 100, "note": "@"}
    journal = b"garbage\n[1, 2]\n" + json.dumps(entry).encode().replace(b"@", b"\xff") + b"\n"
    (tmp_path / "out.jsonl.pending").write_bytes(journal)

    assert batch(tmp_path, '{"name": "Ada"}') == 0

    assert agency.runs == []  # waited for, not started again
    assert [(r["execution_id"], r["output"]) for r in results(tmp_path)] == [(100, "Hello, Ada!")]


def test_a_journal_entry_whose_id_is_not_an_identity_is_ignored(
    agency: Agency, tmp_path: Path
) -> None:
    """It is no entry of version 0.1.0 (those have no id), so its line number means nothing."""
    agency.inputs[100] = {"name": "Ada"}
    entry = {"id": "not-an-identity", "line": 1, "execution_id": 100}
    (tmp_path / "out.jsonl.pending").write_text(json.dumps(entry) + "\n", "utf-8")

    assert batch(tmp_path, '{"name": "Bo"}') == 0

    assert [(r["execution_id"], r["output"]) for r in results(tmp_path)] == [(101, "Hello, Bo!")]


def test_once_translated_a_journals_entries_by_line_are_ignored(
    agency: Agency, tmp_path: Path
) -> None:
    """Version 0.1.0 named inputs by line. Its entries are translated to identities once; after
    that the lines may move (here Ada went down a line), and the old entries must not pair the
    input now on line 1 with Ada's execution."""
    agency.inputs[100] = {"name": "Ada"}
    entries = [
        {"line": 1, "execution_id": 100},
        {"id": ident({"name": "Ada"}), "line": 1, "execution_id": 100},
        {"translated_0.1.0": True},
    ]
    (tmp_path / "out.jsonl.pending").write_text("".join(json.dumps(e) + "\n" for e in entries))

    assert batch(tmp_path, '{"name": "Bo"}', '{"name": "Ada"}') == 0

    assert [run["input_variables"] for run in agency.runs] == [{"name": "Bo"}]
    assert [(r["inputs"], r["execution_id"], r["output"]) for r in results(tmp_path)] == [
        ({"name": "Bo"}, 101, "Hello, Bo!"),
        ({"name": "Ada"}, 100, "Hello, Ada!"),
    ]


def test_identical_lines_are_inputs_of_their_own(agency: Agency, tmp_path: Path) -> None:
    assert batch(tmp_path, '{"name": "Ada"}', '{"name": "Ada"}') == 0

    ada = {"name": "Ada"}
    assert [r["id"] for r in results(tmp_path)] == [ident(ada, 1), ident(ada, 2)]
    assert len(agency.runs) == 2


def test_results_without_identities_count_identical_inputs_apart(
    agency: Agency, tmp_path: Path
) -> None:
    """Records written before results held identities are matched by their inputs, the k-th
    record of some inputs to the k-th line of them."""
    ada = {"line": 1, "inputs": {"name": "Ada"}, "execution_id": 7, "status": "SUCCESS"}
    (tmp_path / "out.jsonl").write_text(json.dumps(ada) + "\n" + json.dumps(ada) + "\n", "utf-8")

    assert batch(tmp_path, '{"name": "Ada"}', '{"name": "Ada"}', '{"name": "Ada"}') == 0

    assert [(r["line"], r["execution_id"]) for r in results(tmp_path)][-1] == (3, 100)
    assert len(agency.runs) == 1


def test_a_line_with_a_cr_lf_end_reads_as_the_same_line(agency: Agency, tmp_path: Path) -> None:
    """Its error says where, in the line without its line end."""
    (tmp_path / "in.jsonl").write_bytes(b'{"name": "Ada\r\n{"name": "Bo"}\r\n')

    assert batch(tmp_path) == 1

    assert [(r["line"], r["error"]) for r in results(tmp_path)] == [
        (1, "line 1 is not JSON: Unterminated string starting at: line 1 column 10 (char 9)"),
        (2, None),
    ]


def test_results_whose_journal_would_be_the_inputs_are_refused(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Even before the results exist. (A line that starts no run: were the journal written
    into the inputs, the batch would read its own entries as inputs, without end.)"""
    inputs = tmp_path / "out.jsonl.pending"
    inputs.write_text("[1, 2]", "utf-8")

    code = main(["batch", "greeter", "--inputs", str(inputs), "--out", str(tmp_path / "out.jsonl")])

    assert code == 2 and "would overwrite the inputs" in capsys.readouterr().err
    assert inputs.read_text("utf-8") == "[1, 2]" and not (tmp_path / "out.jsonl").exists()


def test_a_refusal_every_input_would_meet_stops_the_batch_saying_so(
    agency: Agency,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Agency, "__call__", lambda self, request: reply(401, {"message": "no"}))

    code = batch(tmp_path, '{"name": "Ada"}', '{"name": "Bo"}', extra=("--concurrency", "1"))

    assert code != 0
    assert capsys.readouterr().err.startswith(
        "batch stopped at the first error every input would meet: 0 of 2 done, 2 left; "
        "fix it and rerun the same command to continue\n"
    )


def test_several_unknown_inputs_are_counted_in_the_plural(
    agency: Agency, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = [
        {"id": ident({"name": n}), "line": i, "sending": True} for i, n in [(1, "A"), (2, "B")]
    ]
    (tmp_path / "out.jsonl.pending").write_text("".join(json.dumps(e) + "\n" for e in entries))

    assert batch(tmp_path, '{"name": "A"}', '{"name": "B"}') == 5  # EXIT_UNKNOWN

    assert agency.runs == []
    assert capsys.readouterr().err == (
        "2 inputs may have started (UNKNOWN) and were not started again; "
        "rerun with --retry-unknown to start them again\n"
    )


def test_a_rerun_for_another_version_runs_every_input_again(agency: Agency, tmp_path: Path) -> None:
    assert batch(tmp_path, '{"name": "Ada"}', extra=("--version", "1")) == 0
    assert batch(tmp_path, '{"name": "Ada"}', extra=("--version", "2")) == 0

    assert [run.get("workflow_version_number") for run in agency.runs] == [1, 2]
