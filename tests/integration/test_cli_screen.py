"""What a person sees in a real terminal: the command runs on a pseudo-terminal of a given width,
and a terminal emulator (pyte) draws what it writes. The status line and the batch's progress
line lead with counts, rate and time left and stay on one row, at 80 and at 40 columns; the line
is gone once the command ends, Ctrl-C included."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyte
import pytest

from promptlayer_agents.sandbox import Faults, Sandbox

COMMAND = str(Path(sys.executable).with_name("promptlayer-agents"))
ROWS = 24
DEADLINE = 60.0  # seconds a command may take here, start to end
LATENCY = 6.0  # seconds the slow sandbox takes to answer each request
PROGRESS = re.compile(r"\b\d+/\d+\b")  # "4/10": a progress line, whatever its layout


def _environment(sandbox: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTLAYER_")}
    env.update(PROMPTLAYER_BASE_URL=sandbox.url, PROMPTLAYER_API_KEY=sandbox.api_key)
    return env


class Terminal:
    """A command running on a pseudo-terminal `columns` wide (stdout and stderr both, as in a
    shell), drawn by pyte as its bytes arrive. `frames` holds the cursor's row after each read:
    every state of the status line the person could have seen."""

    def __init__(self, args: list[str], env: dict[str, str], columns: int) -> None:
        self.columns = columns
        self.screen = pyte.Screen(columns, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.frames: list[str] = []
        self._lock = threading.Lock()
        parent, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, columns, 0, 0))
        self._parent = parent
        self.process = subprocess.Popen(
            [COMMAND, *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=child,
            stderr=child,
            start_new_session=True,
        )
        os.close(child)
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        while True:
            try:
                chunk = os.read(self._parent, 4096)
            except OSError:  # the command ended and closed the terminal
                return
            if not chunk:
                return
            with self._lock:
                self.stream.feed(chunk)
                self.frames.append(self.screen.display[self.screen.cursor.y].rstrip())

    def wait_for(self, found: Callable[[list[str]], bool], within: float = DEADLINE) -> None:
        """Until `found(rows)` holds for the screen's rows; fails after `within` seconds."""
        end = time.monotonic() + within
        while time.monotonic() < end:
            with self._lock:
                if found(list(self.screen.display)):
                    return
            if self.process.poll() is not None:
                break
            threading.Event().wait(0.05)  # a bounded poll on a condition, not a fixed sleep
        with self._lock:
            assert found(list(self.screen.display)), "\n".join(self.screen.display)

    def finish(self) -> tuple[int, list[str]]:
        """(exit code, the screen's non-blank rows) once the command has ended."""
        try:
            code = self.process.wait(timeout=DEADLINE)
        finally:
            self.process.kill()
            self._reader.join(10)
            os.close(self._parent)
        return code, [row.rstrip() for row in self.screen.display if row.strip()]


def _until(condition: Callable[[], bool]) -> None:
    """Wait until `condition()` holds, bounded by DEADLINE."""
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        threading.Event().wait(0.02)


def _run_requests(sandbox: Sandbox) -> int:
    """Run requests the sandbox has received (counted before its injected latency)."""
    counts = sandbox.app.state.sandbox.requests
    return sum(count for name, count in counts.items() if name.startswith("POST"))


def _progress_frames(frames: list[str]) -> list[str]:
    return [frame for frame in frames if " done · " in frame]


def _inputs(tmp_path: Path, count: int) -> Path:
    inputs = tmp_path / "inputs.jsonl"
    lines = [json.dumps({"name": f"n{number}"}) for number in range(count)]
    inputs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return inputs


@pytest.mark.parametrize("columns", [80, 40])
def test_the_batch_line_leads_with_counts_rate_and_time_left(
    columns: int, sandbox: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "results.jsonl"
    args = ["batch", "greeter", "--inputs", str(_inputs(tmp_path, 6)), "--out", str(out)]

    terminal = Terminal([*args, "--concurrency", "1"], _environment(sandbox), columns)
    code, rows = terminal.finish()

    frames = _progress_frames(terminal.frames)
    assert code == 0, rows
    assert frames, terminal.frames
    for frame in frames:
        done, rest = frame.split(" done · ", 1)
        assert done.split("/")[1] == "6", frame  # inputs done out of all, first
        assert "/s · " in rest and " left" in rest, frame  # then the rate and the time left
        assert len(frame) < columns, frame  # the last column stays free: no wrap
    assert "6 succeeded, 0 failed, 0 errors, 0 unknown; results in" in "".join(rows), rows
    assert not any(" done · " in row for row in rows), rows  # cleared at the end


@pytest.mark.parametrize("columns", [80, 40])
def test_the_run_status_line_starts_with_nodes_done(columns: int, sandbox: Sandbox) -> None:
    terminal = Terminal(["run", "slow-report", "-i", "topic=tides"], _environment(sandbox), columns)
    code, rows = terminal.finish()

    frames = [frame for frame in terminal.frames if "nodes done" in frame]
    assert code == 0, rows
    assert frames, terminal.frames
    for frame in frames:
        done, total = frame.split(" nodes done", 1)[0].split("/")
        assert int(done) <= int(total) == 3, frame
        assert len(frame) < columns, frame
    assert rows == ["Report: Draft from notes on tides"], rows


def test_ctrl_c_clears_the_bar_at_once(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    """The first Ctrl-C stops starting runs and waits for the run request in flight (here slow
    to answer): the bar is gone from the screen at once, not left there until the end."""
    slow = sandbox_factory(faults=Faults(latency=LATENCY))
    out = tmp_path / "results.jsonl"
    args = ["batch", "greeter", "--inputs", str(_inputs(tmp_path, 3)), "--out", str(out)]
    terminal = Terminal([*args, "--concurrency", "1"], _environment(slow), 80)

    terminal.wait_for(lambda rows: any(PROGRESS.search(row) for row in rows))
    _until(lambda: _run_requests(slow) > 0)  # sent: its answer comes LATENCY seconds later
    os.killpg(terminal.process.pid, signal.SIGINT)
    # Well before that answer (a generous bound: a redraw takes milliseconds).
    terminal.wait_for(lambda rows: not any(PROGRESS.search(row) for row in rows), LATENCY / 2)
    code, rows = terminal.finish()

    assert code == 130, rows
    assert not any(PROGRESS.search(row) for row in rows), rows
    message = " ".join(
        row.strip() for row in rows[rows.index(next(r for r in rows if "interrupted" in r)) :]
    )
    assert message.startswith("interrupted") and message.endswith("to continue"), rows


def test_ctrl_c_twice_clears_the_bar(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    """Ctrl-C twice while a run request is in flight: the command stops at once, and the bar is
    gone from the screen, not left under (or glued to) what it prints."""
    slow = sandbox_factory(faults=Faults(latency=3.0))
    out = tmp_path / "results.jsonl"
    args = ["batch", "greeter", "--inputs", str(_inputs(tmp_path, 3)), "--out", str(out)]
    terminal = Terminal([*args, "--concurrency", "1"], _environment(slow), 80)

    terminal.wait_for(lambda rows: any(PROGRESS.search(row) for row in rows))
    for _ in range(2):  # as a person does: the first stops starting runs, the second stops
        os.killpg(terminal.process.pid, signal.SIGINT)
        threading.Event().wait(0.2)
    code, rows = terminal.finish()

    assert code == 130, rows
    assert rows, "nothing on screen"
    assert not any(PROGRESS.search(row) for row in rows), rows
    assert "interrupted" in rows[-1], rows
