"""`promptlayer-agents sandbox` as a user runs it: a real process, stopped with Ctrl-C."""

from __future__ import annotations

import json
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from ..helpers import ROOT

COMMAND = str(Path(sys.executable).with_name("promptlayer-agents"))


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """The process's stdout lines, read on a thread so each wait can be bounded."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def test_sandbox_command_serves_then_stops_on_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [COMMAND, "sandbox", "--port", "0", "--api-key", "pl_cli_test", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = _lines(process)
        first = lines.get(timeout=30)
        url = first.split(" serving ", 1)[1].split(" ", 1)[0]
        printed = [first] + [lines.get(timeout=10) for _ in range(5)]

        answer = httpx.get(f"{url}/workflows/greeter", headers={"X-API-KEY": "pl_cli_test"})

        assert answer.status_code == 200
        assert url.startswith("http://127.0.0.1:")
        assert "with API key pl_cli_test" in first
        assert f"  export PROMPTLAYER_BASE_URL={url}" in printed
        assert "  export PROMPTLAYER_API_KEY=pl_cli_test" in printed
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=15)
    assert code == 0
    host, port = url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), 2).close()
        raise AssertionError("the sandbox still listens after Ctrl-C")
    except ConnectionRefusedError:
        pass


def test_sandbox_command_reports_a_bad_agents_file(tmp_path: Path) -> None:
    bad = tmp_path / "agents.yaml"
    bad.write_text("agents: [{workflow_name: x, versions: []}]", encoding="utf-8")

    done = subprocess.run(
        [COMMAND, "sandbox", "--port", "0", "--agents", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 2
    assert "needs a non-empty list of versions" in done.stderr
    assert "Traceback" not in done.stderr


def _serve(agents_file: Path) -> tuple[subprocess.Popen[str], str]:
    """`promptlayer-agents sandbox --agents FILE` on a free port, and its URL."""
    process = subprocess.Popen(
        [COMMAND, "sandbox", "--port", "0", "--agents", str(agents_file), "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = _lines(process).get(timeout=30)
    return process, first.split(" serving ", 1)[1].split(" ", 1)[0]


def test_sandbox_serves_what_get_json_printed(tmp_path: Path) -> None:
    env = {"PROMPTLAYER_API_KEY": "pl_sandbox"}
    demo, demo_url = _serve(ROOT / "promptlayer_agents" / "sandbox" / "default_agents.yaml")
    try:
        printed = [
            subprocess.run(
                [COMMAND, "get", "support-bot", *version, "--json", "--base-url", demo_url],
                capture_output=True,
                text=True,
                timeout=30,
                env=env,
                check=True,
            ).stdout
            for version in (["--version", "2"], ["--version", "3"])
        ]
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=15)
    one, both = tmp_path / "one.json", tmp_path / "both.json"
    one.write_text(printed[0], encoding="utf-8")
    both.write_text(f"[{printed[0]}, {printed[1]}]", encoding="utf-8")

    for agents_file, versions in ((one, [2]), (both, [2, 3])):
        process, url = _serve(agents_file)
        try:
            with httpx.Client(base_url=url, headers={"X-API-KEY": "pl_sandbox"}) as http:
                served = [
                    http.get("/workflows/support-bot", params={"version": n}) for n in versions
                ]
                missing = http.get("/workflows/support-bot", params={"version": 1})
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=15)
        assert [answer.json() for answer in served] == [
            json.loads(printed[n - 2]) for n in versions
        ]
        assert missing.status_code == 404
