"""The command line never prints a secret: not in a usage error, wherever the key came from
(--api-key before or after the command, PROMPTLAYER_API_KEY), not in an error line or a log line
on stderr, not in a results file's error column, however a server echoes the key (upper-cased
here) or a base URL's credentials. What a successful run returns is printed as it came."""

from __future__ import annotations

import json
import socket
import string
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlayer_agents.cli import main

from ..hostile import Behaviour, HostileServer, Request, head

KEY_CHARS = "".join(c for c in string.printable if c.strip() and c not in "*-")
KEYS = st.text(KEY_CHARS, min_size=8, max_size=30)
WHERE = st.sampled_from(["before", "before=", "after", "after=", "environment"])


def _argv(key: str, where: str, command: list[str]) -> list[str]:
    """`command` with the key given in one of the ways the command line takes it."""
    option = [f"--api-key={key}"] if where.endswith("=") else ["--api-key", key]
    if where.startswith("before"):
        return [*option, *command]
    if where.startswith("after"):
        return [*command, *option]
    return command


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=KEYS, where=WHERE, upper=st.booleans())
def test_a_usage_error_never_shows_the_key_wherever_it_came_from(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    key: str,
    where: str,
    upper: bool,
) -> None:
    """The subcommand's parser reports a bad --timeout that echoes the key: it must mask a key
    given before the command, or in the environment, which it never parsed."""
    monkeypatch.setenv("PROMPTLAYER_API_KEY", key if where == "environment" else "pl_other_key")
    echo = key.upper() if upper else key
    capsys.readouterr()

    with pytest.raises(SystemExit) as exited:
        main(_argv(key, where, ["run", "bot", "--timeout", f"s{echo}"]))

    err = capsys.readouterr().err
    assert exited.value.code == 2 and "--timeout" in err
    assert key.lower() not in err.lower(), err


def _echoing(key_header: str = "x-api-key") -> Behaviour:
    """A server whose every answer repeats the credential it got, upper-cased: a run starts
    (201), its results say the node failed with the credential in the error, anything else is a
    401 with it in the body and a header."""

    def behaviour(connection: socket.socket, request: Request, stop: threading.Event) -> None:
        echo = request.headers.get(key_header, "").upper()
        body: dict[str, object]
        if request.line.startswith("POST"):
            body = {"success": True, "message": "ok", "warning": None}
            status, body["workflow_version_execution_id"] = 201, 7
        elif "workflow-version-execution-results" in request.line:
            node = {
                "status": "FAILED",
                "value": None,
                "error_message": f"bad key {echo}",
                "raw_error_message": echo,
                "is_output_node": True,
            }
            status, body = 200, {"A": node}
        else:
            status, body = 401, {"message": f"bad key {echo}"}
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Content-Length": str(len(data))}
        connection.sendall(head(status, {**headers, "X-Request-Id": echo}) + data)

    return behaviour


KEY = "pl_cli_secret_0123456789"


@pytest.mark.parametrize("command", [["get", "bot"], ["run", "bot"], ["results", "7", "--wait"]])
def test_an_upper_cased_echo_never_reaches_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    monkeypatch.delenv("PROMPTLAYER_API_KEY", raising=False)
    with HostileServer(_echoing()) as server:
        code = main(["-v", "--api-key", KEY, "--base-url", server.url, *command])

    shown = capsys.readouterr()
    assert code in (1, 3)
    assert "promptlayer-agents:" in shown.err
    assert KEY.lower() not in (shown.out + shown.err).lower()


def test_an_upper_cased_echo_never_reaches_a_results_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("PROMPTLAYER_API_KEY", KEY)
    inputs, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inputs.write_text('{"q": "1"}\n{"q": "2"}\n')
    with HostileServer(_echoing()) as server:
        main(["batch", "bot", "--inputs", str(inputs), "--out", str(out), "--base-url", server.url])

    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [record["status"] for record in records] == ["FAILED", "FAILED"]
    assert all("***" in record["error"] for record in records)
    assert KEY.lower() not in (out.read_text() + capsys.readouterr().err).lower()


def test_a_base_urls_credentials_never_reach_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROMPTLAYER_API_KEY", KEY)
    with HostileServer(_echoing("authorization")) as server:
        url = server.url.replace("http://", "http://someone:pw-0123456789@")
        code = main(["-v", "get", "bot", "--base-url", url])

    err = capsys.readouterr().err
    assert code == 3 and "HTTP 401" in err
    assert "pw-0123456789" not in err and "someone" not in err
    assert server.requests[0].headers["authorization"].startswith("Basic ")
