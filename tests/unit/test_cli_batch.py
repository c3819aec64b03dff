"""`batch`'s at-most-once bookkeeping, without a server: which failed runs may have started, what a
rerun makes of the journal, and that the journal says `sending` before a run request goes out."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any, cast

import pytest

import promptlayer_agents as pa
from promptlayer_agents.cli import _batch, _ledger, main
from promptlayer_agents.cli._batch import Batch, may_have_started
from promptlayer_agents.cli._ledger import Item, Ledger, Plan, Resumed, Target, identity, key

TARGET = Target("a")


def _item(line: int, inputs: dict[str, Any] | None = None) -> Item:
    """The item of an input line, with the identity the batch gives it."""
    inputs = {"n": line} if inputs is None else inputs
    return Item(line, inputs, id=identity(TARGET.digest(inputs), 1))


def _status(cls: type[pa.APIStatusError], status: int) -> pa.APIStatusError:
    return cls("refused", status_code=status, body=None, request_id=None)


def _verdict(error: pa.PromptLayerError, verdict: bool) -> pa.PromptLayerError:
    """The error as the client raises it, with this `may_have_started` (the client's cases are
    tested in tests/unit/test_flows.py)."""
    error.may_have_started = verdict
    return error


def test_batch_follows_the_clients_verdict() -> None:
    sure = _verdict(_status(pa.InternalServerError, 500), False)
    unsure = _verdict(_status(pa.RateLimitError, 429), True)

    assert (may_have_started(sure), may_have_started(unsure)) == (False, True)


def _todo(resumed: Resumed, items: list[Item]) -> list[Item]:
    """The items to do, without the pauses."""
    return [item for item in resumed.todo(iter(items)) if item is not None]


def _lines(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _result(line: int, status: str, execution_id: int | None = None) -> dict[str, Any]:
    item = _item(line)
    return {
        "line": line,
        "id": item.id,
        "inputs": item.inputs,
        "execution_id": execution_id,
        "status": status,
    }


def _entry(line: int, **word: Any) -> dict[str, Any]:
    """A journal entry on input `line`."""
    return {"id": _item(line).id, "line": line, **word}


@pytest.fixture
def resumed(tmp_path: Path) -> Ledger:
    """A results file and journal as a killed batch leaves them, one input per case."""
    ledger = Ledger(tmp_path / "out.jsonl")
    _lines(
        ledger.out,
        [
            _result(1, "SUCCESS", 11),
            _result(2, "UNKNOWN"),
            _result(5, "ERROR"),
            _result(7, "ERROR", 17),
        ],
    )
    journal = [
        _entry(1, sending=True),
        _entry(1, execution_id=11),
        _entry(2, sending=True),
        _entry(3, sending=True),  # killed before its answer was journalled
        _entry(4, sending=True),
        _entry(4, execution_id=14),  # killed before its result was written
        _entry(5, sending=True),
        _entry(5, not_started=True),  # refused: safe to send again
        _entry(7, sending=True),
        _entry(7, execution_id=17),  # its wait failed
    ]
    _lines(ledger.journal, journal)
    torn = json.dumps(_entry(6, sending=True))  # whole JSON, but without its line end
    ledger.journal.write_text(ledger.journal.read_text() + torn, encoding="utf-8")
    return ledger


STOPPED = "the batch stopped after sending its run and before recording the answer"


def _state(item: Item) -> tuple[int, int | None, str | None]:
    return item.line, item.execution_id, item.unknown


def test_a_rerun_never_sends_again_what_may_have_started(resumed: Ledger) -> None:
    items = [_item(n) for n in range(1, 8)]

    todo = _todo(resumed.resume(TARGET, retry_unknown=False), items)

    assert [_state(item) for item in todo] == [
        (3, None, STOPPED),  # UNKNOWN, not sent again
        (4, 14, None),  # waited for
        (5, None, None),  # sent again
        (6, None, None),  # its torn journal line never finished: never sent
        (7, 17, None),  # waited for again
    ]
    kept = [json.loads(line)["line"] for line in resumed.out.read_text().splitlines()]
    assert kept == [1, 2]  # SUCCESS and UNKNOWN stay; ERROR lines are redone


def test_retry_unknown_sends_those_again(resumed: Ledger) -> None:
    items = [_item(n) for n in range(1, 8)]

    todo = _todo(resumed.resume(TARGET, retry_unknown=True), items)

    assert [_state(item) for item in todo] == [
        (2, None, None),
        (3, None, None),
        (4, 14, None),
        (5, None, None),
        (6, None, None),
        (7, 17, None),
    ]


class _Agents:
    """Stands in for AsyncAgents: each run reads the journal first, then fails as told."""

    def __init__(self, journal: Path, error: pa.PromptLayerError) -> None:
        self.journal, self.error = journal, error
        self.journal_at_send: list[str] = []

    async def run(self, name: str, **options: Any) -> pa.RunStarted:
        self.journal_at_send.append(self.journal.read_text(encoding="utf-8"))
        raise self.error


def _one(tmp_path: Path, error: pa.PromptLayerError) -> tuple[dict[str, Any], _Agents, Ledger]:
    args = argparse.Namespace(name="a", label=None, version=None, timeout=5.0)
    ledger = Ledger(tmp_path / "out.jsonl")
    agents = _Agents(ledger.journal, error)
    item = _item(3, {"q": "x"})
    with ledger:
        batch = Batch(args, [item], ledger, total=1)
        record = asyncio.run(batch._one(cast(pa.AsyncAgents, agents), item))
    assert record is not None
    return record, agents, ledger


def test_the_journal_says_sending_before_the_run_goes_out(tmp_path: Path) -> None:
    lost = _verdict(pa.APIConnectionError("lost"), True)

    record, agents, ledger = _one(tmp_path, lost)

    item = _item(3, {"q": "x"})
    assert agents.journal_at_send == [json.dumps(_entry(3, sending=True) | {"id": item.id}) + "\n"]
    assert (record["status"], record["execution_id"]) == ("UNKNOWN", None)
    assert "may have started" in record["error"] and "--retry-unknown" in record["error"]
    resumed = ledger.resume(TARGET, retry_unknown=False)
    assert _todo(resumed, [item])[0].unknown == STOPPED


def test_a_run_that_did_not_start_is_journalled_as_such(tmp_path: Path) -> None:
    record, _, ledger = _one(tmp_path, _verdict(_status(pa.RateLimitError, 429), False))

    assert (record["status"], record["execution_id"]) == ("ERROR", None)
    journal = [json.loads(line) for line in ledger.journal.read_text().splitlines()]
    same = {"id": _item(3, {"q": "x"}).id}
    assert journal == [_entry(3, sending=True) | same, _entry(3, not_started=True) | same]


def test_results_with_text_utf8_cannot_hold_stay_readable(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "out.jsonl")
    with ledger:
        ledger.record({"line": 1, "inputs": {"q": "\ud800 é"}, "status": "ERROR"})

    assert json.loads(ledger.out.read_text(encoding="utf-8"))["inputs"] == {"q": "\ud800 é"}


def test_a_line_torn_by_a_crash_does_not_swallow_the_next(resumed: Ledger) -> None:
    with resumed:
        resumed.sending(_item(8))

    last = resumed.journal.read_text(encoding="utf-8").splitlines()[-1]
    assert json.loads(last) == _entry(8, sending=True)


def test_a_second_batch_on_the_same_results_stops_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs, out = tmp_path / "inputs.jsonl", tmp_path / "out.jsonl"
    inputs.write_text('{"q": 1}\n', encoding="utf-8")
    nowhere = ["--api-key", "k", "--base-url", "http://127.0.0.1:9"]

    with Ledger(out):  # a first batch, still running
        code = main(["batch", "a", "--inputs", str(inputs), "--out", str(out), *nowhere])

    assert code == 2
    assert "another batch is writing these results" in capsys.readouterr().err
    assert not out.exists()


def test_an_unknown_result_says_why_the_run_may_have_started(tmp_path: Path) -> None:
    record, _, _ = _one(tmp_path, _verdict(pa.APITimeoutError("ReadTimeout: no answer"), True))

    assert record["error"] == (
        "the run may have started, execution id unknown: ReadTimeout: no answer; "
        "rerun with --retry-unknown to start it again"
    )


class _Started(_Agents):
    """Stands in for AsyncAgents: each run starts execution 42, whose wait ends as `outcome`
    says (None: it never ends)."""

    def __init__(self, journal: Path, outcome: pa.PromptLayerError | None) -> None:
        super().__init__(journal, pa.PromptLayerError("unused"))
        self.outcome = outcome

    async def run(self, name: str, **options: Any) -> pa.RunStarted:
        return pa.RunStarted(success=True, message="ok", workflow_version_execution_id=42)

    async def wait(self, execution_id: int, **options: Any) -> pa.ExecutionResult:
        if self.outcome is None:
            await asyncio.Event().wait()
        raise cast(pa.PromptLayerError, self.outcome)


def test_a_failure_with_no_failed_node_is_recorded_as_failed(tmp_path: Path) -> None:
    args = argparse.Namespace(name="a", label=None, version=None, timeout=5.0)
    ledger = Ledger(tmp_path / "out.jsonl")
    item = _item(3, {"q": "x"})
    agents = _Started(ledger.journal, pa.ExecutionFailedError(pa.ExecutionResult(42, True)))
    with ledger:
        record = asyncio.run(Batch(args, [item], ledger, total=1)._one(cast(Any, agents), item))

    assert record is not None
    assert (record["status"], record["execution_id"], record["error"]) == ("FAILED", 42, "failed")


def test_a_stop_while_waiting_leaves_the_input_to_be_waited_for_on_a_rerun(tmp_path: Path) -> None:
    args = argparse.Namespace(name="a", label=None, version=None, timeout=5.0)
    ledger = Ledger(tmp_path / "out.jsonl")
    item = _item(3, {"q": "x"})

    async def stopped_while_waiting(batch: Batch) -> dict[str, Any] | None:
        asyncio.get_running_loop().call_soon(batch.stopping.set)
        return await batch._one(cast(Any, _Started(ledger.journal, None)), item)

    with ledger:
        record = asyncio.run(stopped_while_waiting(Batch(args, [item], ledger, total=1)))

    assert record is None
    todo = _todo(ledger.resume(TARGET, retry_unknown=False), [_item(3, {"q": "x"})])
    assert [(i.line, i.execution_id, i.unknown) for i in todo] == [(3, 42, None)]


def test_each_journal_entry_is_on_disk_before_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The at-most-once guarantee holds across a power cut only if the journal is fsynced."""
    journal = tmp_path / "out.jsonl.pending"
    synced: list[str] = []
    monkeypatch.setattr("os.fsync", lambda fd: synced.append(journal.read_text("utf-8")))

    _one(tmp_path, _verdict(_status(pa.RateLimitError, 429), False))
    (tmp_path / "out.jsonl.pending").unlink()
    args = argparse.Namespace(name="a", label=None, version=None, timeout=5.0)
    ledger, item = Ledger(tmp_path / "out.jsonl"), _item(4, {"q": "y"})
    agents = _Started(ledger.journal, pa.PromptLayerError("wait failed"))
    with ledger:
        asyncio.run(Batch(args, [item], ledger, total=1)._one(cast(Any, agents), item))

    three, four = {"id": _item(3, {"q": "x"}).id}, {"id": _item(4, {"q": "y"}).id}
    sending = json.dumps(_entry(3, sending=True) | three) + "\n"
    not_started = json.dumps(_entry(3, not_started=True) | three) + "\n"
    sending_4 = json.dumps(_entry(4, sending=True) | four) + "\n"
    started_4 = json.dumps(_entry(4, execution_id=42) | four) + "\n"
    assert synced[:2] == [sending, sending + not_started]
    assert synced[2:] == [sending_4, sending_4 + started_4]


