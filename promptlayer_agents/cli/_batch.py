"""`batch`: one run per line of a JSONL file, N at a time, resumable, never running an input twice.

The results file gets one JSON line per input as it finishes (in finishing order; each names its
input line). A journal beside it (`RESULTS.jsonl.pending`) is the at-most-once guarantee: before a
run request is sent, its line is journalled as `sending` (flushed and fsynced); once the answer
comes, the execution id; if the run certainly did not start, `not_started`. So on a rerun (after
Ctrl-C, a crash, a SIGKILL at any instant) every input is in one of three states:

- its execution id is known: it is waited for, not started again;
- it certainly did not start, or was never sent: it is started;
- it was sent but its answer never came (lost, timed out, a 5xx, the process died): it may have
  started, and nothing can tell, so it ends as UNKNOWN and is not started again, unless the user
  asks for at-least-once with `--retry-unknown`.

Inputs whose run finished (SUCCESS or FAILED) are skipped on a rerun, and so are UNKNOWN ones
(without `--retry-unknown`); those that ended in an ERROR (the API refused, a wait timed out) are
tried again, or waited for again when their execution id is known. The journal is locked while a
batch runs, so a second batch on the same results file stops at once instead of starting the same
inputs.

The first Ctrl-C stops starting runs, lets the run requests in flight finish and be journalled, and
exits; a second one exits at once. The results file only ever holds whole lines.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any

from ._common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNKNOWN,
    output_path,
    timeout_option,
    version_options,
)
from ._terminal import ProgressBar, StatusLine, counts_text

if TYPE_CHECKING:
    from .. import AsyncAgents, PromptLayerError

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: no advisory locks
    fcntl = None

FINISHED = frozenset({"SUCCESS", "FAILED"})
UNKNOWN = "UNKNOWN"
RERUN_UNKNOWN_HINT = "rerun with --retry-unknown to start it again"
KILLED_BEFORE_ANSWER = "the batch stopped after sending its run and before recording the answer"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    connection: argparse.ArgumentParser,
) -> None:
    """`batch`."""
    batch = commands.add_parser(
        "batch", parents=[connection], help="one run per line of a JSONL file, resumable"
    )
    batch.add_argument("name", metavar="NAME", help="the agent's name or numeric id")
    batch.add_argument(
        "--inputs",
        required=True,
        type=Path,
        metavar="FILE.jsonl",
        help="one JSON object of input variables per line",
    )
    batch.add_argument(
        "--out",
        required=True,
        type=output_path,
        metavar="RESULTS.jsonl",
        help="one JSON result per input; rerunning skips the inputs already done",
    )
    batch.add_argument(
        "--concurrency",
        type=_positive,
        default=8,
        metavar="N",
        help="runs in flight at once (default 8)",
    )
    batch.add_argument(
        "--retry-unknown",
        action="store_true",
        help="start again the inputs whose run may have started but whose answer was lost "
        "(UNKNOWN): at least once instead of at most once",
    )
    version_options(batch)
    timeout_option(batch, "one run")
    batch.set_defaults(handler=batch_command)


@dataclass
class Item:
    """One input line: its variables, or why it cannot be run."""

    line: int
    inputs: dict[str, Any] | None
    problem: str | None = None
    execution_id: int | None = None  # from the journal: started before, not yet finished
    unknown: str | None = None  # from the journal: sent before, answer never recorded


def _lines(text: str) -> list[str]:
    """The lines of a JSONL file, split at "\n" only: str.splitlines() would also split at
    U+2028, U+2029 or U+0085, which JSON text may hold as they are."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    return lines[:-1] if lines and not lines[-1] else lines


def read_items(path: Path) -> list[Item]:
    """Every non-blank line of the inputs file, numbered from 1."""
    from .. import InvalidInputError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInputError(f"--inputs {path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise InvalidInputError(f"--inputs {path}: not UTF-8 text ({error.reason})") from error
    items = []
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as error:
            items.append(Item(number, None, f"line {number} is not JSON: {error}"))
            continue
        except RecursionError:
            items.append(Item(number, None, f"line {number} is nested too deeply"))
            continue
        if isinstance(value, dict):
            items.append(Item(number, value))
        else:
            items.append(Item(number, None, f"line {number} is not a JSON object"))
    return items


def _whole_records(path: Path) -> list[dict[str, Any]]:
    """The readable JSON lines of a JSONL file (a torn last line is left out)."""
    if not path.exists():
        return []
    records = []
    for line in _lines(path.read_text(encoding="utf-8", errors="replace")):
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict) and isinstance(record.get("line"), int):
            records.append(record)
    return records


