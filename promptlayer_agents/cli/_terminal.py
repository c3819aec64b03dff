"""What the command line shows on a terminal while it works: a status line and a progress bar.

Both write to stderr, and only when stderr is a terminal, so pipes and files get results alone.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .. import ExecutionResult

REFRESH = 0.1  # seconds between progress bar redraws
BAR_WIDTH = 24


class StatusLine:
    """One line on stderr, rewritten in place; nothing at all when stderr is not a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._shown = False

    def show(self, text: str) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[2K" + text)
            self.stream.flush()
            self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._shown = False


class WaitStatus:
    """Elapsed time and node statuses of an execution being waited on."""

    def __init__(self, line: StatusLine) -> None:
        self.line = line
        self.start = time.monotonic()

    def __call__(self, partial: ExecutionResult) -> None:
        nodes = " · ".join(f"{n.name} {n.status}" for n in partial.nodes.values())
        elapsed = time.monotonic() - self.start
        self.line.show(f"waiting {elapsed:5.1f}s  execution {partial.execution_id}  {nodes}")


class ProgressBar:
    """done/failed counts, rate and time left for a batch."""

    def __init__(self, total: int, line: StatusLine) -> None:
        self.total = total
        self.line = line
        self.start = time.monotonic()
        self._drawn = 0.0

    def update(self, done: int, failed: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < REFRESH:
            return
        self._drawn = now
        elapsed = max(now - self.start, 1e-9)
        rate = done / elapsed
        left = f"{(self.total - done) / rate:.0f}s left" if rate > 0 else "--"
        filled = int(BAR_WIDTH * done / self.total) if self.total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.line.show(f"[{bar}] {done}/{self.total} done, {failed} failed, {rate:.1f}/s, {left}")
