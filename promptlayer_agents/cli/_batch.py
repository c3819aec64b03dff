"""`batch`: one run per line of a JSONL file, N at a time, resumable, never running an input twice.

An input is identified by its content (see _ledger.py), not by its line. The results file gets one
JSON line per input as it finishes (in finishing order; each holds the input, its identity and
its own outcome). A journal beside it (`RESULTS.jsonl.pending`) is the at-most-once guarantee:
before a run request is sent, the input's identity is journalled as `sending` (flushed and
fsynced); once the answer comes, the execution id; if the run certainly did not start,
`not_started`. So on a rerun (after Ctrl-C, a crash, a SIGKILL at any instant, and whatever edits
the inputs file had meanwhile) every input is in one of three states:

- its execution id is known: it is waited for, not started again;
- it certainly did not start, or was never sent: it is started;
- it was sent but its answer never came (lost, timed out, a 5xx, the process died): it may have
  started, and nothing can tell, so it ends as UNKNOWN and is not started again, unless the user
  asks for at-least-once with `--retry-unknown`.

Inputs whose run finished (SUCCESS or FAILED) are skipped on a rerun, and so are UNKNOWN ones
(without `--retry-unknown`); those that ended in an ERROR (the API refused, a wait timed out) are
tried again, or waited for again when their execution id is known. The journal is locked while a
batch runs, so a second batch on the same results file stops at once instead of starting the same
inputs. A refusal every input would meet (401, 403, 404) stops the batch at once.

The first Ctrl-C stops starting runs, lets the run requests in flight finish and be journalled, and
exits; a second one exits at once. The results file only ever holds whole lines.
"""

from __future__ import annotations

import argparse
import contextvars
import logging
import signal
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._config import DEFAULT_BATCH_CONCURRENCY
from .._logging import LOGGERS
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
    from ._ledger import Item, Ledger, Plan

RERUN_UNKNOWN_HINT = "rerun with --retry-unknown to start it again"
_LINE: contextvars.ContextVar[int | None] = contextvars.ContextVar("batch_line", default=None)


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
        default=DEFAULT_BATCH_CONCURRENCY,
        metavar="N",
        help=f"runs in flight at once (default {DEFAULT_BATCH_CONCURRENCY})",
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


def may_have_started(error: PromptLayerError) -> bool:
    """Whether a run request that raised `error` may have started its execution, so that sending
    it again could start a second one: the client's own verdict (an answer lost, a timeout after
    sending, a 5xx or an unreadable answer may hide a started run; a refusal before sending, a
    connection never made, a 429 or another 4xx did not start one)."""
    return error.may_have_started


def stops_the_batch(error: PromptLayerError) -> bool:
    """Whether a run request's error would meet every input alike (a wrong key, a workspace
    without access, an unknown agent, version or label, a bad configuration), so that the batch
    stops sending instead of sending every input in vain."""
    from .. import (
        AuthenticationError,
        ConfigurationError,
        NotFoundError,
        PermissionDeniedError,
    )

    fatal = AuthenticationError | PermissionDeniedError | NotFoundError | ConfigurationError
    return isinstance(error, fatal) and not error.may_have_started


def _record(
    item: Item, execution_id: int | None, status: str, output: Any, error: str | None
) -> dict[str, Any]:
    """A results line: the input (its line now, identity and variables) with its own outcome."""
    return {
        "line": item.line,
        "id": item.id,
        "inputs": item.inputs,
        "execution_id": execution_id,
        "status": status,
        "output": output,
        "error": error,
    }


@dataclass
class Tally:
    """Inputs finished so far (skipped ones included), and how many ended in each status (for
    the progress bar); runs this batch started and left unfinished when it stopped."""

    done: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    unfinished: int = 0


class _NameTheLine(logging.Filter):
    """Prefixes each log message (a run's warning, a retry) with the input line it concerns.
    A warning already shown for an earlier line is not repeated (every input of a batch tends
    to draw the same one)."""

    def __init__(self) -> None:
        super().__init__()
        self._warned: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        line = _LINE.get()
        if line is None:
            return True
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            if message in self._warned:
                return False
            self._warned.add(message)
        record.msg, record.args = f"input line {line}: {message}", None
        return True