def _torn(path: Path) -> bool:
    """Whether the file's last line was cut short (a crash while it was written)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1) != b"\n"


def _appending(path: Path) -> IO[str]:
    """The file open for appending lines; a line torn by a crash is ended first, so that the
    next line is not glued to it (and lost with it)."""
    stream = path.open("a", encoding="utf-8")
    if _torn(path):
        stream.write("\n")
        stream.flush()
    return stream


def _lock(stream: IO[str]) -> None:
    """An exclusive lock on the open file, or BlockingIOError if another process holds it
    (released when the file is closed, or the process dies). No-op where flock is missing."""
    if fcntl is not None:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


class Ledger:
    """The results file and its journal of started executions."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.journal = out.with_name(out.name + ".pending")
        self._out: IO[str] | None = None
        self._journal: IO[str] | None = None

    def resume(self, items: list[Item], *, retry_unknown: bool) -> list[Item]:
        """Keep finished (and, unless `retry_unknown`, UNKNOWN) results, drop the others
        (rewriting the file whole), and answer the items still to do, each with what the journal
        says of it: its execution id, or that its run may have started."""
        keep = FINISHED if retry_unknown else FINISHED | {UNKNOWN}
        records = _whole_records(self.out)
        finished = [r for r in records if r.get("status") in keep]
        # The results file holds whole lines only: a line torn by a crash is dropped here.
        if len(finished) != len(records) or _torn(self.out) or (self.out.exists() and not records):
            temporary = self.out.with_name(self.out.name + ".tmp")
            temporary.write_text("".join(_json_line(r) for r in finished), "utf-8")
            os.replace(temporary, self.out)
        done = {record["line"] for record in finished}
        last = {r["line"]: r for r in _whole_records(self.journal)}  # the latest entry wins
        todo = [item for item in items if item.line not in done]
        for item in todo:
            entry = last.get(item.line, {})
            if isinstance(entry.get("execution_id"), int):
                item.execution_id = entry["execution_id"]
            elif entry.get("sending") and not retry_unknown:
                item.unknown = KILLED_BEFORE_ANSWER
        return todo

    def __enter__(self) -> Ledger:
        """Open the journal and lock it, so that a second batch on the same results file
        (which would start the same inputs) stops at once. The results file is opened at its
        first record, after `resume` has rewritten it."""
        from .. import InvalidInputError

        self._journal = _appending(self.journal)
        try:
            _lock(self._journal)
        except BlockingIOError as error:
            self._journal.close()
            raise InvalidInputError(
                f"--out {self.out}: another batch is writing these results; wait for it to end"
            ) from error
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in (self._out, self._journal):
            if stream is not None:
                stream.close()

    @staticmethod
    def _append(stream: IO[str] | None, record: dict[str, Any], *, durable: bool = False) -> None:
        """Write one whole line; `durable` also waits until it is on disk (fsync), for the
        journal entries the at-most-once guarantee rests on."""
        assert stream is not None, "the ledger is not open"
        stream.write(_json_line(record))
        stream.flush()
        if durable:
            os.fsync(stream.fileno())

    def sending(self, line: int) -> None:
        """Journalled before the run request goes out: from now on it may start."""
        self._append(self._journal, {"line": line, "sending": True}, durable=True)

    def started(self, line: int, execution_id: int) -> None:
        self._append(self._journal, {"line": line, "execution_id": execution_id}, durable=True)

    def not_started(self, line: int) -> None:
        """The run certainly did not start: a rerun may send it again."""
        self._append(self._journal, {"line": line, "not_started": True}, durable=True)

    def record(self, record: dict[str, Any]) -> None:
        if self._out is None:
            self._out = _appending(self.out)
        self._append(self._out, record)

    def forget_journal(self) -> None:
        """Every input finished: the journal has nothing left to say."""
        self.journal.unlink(missing_ok=True)


