"""The command line in a real (pseudo-)terminal: a status line and progress bar that stay on one
line at the terminal's width, warnings printed once above them, Ctrl-C that says how to resume,
and the package's logging, which stays quiet in a program that did not ask for it."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import queue
import signal
import struct
import subprocess
import sys
import termios
import threading
from importlib import metadata
from pathlib import Path

from promptlayer_agents.sandbox import Sandbox

COMMAND = str(Path(sys.executable).with_name("promptlayer-agents"))
CLEAR = "\r\x1b[2K"


def _environment(sandbox: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTLAYER_")}
    env.update(PROMPTLAYER_BASE_URL=sandbox.url, PROMPTLAYER_API_KEY=sandbox.api_key)
    return env


def _in_terminal(args: list[str], env: dict[str, str], columns: int) -> tuple[int, str, str]:
    """Run the command with stderr on a pseudo-terminal `columns` wide: (exit code, stdout,
    what the terminal showed)."""
    parent, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    attributes = termios.tcgetattr(child)
    attributes[1] &= ~termios.OPOST  # show the bytes as written (no \n -> \r\n)
    termios.tcsetattr(child, termios.TCSANOW, attributes)
    chunks: list[bytes] = []

    def pump() -> None:  # read as it comes, so the child never blocks on a full terminal
        while True:
            try:
                chunk = os.read(parent, 4096)
            except OSError:  # the terminal closed: everything was read
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        process = subprocess.Popen(
            [COMMAND, *args], env=env, stdout=subprocess.PIPE, stderr=child, text=True
        )
        stdout, _ = process.communicate(timeout=60)
        os.close(child)
        reader.join(10)
    finally:
        os.close(parent)
    return process.returncode, stdout, b"".join(chunks).decode("utf-8", "replace")


def _status_texts(shown: str) -> list[str]:
    """Each state of the status line: what follows a clear, up to the next clear (after any
    message printed above it)."""
    return [frame.rsplit("\n", 1)[-1] for frame in shown.split(CLEAR)[1:]]


def test_the_status_line_fits_60_columns_and_the_warning_shows_once(sandbox: Sandbox) -> None:
    code, stdout, shown = _in_terminal(
        ["run", "slow-report", "-i", "topic=tides", "-i", "colour=blue"],
        _environment(sandbox),
        columns=60,
    )

    texts = [text for text in _status_texts(shown) if text]
    assert code == 0, shown
    assert stdout == "Report: Draft from notes on tides\n"
    assert len(texts) >= 2 and all(len(text) <= 59 for text in texts), texts
    assert any(text.endswith("…") for text in texts)  # the node statuses did not fit
    assert shown.count("warning:") == 1, shown
    assert "colour" in shown.split("warning:", 1)[1].split("\n", 1)[0]
    assert shown.replace(CLEAR, "").count("\n") == 1  # only the warning took a new line


def test_the_batch_bar_shows_at_once_with_the_summary_counts(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    inputs, out = tmp_path / "inputs.jsonl", tmp_path / "results.jsonl"
    lines = [json.dumps({"name": f"n{n}", "colour": "blue"}) for n in range(3)] + ["[1]"]
    inputs.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, stdout, shown = _in_terminal(
        ["batch", "greeter", "--inputs", str(inputs), "--out", str(out), "--concurrency", "1"],
        _environment(sandbox),
        columns=100,
    )

    texts = [text for text in _status_texts(shown) if text]
    assert code == 1, shown
    assert texts[0].startswith("0/4 done · ")  # before any input finished
    assert " · 0 succeeded, 0 failed, 0 errors, 0 unknown" in texts[0]
    assert texts[-1].startswith("4/4 done · ")
    assert " · 3 succeeded, 0 failed, 1 error, 0 unknown" in texts[-1]
    assert "3 succeeded, 0 failed, 1 error" in stdout
    assert shown.count("warning:") == 1, shown  # the same warning for every run, shown once
    assert "warning: input line 1: run of 'greeter': " in shown  # naming the line it concerns
    assert all(len(text) <= 99 for text in texts)


def test_ctrl_c_while_waiting_names_the_execution_and_how_to_resume(sandbox: Sandbox) -> None:
    process = subprocess.Popen(
        [COMMAND, "-v", "run", "slow-report", "-i", "topic=tides"],
        env=_environment(sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        while "workflow-version-execution-results" not in lines.get(timeout=30):
            pass  # -v shows each request: the first poll means it is waiting
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    finally:
        process.kill()
    said = []
    while not lines.empty():
        said.append(lines.get())

    assert code == 130
    assert said[-1] == (
        "promptlayer-agents: interrupted; execution 1 keeps running "
        "(resume with: promptlayer-agents results 1 --wait)\n"
    ), said
    assert not any("Traceback" in line for line in said)


def test_quiet_prints_the_result_only(sandbox: Sandbox) -> None:
    code, stdout, shown = _in_terminal(
        ["run", "slow-report", "-q", "-i", "topic=tides", "-i", "colour=blue"],
        _environment(sandbox),
        columns=60,
    )

    assert (code, stdout, shown) == (0, "Report: Draft from notes on tides\n", "")


def test_the_library_prints_nothing_through_the_last_resort_handler(sandbox: Sandbox) -> None:
    script = (
        "from promptlayer_agents import Agents\n"
        "with Agents() as agents:\n"
        "    started = agents.run('greeter', input_variables={'name': 'A', 'colour': 'x'})\n"
        "    print(started.warning is not None)\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_environment(sandbox),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (done.returncode, done.stdout, done.stderr) == (0, "True\n", "")


def test_version_and_python_m(tmp_path: Path) -> None:
    expected = f"promptlayer-agents {metadata.version('promptlayer-agents')}\n"
    for command in (
        [COMMAND, "--version"],
        [sys.executable, "-m", "promptlayer_agents", "--version"],
    ):
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert (done.returncode, done.stdout) == (0, expected), done.stderr
