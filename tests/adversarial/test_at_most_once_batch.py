"""`batch` under attack: at most one start per input, nothing lost, and each result record
pairing an input with its own output, whatever happens to the inputs file between runs (lines
inserted, removed, reordered, repeated), wherever the run is interrupted, and whatever path
names the files (symlinks, hard links, `..`, the inputs given as a companion of the results)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa
from promptlayer_agents.cli import main
from promptlayer_agents.cli._ledger import Ledger

from ..fakes import FakeClock, node, reply

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def greeting(inputs: dict[str, Any]) -> str:
    """What the fake agent answers for `inputs`: each output names its own input."""
    return "hello " + json.dumps(inputs, sort_keys=True)


class Crash(BaseException):
    """The batch process dying (a BaseException: nothing inside the batch catches it)."""


class Server:
    """The Agents API: every run request starts a new execution of its inputs, which has finished
    by the first poll; `interrupt_at` sends SIGINT (Ctrl-C) as that run request arrives; `refuse`
    answers every run request with that status."""

    def __init__(self) -> None:
        self.executions: dict[int, dict[str, Any]] = {}
        self.runs: list[dict[str, Any]] = []
        self.interrupt_at: int | None = None
        self.refuse: int | None = None
        self.refuse_after: int | None = None  # refuse (404) the run requests after this many
        self.running = False  # executions never finish (until this is False again)
        self.crash_at: int | None = None  # the process dies as this run request arrives

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            inputs = json.loads(request.content)["input_variables"]
            self.runs.append(inputs)
            if self.refuse_after is not None and len(self.runs) > self.refuse_after:
                self.refuse = 404
            if self.refuse:
                return reply(self.refuse, {"success": False, "message": "no such agent or key"})
            execution_id = len(self.executions) + 1
            self.executions[execution_id] = inputs
            if len(self.runs) == self.crash_at:
                raise Crash  # started on the server; its answer never reaches the batch
            if len(self.runs) == self.interrupt_at:
                signal.raise_signal(signal.SIGINT)
            body = {"success": True, "message": "ok", "workflow_version_execution_id": execution_id}
            return reply(201, body)
        execution_id = int(request.url.params["workflow_version_execution_id"])
        if self.running:
            return reply(202, {"Out": node("RUNNING", output=True)})
        value = greeting(self.executions[execution_id])
        return reply(200, {"Out": node("SUCCESS", value, output=True)})


@contextmanager
def serving() -> Iterator[Server]:
    """The batch command's client answers from a Server, on a clock that never waits."""
    server = Server()
    real = pa.AsyncAgents

    def client(**options: Any) -> pa.AsyncAgents:
        transport = httpx.MockTransport(server)
        agents = real(http_client=httpx.AsyncClient(transport=transport), **options)
        agents._ctx = dataclasses.replace(agents._ctx, clock=FakeClock())
        return agents

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pa, "AsyncAgents", client)
        patch.setenv("PROMPTLAYER_API_KEY", "pl_test")
        yield server


def write(path: Path, inputs: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(i) + "\n" for i in inputs), encoding="utf-8")


def batch(inputs: Path, out: Path, *extra: str) -> int:
    return main(["batch", "agent", "--inputs", str(inputs), "--out", str(out), *extra])