@pytest.mark.parametrize(("done", "pauses"), [(999, 0), (1000, 1), (1999, 1), (2600, 2)])
def test_skipping_done_inputs_pauses_for_the_runs_in_flight(
    tmp_path: Path, done: int, pauses: int
) -> None:
    """A rerun of a long batch skips long stretches of done inputs; the loop must not stay
    blocked meanwhile (the runs in flight would miss their deadlines): a pause every 1000."""
    items = [_item(n) for n in range(1, done + 3)]
    ledger = Ledger(tmp_path / "out.jsonl")
    _lines(ledger.out, [_result(n, "SUCCESS", n) for n in range(1, done + 1)])
    with ledger:
        todo = list(ledger.resume(TARGET, retry_unknown=False).todo(iter(items)))

    assert [item if item is None else item.line for item in todo] == [None] * pauses + [
        done + 1,
        done + 2,
    ]


def test_the_300th_identical_input_is_known_done_too(tmp_path: Path) -> None:
    """An input's occurrence number takes one byte of its key below 256, more above: every
    occurrence of the same content stays its own, known done input."""
    same = {"q": "same"}
    items = [Item(n, same, id=identity(TARGET.digest(same), n)) for n in range(1, 301)]
    ledger = Ledger(tmp_path / "out.jsonl")
    _lines(ledger.out, [{"line": i.line, "id": i.id, "status": "SUCCESS"} for i in items[:-1]])

    todo = _todo(ledger.resume(TARGET, retry_unknown=False), items)

    assert [item.line for item in todo] == [300]


