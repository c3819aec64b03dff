"""`batch`: one run per line of a JSONL file, N at a time, resumable, never running an input twice.

The results file gets one JSON line per input as it finishes (in finishing order; each names its
input line). A journal beside it (`RESULTS.jsonl.pending`) records each execution id as soon as the
run starts, so a rerun after Ctrl-C waits for executions already started instead of starting them
again. Inputs whose run finished (SUCCESS or FAILED) are skipped on a rerun; those that ended in an
ERROR (the API refused, a timeout) are tried again.

The first Ctrl-C stops starting runs, lets the run requests in flight finish and be journalled, and
exits; a second one exits at once. The results file only ever holds whole lines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .. import (
    AsyncAgents,
    ExecutionFailedError,
    ExecutionResult,
    InvalidInputError,
    PromptLayerError,
)
from ..rules import failure_summary
from ._common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, timeout_option, version_options
from ._terminal import ProgressBar, StatusLine

FINISHED = frozenset({"SUCCESS", "FAILED"})


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
        type=Path,
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


def read_items(path: Path) -> list[Item]:
    """Every non-blank line of the inputs file, numbered from 1."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInputError(f"--inputs {path}: {error.strerror or error}") from error
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as error:
            items.append(Item(number, None, f"line {number} is not JSON: {error}"))
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
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("line"), int):
            records.append(record)
    return records


class Ledger:
    """The results file and its journal of started executions."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.journal = out.with_name(out.name + ".pending")
        self._out: IO[str] | None = None
        self._journal: IO[str] | None = None

    def resume(self, items: list[Item]) -> list[Item]:
        """Keep finished results, drop ERROR ones (rewriting the file whole), and answer the items
        still to do, with the execution ids already started."""
        records = _whole_records(self.out)
        finished = [r for r in records if r.get("status") in FINISHED]
        # A line torn by a crash would swallow the next result appended to it.
        torn = self.out.exists() and not self.out.read_text("utf-8").endswith("\n")
        if len(finished) != len(records) or torn or (self.out.exists() and not records):
            temporary = self.out.with_name(self.out.name + ".tmp")
            temporary.write_text("".join(json.dumps(r) + "\n" for r in finished), "utf-8")
            os.replace(temporary, self.out)
        done = {record["line"] for record in finished}
        started = {r["line"]: r["execution_id"] for r in _whole_records(self.journal)}
        todo = [item for item in items if item.line not in done]
        for item in todo:
            item.execution_id = started.get(item.line)
        return todo

    def __enter__(self) -> Ledger:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._out = self.out.open("a", encoding="utf-8")
        self._journal = self.journal.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in (self._out, self._journal):
            if stream is not None:
                stream.close()

    @staticmethod
    def _append(stream: IO[str] | None, record: dict[str, Any]) -> None:
        assert stream is not None, "the ledger is not open"
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        stream.flush()

    def started(self, line: int, execution_id: int) -> None:
        self._append(self._journal, {"line": line, "execution_id": execution_id})

    def record(self, record: dict[str, Any]) -> None:
        self._append(self._out, record)

    def forget_journal(self) -> None:
        """Every input finished: the journal has nothing left to say."""
        self.journal.unlink(missing_ok=True)


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


def _failed(result: ExecutionResult) -> str:
    return failure_summary(result.failed_nodes) or "failed"


@dataclass
class Tally:
    """Inputs finished so far (skipped ones included) and how many of them did not succeed."""

    done: int = 0
    bad: int = 0


class Batch:
    """One batch run: the workers, the stop flag, the tally."""

    def __init__(
        self, args: argparse.Namespace, todo: list[Item], ledger: Ledger, total: int
    ) -> None:
        self.args = args
        self.todo: Iterator[Item] = iter(todo)
        self.ledger = ledger
        self.tally = Tally(done=total - len(todo))
        self.progress = ProgressBar(total, StatusLine())
        self.stopping = asyncio.Event()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, self._interrupt)
        try:
            async with AsyncAgents(
                api_key=self.args.api_key, base_url=self.args.base_url
            ) as agents:
                workers = [self._worker(agents) for _ in range(self.args.concurrency)]
                await asyncio.gather(*workers)
        finally:
            loop.remove_signal_handler(signal.SIGINT)
            self.progress.update(self.tally.done, self.tally.bad, force=True)
            self.progress.line.clear()

    def _interrupt(self) -> None:
        """First Ctrl-C: stop starting runs. The default handler takes the second."""
        self.stopping.set()
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
            self.tally.bad += record["status"] != "SUCCESS"
            self.progress.update(self.tally.done, self.tally.bad)

    async def _one(self, agents: AsyncAgents, item: Item) -> dict[str, Any] | None:
        """Run (or resume) one input; None when stopped before it finished."""
        if item.problem or item.inputs is None:
            return _record(item, None, "ERROR", None, item.problem)
        execution_id = item.execution_id
        if execution_id is None:
            try:
                started = await agents.run(
                    self.args.name,
                    input_variables=item.inputs,
                    label=self.args.label,
                    version=self.args.version,
                )
            except PromptLayerError as error:
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
            return _record(item, execution_id, "FAILED", None, _failed(failure.result))
        except PromptLayerError as error:
            return _record(item, execution_id, "ERROR", None, str(error))
        return _record(item, execution_id, "SUCCESS", result.output, None)


def batch_command(args: argparse.Namespace) -> int:
    """Run every input not yet done; print the counts."""
    items = read_items(args.inputs)
    ledger = Ledger(args.out)
    todo = ledger.resume(items)
    if len(todo) < len(items):
        print(f"skipping {len(items) - len(todo)} inputs already done", file=sys.stderr)
    with ledger:
        batch = Batch(args, todo, ledger, total=len(items))
        asyncio.run(batch.run())
    tally = batch.tally
    left = len(items) - tally.done
    if batch.stopping.is_set() and left:
        print(
            f"interrupted: {tally.done} of {len(items)} done, {left} left; "
            "rerun the same command to continue",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    statuses = [record["status"] for record in _whole_records(args.out)]
    succeeded, failed = statuses.count("SUCCESS"), statuses.count("FAILED")
    errors = len(statuses) - succeeded - failed
    if not errors:
        ledger.forget_journal()
    print(f"{succeeded} succeeded, {failed} failed, {errors} errors; results in {args.out}")
    return EXIT_FAILED if failed or errors else EXIT_OK