def records(out: Path) -> list[dict[str, Any]]:
    """The results file's records (none before it is first written)."""
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def check_pairs_and_starts(
    server: Server, out: Path, versions: list[list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Every record pairs its input with its own output and execution; each content started at
    most as often as the most lines any version of the inputs file had of it; and every line of
    the last version has a finished record of its own."""
    found = records(out)
    for record in found:
        assert record["status"] == "SUCCESS", record
        assert server.executions[record["execution_id"]] == record["inputs"], record
        assert record["output"] == greeting(record["inputs"]), record
    started = Counter(json.dumps(i, sort_keys=True) for i in server.runs)
    most = Counter[str]()
    for version in versions:
        for text, count in Counter(json.dumps(i, sort_keys=True) for i in version).items():
            most[text] = max(most[text], count)
    assert all(started[text] <= most[text] for text in started), (started, most)
    assert len({r["execution_id"] for r in found}) == len(found)  # no execution recorded twice
    recorded = Counter(json.dumps(r["inputs"], sort_keys=True) for r in found)
    needed = Counter(json.dumps(i, sort_keys=True) for i in versions[-1])
    assert all(recorded[text] >= count for text, count in needed.items()), (recorded, needed)
    return found


def test_a_line_inserted_at_the_top_after_an_interruption_runs_once_and_pairs_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: 10 inputs, interrupted; a line inserted at the top; rerun."""
    inputs, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    first: list[dict[str, Any]] = [{"n": n} for n in range(10)]
    second = [{"n": "new"}, *first]
    write(inputs, first)
    with serving() as server:
        server.interrupt_at = 4
        assert batch(inputs, out, "--concurrency", "1") == 130
        write(inputs, second)

        assert batch(inputs, out) == 0

    found = check_pairs_and_starts(server, out, [first, second])
    assert sorted(server.runs, key=json.dumps) == sorted(second, key=json.dumps)  # each once
    assert len(found) == 11
    assert {r["line"] for r in found if r["inputs"] == {"n": "new"}} == {1}
    assert "skipping 4 inputs already done" in capsys.readouterr().err


edits = st.lists(
    st.tuples(
        st.sampled_from(["insert", "remove", "move", "repeat"]),
        st.integers(0, 100),
        st.integers(0, 100),
        st.integers(0, 4),
    ),
    max_size=6,
)


def edited(inputs: list[dict[str, Any]], changes: list[tuple[str, int, int, int]]) -> list[Any]:
    """`inputs` after the edits: insert a (maybe repeated) input, remove, move or repeat a line."""
    lines = list(inputs)
    for kind, at, to, value in changes:
        if kind == "insert" or not lines:
            lines.insert(at % (len(lines) + 1), {"n": value})
            continue
        line = lines[at % len(lines)]
        if kind == "remove":
            lines.remove(line)
        elif kind == "move":
            lines.remove(line)
            lines.insert(to % (len(lines) + 1), line)
        else:
            lines.insert(to % (len(lines) + 1), line)
    return lines


@EXAMPLES
@given(
    first=st.lists(st.builds(dict, n=st.integers(0, 4)), min_size=1, max_size=8),
    interrupt_at=st.integers(1, 9),
    changes=edits,
    concurrency=st.integers(1, 4),
)
def test_random_edits_between_interrupted_runs_never_start_an_input_twice(
    first: list[dict[str, Any]],
    interrupt_at: int,
    changes: list[tuple[str, int, int, int]],
    concurrency: int,
) -> None:
    """Repeated contents (values 0-4 in up to 8 lines) are each their own input: the k-th line
    with a content is input k of that content, wherever it moves."""
    second = edited(first, changes)
    with TemporaryDirectory() as folder, serving() as server:
        inputs, out = Path(folder) / "in.jsonl", Path(folder) / "out.jsonl"
        write(inputs, first)
        server.interrupt_at = interrupt_at
        assert batch(inputs, out, "--concurrency", "1") in (0, 130)
        server.interrupt_at = None
        write(inputs, second)

        assert batch(inputs, out, "--concurrency", str(concurrency)) == 0
        runs = len(server.runs)
        assert batch(inputs, out) == 0  # a third run has nothing left to start
        assert len(server.runs) == runs

        check_pairs_and_starts(server, out, [first, second])


def test_the_same_content_for_another_agent_version_is_another_input(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write(inputs, [{"n": 1}])
    with serving() as server:
        assert batch(inputs, out, "--label", "prod") == 0
        assert batch(inputs, out, "--label", "prod") == 0
        assert batch(inputs, out, "--label", "staging") == 0

    assert len(server.runs) == 2
    assert len(records(out)) == 2


def test_removed_inputs_are_reported_and_their_results_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write(inputs, [{"n": 1}, {"n": 2}, {"n": 3}])
    with serving() as server:
        assert batch(inputs, out) == 0
        write(inputs, [{"n": 2}, {"n": 4}])
        capsys.readouterr()

        assert batch(inputs, out) == 0

    err = capsys.readouterr().err
    assert "skipping 1 inputs already done" in err
    assert f"2 results in {out} are of inputs no longer in {inputs}" in err
    assert sorted(r["inputs"]["n"] for r in records(out)) == [1, 2, 3, 4]
    assert [i["n"] for i in server.runs] == [1, 2, 3, 4]


def _path_to(real: Path, how: str, folder: Path) -> Path:
    """Another path to the file `real`: through a symlink, a chain of two, a symlinked folder,
    or `..`."""
    if how == "symlink":
        (folder / "link.jsonl").symlink_to(real)
        return folder / "link.jsonl"
    if how == "chain":
        (folder / "first.jsonl").symlink_to(real)
        (folder / "second.jsonl").symlink_to(folder / "first.jsonl")
        return folder / "second.jsonl"
    if how == "folder":
        (folder / "linked").symlink_to(real.parent, target_is_directory=True)
        return folder / "linked" / real.name
    (real.parent / "sub").mkdir()
    return real.parent / "sub" / ".." / real.name


PATHS = ["symlink", "chain", "folder", "dotdot"]


@pytest.mark.parametrize("how", PATHS)
def test_a_batch_on_the_same_results_through_another_path_stops_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    """The issue's case: two batches on one results file, one through a symlink, ran every input
    twice. The lock is on the real file."""
    real = tmp_path / "real" / "out.jsonl"
    real.parent.mkdir()
    inputs = tmp_path / "in.jsonl"
    write(inputs, [{"n": 1}, {"n": 2}])
    other = _path_to(real, how, tmp_path)
    with serving() as server, Ledger(real):  # a first batch, still running
        assert batch(inputs, other) == 2

    assert "another batch is writing these results" in capsys.readouterr().err
    assert server.runs == []


@pytest.mark.parametrize("how", ["symlink", "chain", "folder"])
def test_results_written_through_a_symlink_leave_it_a_symlink(tmp_path: Path, how: str) -> None:
    """Even when a rerun rewrites the results (a torn last line, an ERROR to redo)."""
    real = tmp_path / "real" / "out.jsonl"
    real.parent.mkdir()
    inputs = tmp_path / "in.jsonl"
    write(inputs, [{"n": 1}, {"n": 2}])
    link = _path_to(real, how, tmp_path)
    with serving() as server:
        server.refuse = 422
        assert batch(inputs, link) == 1  # two ERROR records, redone by the rerun
        with real.open("a", encoding="utf-8") as stream:
            stream.write('{"line": 9, "sta')  # torn
        server.refuse = None

        assert batch(inputs, link) == 0

    assert link.is_symlink() or (how == "folder" and (tmp_path / "linked").is_symlink())
    assert not real.is_symlink() and real.is_file()
    assert sorted(r["inputs"]["n"] for r in records(real)) == [1, 2]
    assert len(server.runs) == 4  # refused twice, then each once
    assert not real.with_name("out.jsonl.tmp").exists()


COMPANIONS = ["out.jsonl", "out.jsonl.pending", "out.jsonl.tmp"]


@settings(max_examples=20, deadline=None)
@given(companion=st.sampled_from(COMPANIONS), how=st.sampled_from(["same", "hardlink", *PATHS]))
def test_results_never_overwrite_their_own_inputs(companion: str, how: str) -> None:
    """The issue's case: `--inputs out.jsonl.tmp --out out.jsonl` with a torn results file
    overwrote the inputs. Whatever path names it, the inputs file is never one the batch writes."""
    with TemporaryDirectory() as name, serving() as server:
        folder = Path(name)
        out = folder / "out.jsonl"
        source = folder / companion
        write(source, [{"n": 1}])
        if companion != "out.jsonl":
            out.write_text('{"line": 1, "status": "SUCCESS"}\n{"line": 2, "sta', encoding="utf-8")
        before = source.read_bytes()
        if how == "same":
            inputs = source
        elif how == "hardlink":
            inputs = folder / "hard.jsonl"
            os.link(source, inputs)
        else:
            inputs = _path_to(source, how, folder)

        assert batch(inputs, out) == 2

        assert source.read_bytes() == before
        assert server.runs == []


def test_the_first_refusal_every_input_would_meet_stops_the_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong key or an unknown agent: the batch sent every input and exited 1; `run` exits 3."""
    inputs, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write(inputs, [{"n": n} for n in range(20)])
    with serving() as server:
        for status in (401, 403, 404):
            server.refuse = status
            capsys.readouterr()

            assert batch(inputs, out, "--concurrency", "1") == 3

            assert len(server.runs) == 1
            err = capsys.readouterr().err
            assert "0 of 20 done, 20 left; fix it and rerun the same command" in err
            assert f"HTTP {status}: no such agent or key" in err
            server.runs.clear()
        server.refuse = None

        assert batch(inputs, out, "--concurrency", "4") == 0

    assert sorted(i["n"] for i in server.runs) == list(range(20))  # each once, none lost
    assert sorted(r["inputs"]["n"] for r in records(out)) == list(range(20))


@pytest.mark.parametrize("concurrency", [2, 5])
def test_a_refusal_stops_sending_and_the_runs_in_flight_are_waited_for_on_the_rerun(
    tmp_path: Path, concurrency: int
) -> None:
    inputs, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write(inputs, [{"n": n} for n in range(12)])
    with serving() as server:
        server.running = True  # the runs that start keep running
        server.refuse_after = concurrency - 1  # then the key is revoked

        assert batch(inputs, out, "--concurrency", str(concurrency)) == 3

        started = dict(server.executions)
        assert len(started) == concurrency - 1 and len(server.runs) <= concurrency
        server.refuse_after = server.refuse = None
        server.running = False
        server.runs.clear()

        assert batch(inputs, out) == 0

    found = records(out)
    assert sorted(r["inputs"]["n"] for r in found) == list(range(12))
    for execution_id, inputs_started in started.items():  # waited for, not started again
        assert inputs_started not in server.runs
        assert [r["inputs"] for r in found if r["execution_id"] == execution_id] == [inputs_started]


def test_a_journal_of_version_0_1_0_is_translated_once_and_its_lines_then_ignored(
    tmp_path: Path,
) -> None:
    """0.1.0 named inputs by line. Its words are read once, for the inputs on those lines then,
    and journalled by identity: after a line is inserted above, the line number no longer
    stands for that input (it would make a never-run input UNKNOWN, or start one twice)."""
    inputs, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write(inputs, [{"n": 1}, {"n": 2}])
    journal = '{"line": 1, "sending": true}\n{"line": 2, "sending": true}\n'
    journal += '{"line": 2, "execution_id": 1}\n'
    (tmp_path / "out.jsonl.pending").write_text(journal, encoding="utf-8")
    with serving() as server:
        server.executions[1] = {"n": 2}  # started by 0.1.0, not yet recorded

        assert batch(inputs, out) == 5  # {"n": 1} is UNKNOWN; {"n": 2} waited for

        write(inputs, [{"n": 3}, {"n": 1}, {"n": 2}])

        assert batch(inputs, out) == 5

    assert server.runs == [{"n": 3}]  # {"n": 3}, now on line 1, is not taken for an UNKNOWN
    found = {r["inputs"]["n"]: r for r in records(out)}
    assert {n: r["status"] for n, r in found.items()} == {1: "UNKNOWN", 2: "SUCCESS", 3: "SUCCESS"}
    assert found[2]["execution_id"] == 1 and found[2]["output"] == greeting({"n": 2})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=25, deadline=None)
@given(
    inputs=st.lists(st.dictionaries(st.text(max_size=4), json_values, max_size=4), max_size=5),
    ascii_only=st.booleans(),
    spaced=st.booleans(),
    shuffle=st.randoms(use_true_random=False),
)
def test_the_same_inputs_written_differently_are_the_same_inputs(
    inputs: list[dict[str, Any]], ascii_only: bool, spaced: bool, shuffle: Any
) -> None:
    """Key order, spacing, escapes and line order do not make an input another one."""
    with TemporaryDirectory() as name, serving() as server:
        path, out = Path(name) / "in.jsonl", Path(name) / "out.jsonl"
        write(path, inputs)
        assert batch(path, out) == 0
        runs = len(server.runs)
        lines = [dict(shuffle.sample(list(i.items()), len(i))) for i in inputs]
        shuffle.shuffle(lines)
        separators = (" , ", " : ") if spaced else (",", ":")
        text = "".join(
            json.dumps(i, ensure_ascii=ascii_only, separators=separators) + "\n" for i in lines
        )
        path.write_text(text, encoding="utf-8")

        assert batch(path, out) == 0

        assert len(server.runs) == runs == len(inputs)


def test_a_temporary_file_left_as_a_link_is_never_written_through(tmp_path: Path) -> None:
    """Rewriting the results goes through RESULTS.jsonl.tmp: a link found there is replaced,
    never followed (it could point at any file of the user's)."""
    inputs, out, precious = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "precious"
    write(inputs, [{"n": 1}])
    precious.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "out.jsonl.tmp").symlink_to(precious)
    out.write_text('{"line": 1, "sta', encoding="utf-8")  # torn: the results are rewritten

    with serving():
        assert batch(inputs, out) == 0

    assert precious.read_text(encoding="utf-8") == "keep me\n"
    assert not out.is_symlink() and [r["inputs"] for r in records(out)] == [{"n": 1}]


@settings(EXAMPLES, max_examples=40)
@given(
    first=st.lists(st.builds(dict, n=st.integers(0, 3)), min_size=1, max_size=6),
    crash_at=st.integers(1, 6),
    changes=edits,
)
def test_a_crash_after_sending_leaves_that_input_unknown_wherever_its_line_moves(
    first: list[dict[str, Any]], crash_at: int, changes: list[tuple[str, int, int, int]]
) -> None:
    """The process dies right after a run request reached the server: whatever the edits, the
    rerun never sends that input again (UNKNOWN), and runs every other input once."""
    second = edited(first, changes)
    with TemporaryDirectory() as folder, serving() as server:
        inputs, out = Path(folder) / "in.jsonl", Path(folder) / "out.jsonl"
        write(inputs, first)
        server.crash_at = crash_at
        with suppress(Crash):
            batch(inputs, out, "--concurrency", "1")
        server.crash_at = None
        lost = server.runs[crash_at - 1] if len(server.runs) >= crash_at else None
        # Runs went in line order: the lost one was occurrence `k` of its content.
        k = server.runs[:crash_at].count(lost) if lost is not None else 0
        write(inputs, second)

        code = batch(inputs, out, "--concurrency", "2")

        found = records(out)
        unknown = [r for r in found if r["status"] == "UNKNOWN"]
        if lost is None or second.count(lost) < k:  # that input is no longer in the file
            assert code == 0 and not unknown
        else:
            assert code == 5 and [r["inputs"] for r in unknown] == [lost]
            assert unknown[0]["execution_id"] is None
        started = Counter(json.dumps(i, sort_keys=True) for i in server.runs)
        most = Counter[str]()
        for version in (first, second):
            for text, count in Counter(json.dumps(i, sort_keys=True) for i in version).items():
                most[text] = max(most[text], count)
        assert all(started[text] <= most[text] for text in started), (started, most)
        for record in found:
            if record["status"] == "SUCCESS":
                assert server.executions[record["execution_id"]] == record["inputs"]
                assert record["output"] == greeting(record["inputs"])
        needed = Counter(json.dumps(i, sort_keys=True) for i in second)
        recorded = Counter(json.dumps(r["inputs"], sort_keys=True) for r in found)
        assert all(recorded[text] >= count for text, count in needed.items())