@pytest.mark.parametrize(
    "text",
    [
        None,
        "ab-1",  # a digest too short
        "0" * 32,  # no occurrence
        "0" * 32 + "-x",
        "0" * 32 + "-\u0661",  # a digit, yet not an ASCII one
        "0" * 31 + "-1-2",
        "z" * 32 + "-1",  # not hexadecimal
    ],
)
def test_only_an_identity_is_a_key(text: str | None) -> None:
    """A record or journal entry whose id is not `<32 hex digits>-<digits>` has no identity."""
    assert key(text) is None


def test_a_journal_of_version_0_1_0_is_translated_once_and_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its entries by line become entries by identity, then a mark that they were translated,
    each fsynced; from then on the entries by line are ignored, wherever the lines went."""
    ledger = Ledger(tmp_path / "out.jsonl")
    ledger.journal.write_text('{"line": 1, "execution_id": 100}\n{"line": 2, "sending": true}\n')
    synced: list[str] = []
    monkeypatch.setattr("os.fsync", lambda fd: synced.append(ledger.journal.read_text("utf-8")))
    items = [_item(1), _item(2)]

    with ledger:
        resumed = ledger.resume(TARGET, retry_unknown=False)
        plan = Plan.count(iter(items), resumed)
        ledger.translate(plan, resumed)
        moved = [_item(2, {"n": 1}), _item(1, {"n": 2})]
        later = ledger.resume(TARGET, retry_unknown=False)
        assert Plan.count(iter(moved), later).translated == []

    words = [json.dumps(w) + "\n" for w in (_entry(1, execution_id=100), _entry(2, sending=True))]
    old = '{"line": 1, "execution_id": 100}\n{"line": 2, "sending": true}\n'
    assert synced == [
        old + words[0],
        old + words[0] + words[1],
        old + words[0] + words[1] + '{"translated_0.1.0": true}\n',
    ]
    assert [_state(item) for item in _todo(later, moved)] == [(2, 100, None), (1, None, STOPPED)]


def test_a_journal_removed_as_it_is_opened_is_opened_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another batch that ends removes its journal; one opened just before is not the file at
    the path any more, and entries written to it would be lost."""
    ledger = Ledger(tmp_path / "out.jsonl")
    real_lock = _ledger._lock
    removed: list[Path] = []

    def lock_once_removed(stream: Any) -> None:
        if not removed:
            removed.append(ledger.journal)
            os.unlink(ledger.journal)
        real_lock(stream)

    monkeypatch.setattr(_ledger, "_lock", lock_once_removed)
    with ledger:
        ledger.sending(_item(1))

    assert removed and json.loads(ledger.journal.read_text("utf-8")) == _entry(1, sending=True)


