"""`promptlayer-agents sandbox --record` and `--replay` as a user runs them: real processes."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from promptlayer_agents import Agents, NotFoundError
from promptlayer_agents.sandbox import Sandbox

from .test_sandbox_cli import COMMAND, _lines


@contextmanager
def _command(*arguments: str) -> Iterator[tuple[str, list[str]]]:
    """`promptlayer-agents sandbox ARGUMENTS` on a free port: its URL and what it printed first;
    stopped with Ctrl-C at the end."""
    process = subprocess.Popen(
        [COMMAND, "sandbox", "--port", "0", "--log-level", "warning", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = _lines(process)
        printed = [lines.get(timeout=30) for _ in range(6)]
        yield printed[0].split(" serving ", 1)[1].split(" ", 1)[0], printed
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0


def test_the_command_records_then_replays_offline(tmp_path: Path) -> None:
    cassette = tmp_path / "greeter.yaml"
    with (
        Sandbox(api_key="pl_real_key_123456") as upstream,
        _command(
            "--record", str(cassette), "--upstream", upstream.url, "--redact-input", "name"
        ) as (
            url,
            printed,
        ),
        Agents(api_key="pl_real_key_123456", base_url=url) as agents,
    ):
        recorded = agents.run_and_wait(
            "greeter", input_variables={"name": "Ada"}, poll_interval=0.1
        )
        definition = agents.get("greeter").to_dict()
        upstream_url = upstream.url
    assert f"Forwarding to {upstream_url} with each caller's key; recording {cassette}" in printed
    assert "  # and keep your own PROMPTLAYER_API_KEY: the proxy forwards it" in printed
    assert "pl_real_key_123456" not in cassette.read_text(encoding="utf-8")

    with (
        _command("--replay", str(cassette), "--speed", "5") as (url, printed),
        Agents(api_key="pl_sandbox", base_url=url) as agents,
    ):
        replayed = agents.run_and_wait(
            "greeter", input_variables={"name": "Ada"}, poll_interval=0.1
        )
        assert agents.get("greeter").to_dict() == definition
        try:
            agents.get("greeter", label="prod")
            raise AssertionError("a Get Agent that was not recorded was answered")
        except NotFoundError as error:
            assert "No Get Agent answer was recorded" in str(error)
    assert f"Replaying {cassette} at speed 5 (fallback: none)" in printed
    assert replayed.output == recorded.output == "Hello, Ada!"
    assert replayed.nodes == recorded.nodes


def test_the_command_refuses_a_corrupt_cassette_naming_file_and_line(tmp_path: Path) -> None:
    cassette = tmp_path / "bad.yaml"
    cassette.write_text("promptlayer_cassette: 1\ninteractions:\n- run: [\n", encoding="utf-8")

    done = subprocess.run(
        [COMMAND, "sandbox", "--port", "0", "--replay", str(cassette)],
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 2
    assert f"cassette {cassette}:4: is not valid YAML" in done.stderr
    assert done.stdout == ""