class Batch:
    """One batch run: the workers, the stop flag, the tally."""

    def __init__(
        self,
        args: argparse.Namespace,
        todo: Iterable[Item | None],
        ledger: Ledger,
        total: int,
        tally: Tally | None = None,
    ) -> None:
        self.args = args
        self.todo: Iterator[Item | None] = iter(todo)
        self.ledger = ledger
        self.tally = tally or Tally()
        self.progress = ProgressBar(total, StatusLine())
        self.fatal: PromptLayerError | None = None  # the error that stopped the batch
        import asyncio  # here, not at the top: only batch needs it (see _common.py)

        self.stopping = asyncio.Event()

    async def run(self) -> None:
        import asyncio

        from .. import AsyncAgents

        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, self._interrupt)
        naming = _NameTheLine()
        for name in LOGGERS:
            logging.getLogger(name).addFilter(naming)
        self.progress.update(self.tally.done, self.tally.statuses, force=True)
        try:
            async with AsyncAgents(
                api_key=self.args.api_key, base_url=self.args.base_url
            ) as agents:
                workers = [self._worker(agents) for _ in range(self.args.concurrency)]
                await asyncio.gather(*workers)
        finally:
            loop.remove_signal_handler(signal.SIGINT)
            for name in LOGGERS:
                logging.getLogger(name).removeFilter(naming)
            self.progress.update(self.tally.done, self.tally.statuses, force=True)
            self.progress.line.clear()

    def _interrupt(self) -> None:
        """First Ctrl-C: stop starting runs. The default handler takes the second."""
        import asyncio

        self.stopping.set()
        self.progress.stop()
        asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)

    async def _worker(self, agents: AsyncAgents) -> None:
        import asyncio

        for item in self.todo:
            if self.stopping.is_set():
                return
            if item is None:  # a pause while done inputs are skipped: let the others run
                await asyncio.sleep(0)
                continue
            _LINE.set(item.line)  # this worker's task only: its log messages name the line
            record = await self._one(agents, item)
            _LINE.set(None)
            if record is None:
                return
            self.ledger.record(record)
            self.tally.done += 1
            self.tally.statuses[record["status"]] += 1
            self.progress.update(self.tally.done, self.tally.statuses)

    async def _one(self, agents: AsyncAgents, item: Item) -> dict[str, Any] | None:
        """Run (or resume) one input; None when stopped before it finished."""
        from .. import PromptLayerError

        if item.problem or item.inputs is None:
            return _record(item, None, "ERROR", None, item.problem)
        if item.unknown:
            return _unknown(item, item.unknown)
        execution_id = item.execution_id
        if execution_id is None:
            self.ledger.sending(item)
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
                self.ledger.not_started(item)
                if stops_the_batch(error):
                    self.fatal = self.fatal or error
                    self.stopping.set()
                    return None
                return _record(item, None, "ERROR", None, str(error))
            execution_id = started.execution_id
            self.ledger.started(item, execution_id)
        return await self._wait(agents, item, execution_id)

    async def _wait(
        self, agents: AsyncAgents, item: Item, execution_id: int
    ) -> dict[str, Any] | None:
        """Wait for a started input's result; None when stopped first (a rerun waits again)."""
        import asyncio

        from .. import ExecutionFailedError, PromptLayerError

        waiting = asyncio.ensure_future(agents.wait(execution_id, timeout=self.args.timeout))
        stop = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({waiting, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not waiting.done():
            waiting.cancel()
            await asyncio.gather(waiting, return_exceptions=True)
            self.tally.unfinished += 1
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
    from ._ledger import UNKNOWN

    error = f"the run may have started, execution id unknown: {reason}; {RERUN_UNKNOWN_HINT}"
    return _record(item, None, UNKNOWN, None, error)


def batch_command(args: argparse.Namespace) -> int:
    """Run every input not yet done; print the counts."""
    import asyncio

    from .. import InvalidInputError
    from ._ledger import Ledger, Plan, Target, read_inputs

    target = Target(args.name, args.label, args.version)
    ledger = Ledger(args.out)
    ledger.refuse_overwriting(args.inputs)
    try:
        with ledger:  # holds the journal's lock: one batch at a time per results file
            resumed = ledger.resume(target, retry_unknown=args.retry_unknown)
            plan = Plan.count(read_inputs(args.inputs, target), resumed)
            ledger.translate(plan, resumed)
            _announce(args, plan)
            todo = resumed.todo(read_inputs(args.inputs, target))
            tally = Tally(done=plan.done, statuses=plan.statuses)
            batch = Batch(args, todo, ledger, plan.total, tally)
            asyncio.run(batch.run())
            return _finish(args, batch, ledger, plan.total)
    except OSError as error:  # the results or journal file cannot be read or written
        raise InvalidInputError(f"--out {args.out}: {error.strerror or error}") from error


def _announce(args: argparse.Namespace, plan: Plan) -> None:
    """Say what a rerun skips, and which results no longer have their input."""
    if plan.done:
        print(f"skipping {plan.done} inputs already done", file=sys.stderr)
    if plan.removed:
        print(
            f"{plan.removed} results in {args.out} are of inputs no longer in {args.inputs} "
            "(removed or edited, or run for another agent, label or version); they stay in the "
            "results and are not run again",
            file=sys.stderr,
        )


def _finish(args: argparse.Namespace, batch: Batch, ledger: Ledger, total: int) -> int:
    """Print the counts (or how to continue); answers the exit code."""
    from ._ledger import UNKNOWN

    tally = batch.tally
    left = total - tally.done
    if batch.fatal is not None:
        print(
            f"batch stopped at the first error every input would meet: {tally.done} of {total} "
            f"done, {left} left; fix it and rerun the same command to continue",
            file=sys.stderr,
        )
        raise batch.fatal  # reported like `run` reports it, with its exit code
    if batch.stopping.is_set() and left:
        running = (
            f", {tally.unfinished} started and not finished (a rerun waits for them)"
            if tally.unfinished
            else ""
        )
        print(
            f"interrupted: {tally.done} of {total} done{running}, {left} left; "
            "rerun the same command to continue",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    statuses = ledger.statuses()
    failed, errors, unknown = statuses["FAILED"], statuses["ERROR"], statuses[UNKNOWN]
    if not errors:
        ledger.forget_journal()
    print(f"{counts_text(statuses)}; results in {args.out}")
    if unknown:
        print(
            f"{unknown} {'input' if unknown == 1 else 'inputs'} may have started (UNKNOWN) and "
            f"{'was' if unknown == 1 else 'were'} not started again; "
            "rerun with --retry-unknown to start them again",
            file=sys.stderr,
        )
        return EXIT_UNKNOWN
    return EXIT_FAILED if failed or errors else EXIT_OK