def _json_line(record: dict[str, Any]) -> str:
    """A record as one JSON line; text that UTF-8 cannot hold (a lone surrogate) is escaped."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record)
    return line + "\n"


def may_have_started(error: PromptLayerError) -> bool:
    """Whether a run request that raised `error` may have started its execution, so that sending
    it again could start a second one: the client's own verdict (an answer lost, a timeout after
    sending, a 5xx or an unreadable answer may hide a started run; a refusal before sending, a
    connection never made, a 429 or another 4xx did not start one)."""
    return error.may_have_started


def _record(
    item: Item, execution_id: int | None, status: str, output: Any, error: str | None
) -> dict[str, Any]:
    return {
        "line": item.line,
        "inputs": item.inputs,
        "execution_id": execution_id,
        "status": status,
        "output": output,
        "error": error,
    }


@dataclass
class Tally:
    """Inputs finished so far (skipped ones included), and how many ended in each status (for
    the progress bar)."""

    done: int = 0
    statuses: Counter[str] = field(default_factory=Counter)


class Batch:
    """One batch run: the workers, the stop flag, the tally."""

    def __init__(
        self, args: argparse.Namespace, todo: list[Item], ledger: Ledger, total: int
    ) -> None:
        self.args = args
        self.todo: Iterator[Item] = iter(todo)
        self.ledger = ledger
        finished = Counter(str(record.get("status")) for record in _whole_records(ledger.out))
        self.tally = Tally(done=total - len(todo), statuses=finished)
        self.progress = ProgressBar(total, StatusLine())
        import asyncio  # here, not at the top: only batch needs it (see _common.py)

        self.stopping = asyncio.Event()

    async def run(self) -> None:
        import asyncio

        from .. import AsyncAgents

        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, self._interrupt)
        self.progress.update(self.tally.done, self.tally.statuses, force=True)
        try:
            async with AsyncAgents(
                api_key=self.args.api_key, base_url=self.args.base_url
            ) as agents:
                workers = [self._worker(agents) for _ in range(self.args.concurrency)]
                await asyncio.gather(*workers)
        finally:
            loop.remove_signal_handler(signal.SIGINT)
            self.progress.update(self.tally.done, self.tally.statuses, force=True)
            self.progress.line.clear()

    def _interrupt(self) -> None:
        """First Ctrl-C: stop starting runs. The default handler takes the second."""
        import asyncio

        self.stopping.set()
        self.progress.stop()
        asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)

    async def _worker(self, agents: AsyncAgents) -> None:
        for item in self.todo:
            if self.stopping.is_set():
                return
            record = await self._one(agents, item)
            if record is None:
                return
            self.ledger.record(record)
            self.tally.done += 1
            self.tally.statuses[record["status"]] += 1
            self.progress.update(self.tally.done, self.tally.statuses)

    async def _one(self, agents: AsyncAgents, item: Item) -> dict[str, Any] | None:
        """Run (or resume) one input; None when stopped before it finished."""
        import asyncio

        from .. import ExecutionFailedError, PromptLayerError

        if item.problem or item.inputs is None:
            return _record(item, None, "ERROR", None, item.problem)
        if item.unknown:
            return _unknown(item, item.unknown)
        execution_id = item.execution_id
        if execution_id is None:
            self.ledger.sending(item.line)
            try:
                started = await agents.run(
                    self.args.name,
                    input_variables=item.inputs,
                    label=self.args.label,
                    version=self.args.version,
                )
            except PromptLayerError as error:
                if may_have_started(error):
                    return _unknown(item, str(error))
                self.ledger.not_started(item.line)
                return _record(item, None, "ERROR", None, str(error))
            execution_id = started.execution_id
            self.ledger.started(item.line, execution_id)
        waiting = asyncio.ensure_future(agents.wait(execution_id, timeout=self.args.timeout))
        stop = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({waiting, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not waiting.done():
            waiting.cancel()
            await asyncio.gather(waiting, return_exceptions=True)
            return None
        try:
            result = waiting.result()
        except ExecutionFailedError as failure:
            return _record(item, execution_id, "FAILED", None, failure.reasons or "failed")
        except PromptLayerError as error:
            return _record(item, execution_id, "ERROR", None, str(error))
        return _record(item, execution_id, "SUCCESS", result.output, None)


def _unknown(item: Item, reason: str) -> dict[str, Any]:
    """The record of an input whose run may have started with an id nobody knows."""
    error = f"the run may have started, execution id unknown: {reason}; {RERUN_UNKNOWN_HINT}"
    return _record(item, None, UNKNOWN, None, error)


def batch_command(args: argparse.Namespace) -> int:
    """Run every input not yet done; print the counts."""
    import asyncio

    from .. import InvalidInputError

    if args.out.resolve() in (args.inputs.resolve(), Ledger(args.out).journal.resolve()):
        raise InvalidInputError(f"--out {args.out}: the results would overwrite the inputs")
    items = read_items(args.inputs)
    ledger = Ledger(args.out)
    try:
        with ledger:  # holds the journal's lock: one batch at a time per results file
            todo = ledger.resume(items, retry_unknown=args.retry_unknown)
            if len(todo) < len(items):
                print(f"skipping {len(items) - len(todo)} inputs already done", file=sys.stderr)
            batch = Batch(args, todo, ledger, total=len(items))
            asyncio.run(batch.run())
            return _finish(args, batch, ledger, total=len(items))
    except OSError as error:  # the results or journal file cannot be read or written
        raise InvalidInputError(f"--out {args.out}: {error.strerror or error}") from error


def _finish(args: argparse.Namespace, batch: Batch, ledger: Ledger, total: int) -> int:
    """Print the counts (or how to continue); answers the exit code."""
    tally = batch.tally
    left = total - tally.done
    if batch.stopping.is_set() and left:
        print(
            f"interrupted: {tally.done} of {total} done, {left} left; "
            "rerun the same command to continue",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    statuses = Counter(
        record["status"] if record["status"] in FINISHED | {UNKNOWN} else "ERROR"
        for record in _whole_records(args.out)
    )
    failed, errors, unknown = statuses["FAILED"], statuses["ERROR"], statuses[UNKNOWN]
    if not errors:
        ledger.forget_journal()
    print(f"{counts_text(statuses)}; results in {args.out}")
    if unknown:
        print(
            f"{unknown} inputs may have started (UNKNOWN) and were not started again; "
            "rerun with --retry-unknown to start them again",
            file=sys.stderr,
        )
        return EXIT_UNKNOWN
    return EXIT_FAILED if failed or errors else EXIT_OK
