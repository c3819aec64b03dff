"""The sandbox as a library and a command: quiet unless asked, a clean stop with requests in
flight, and a clear error without its extra."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import httpx

COMMAND = str(Path(sys.executable).with_name("promptlayer-agents"))

STOP_WITH_REQUESTS_IN_FLIGHT = """
import threading, time
from promptlayer_agents import Agents, PromptLayerError
from promptlayer_agents.sandbox import Faults, Sandbox

with Sandbox(faults=Faults(latency=30.0)) as sandbox:
    def run():
        try:
            with Agents(api_key=sandbox.api_key, base_url=sandbox.url, max_retries=0) as agents:
                agents.run("greeter", input_variables={"name": "Ada"})
        except PromptLayerError:
            pass
    for _ in range(2):
        threading.Thread(target=run, daemon=True).start()
    deadline = time.monotonic() + 20
    while sandbox.state.requests["POST run"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sandbox.state.requests["POST run"] == 2
print("stopped")
"""


def test_the_sandbox_stops_without_a_traceback_with_requests_in_flight() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STOP_WITH_REQUESTS_IN_FLIGHT],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (done.returncode, done.stdout) == (0, "stopped\n"), done.stderr
    assert "Traceback" not in done.stderr and "CancelledError" not in done.stderr, done.stderr


BLOCK_STARLETTE = """
import sys

class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "starlette":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Missing())
import promptlayer_agents  # the client itself needs no extra
try:
    from promptlayer_agents.sandbox import Sandbox
except ImportError as error:
    print(type(error).__name__, error.name, error, sep="|")
"""


def test_importing_the_sandbox_without_its_extra_names_the_extra() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_STARLETTE], capture_output=True, text=True, timeout=60
    )

    kind, name, message = done.stdout.strip().split("|")
    assert done.returncode == 0, done.stderr
    assert (kind, name) == ("ImportError", "starlette")
    assert "pip install 'promptlayer-agents[sandbox]'" in message


def _serve(*flags: str) -> tuple[subprocess.Popen[str], str, queue.Queue[str]]:
    """The sandbox command on a free port: the process, its URL, and what it prints after its
    first line (stdout and stderr, as they come)."""
    process = subprocess.Popen(
        [COMMAND, "sandbox", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    url = first.split(" serving ", 1)[1].split(" ", 1)[0]
    printed: queue.Queue[str] = queue.Queue()

    def pump(stream: IO[str]) -> None:
        for line in stream:
            printed.put(line)

    for stream in (process.stdout, process.stderr):
        threading.Thread(target=pump, args=(stream,), daemon=True).start()
    return process, url, printed


def _stop(process: subprocess.Popen[str], printed: queue.Queue[str], seen: list[str]) -> str:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=15)
    while not printed.empty():
        seen.append(printed.get())
    return "".join(seen)


def test_the_sandbox_command_prints_no_access_log_unless_asked() -> None:
    quiet, url, printed = _serve()
    try:
        assert httpx.get(f"{url}/workflows/greeter").status_code == 401
    finally:
        said_quietly = _stop(quiet, printed, [])
    loud, url, printed = _serve("--access-log")
    seen: list[str] = []
    try:
        assert httpx.get(f"{url}/workflows/greeter").status_code == 401
        while not any("/workflows/greeter" in line for line in seen):
            seen.append(printed.get(timeout=10))  # bounded: fails if the line never comes
    finally:
        said_loudly = _stop(loud, printed, seen)

    assert "/workflows/greeter" not in said_quietly
    assert "GET /workflows/greeter" in said_loudly and "401" in said_loudly