def test_not_started_with_no_entry_before_it_leaves_the_input_to_run(tmp_path: Path) -> None:
    """A journal whose `sending` line was lost: the input is simply run."""
    ledger = Ledger(tmp_path / "out.jsonl")
    _lines(ledger.journal, [_entry(5, not_started=True)])

    todo = _todo(ledger.resume(TARGET, retry_unknown=False), [_item(5)])

    assert [_state(item) for item in todo] == [(5, None, None)]


def _record(level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord("promptlayer_agents", level, __file__, 1, message, None, None)


def _shown(name_the_line: logging.Filter, line: int | None, level: int, message: str) -> str | None:
    """What the filter lets through for a record logged while `line` is in progress, or None."""
    token = _batch._LINE.set(line)
    try:
        record = _record(level, message)
        return record.getMessage() if name_the_line.filter(record) else None
    finally:
        _batch._LINE.reset(token)


def test_a_log_line_outside_any_input_passes_as_it_is() -> None:
    name_the_line = _batch._NameTheLine()

    assert _shown(name_the_line, None, logging.WARNING, "slow down") == "slow down"
    assert _shown(name_the_line, None, logging.WARNING, "slow down") == "slow down"


@pytest.mark.parametrize("level", [logging.WARNING, logging.ERROR])
def test_a_warning_is_shown_once_for_the_first_line_it_concerns(level: int) -> None:
    name_the_line = _batch._NameTheLine()

    assert (
        _shown(name_the_line, 3, level, "unexpected input x") == "input line 3: unexpected input x"
    )
    assert _shown(name_the_line, 4, level, "unexpected input x") is None
    assert (
        _shown(name_the_line, 5, level, "unexpected input y") == "input line 5: unexpected input y"
    )


def test_an_info_line_is_named_every_time() -> None:
    name_the_line = _batch._NameTheLine()

    for line in (1, 2):
        assert (
            _shown(name_the_line, line, logging.INFO, "retrying") == f"input line {line}: retrying"
        )
