"""A client is safe across `fork()`: a child never reads or writes the parent's connections.

The client's own httpx client is replaced by a new one in the child on its first request; an
`http_client` passed in is refused in the child (ConfigurationError, nothing sent), since only its
owner can make another. Tested with real forks against a local keep-alive server, each answer
naming the request it answers, so that a crossed answer shows.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import promptlayer_agents as pa

from ..fakes import SameCalls

KEY = "pl_isolation_0123456789"
CALLS = 40
"""Requests made by the parent and by the child, after the fork, at the same time."""


class _Echo(BaseHTTPRequestHandler):
    """Answers a results request with the main output `answer-<execution id>`, keeping the
    connection open for the next request."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        body = json.dumps(f"answer-{query['workflow_version_execution_id'][0]}").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def server_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def crossed(get_output: Callable[[int], object], ids: range) -> list[int]:
    """The ids whose answer was not their own (or no answer at all)."""
    wrong = []
    for execution_id in ids:
        try:
            if get_output(execution_id) != f"answer-{execution_id}":
                wrong.append(execution_id)
        except pa.PromptLayerError:
            wrong.append(execution_id)
    return wrong


def fork_and_compare(parent: Callable[[int], object], child: Callable[[], int]) -> tuple[int, int]:
    """Fork; the child exits with `child()`; the parent reads its own answers meanwhile.
    Answers (crossed answers in the parent, the child's exit code)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            code = child()
        finally:
            os._exit(code)
    try:
        wrong = crossed(parent, range(2, 2 * CALLS + 2, 2))
        _, status = os.waitpid(pid, 0)  # bounded: each of the child's requests has a timeout
        pid = 0
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return len(wrong), os.waitstatus_to_exitcode(status)


def test_blocking_parent_and_child_each_read_their_own_answers(server_url: str) -> None:
    agents = pa.Agents(api_key=KEY, base_url=server_url, timeout=20.0, max_retries=0)
    assert agents.get_results(1).output == "answer-1"  # a kept-alive connection in the pool

    def child() -> int:
        return min(len(crossed(lambda i: agents.get_results(i).output, range(1, 2 * CALLS, 2))), 1)

    try:
        wrong, code = fork_and_compare(lambda i: agents.get_results(i).output, child)
    finally:
        agents.close()

    assert (wrong, code) == (0, 0)


def test_asyncio_parent_and_child_each_read_their_own_answers(server_url: str) -> None:
    calls = SameCalls("async")
    calls.agents = pa.AsyncAgents(api_key=KEY, base_url=server_url, timeout=20.0, max_retries=0)
    assert calls.get_results(1).output == "answer-1"
    agents = calls.agents

    def child() -> int:
        async def main() -> int:
            ids = range(1, 2 * CALLS, 2)
            results = await asyncio.gather(
                *(agents.get_results(i) for i in ids), return_exceptions=True
            )
            answers = [getattr(result, "output", None) for result in results]
            return int(answers != [f"answer-{i}" for i in ids])

        return asyncio.run(main())

    try:
        wrong, code = fork_and_compare(lambda i: calls.get_results(i).output, child)
    finally:
        calls.shut()

    assert (wrong, code) == (0, 0)


def test_a_client_of_your_own_is_refused_in_the_child(server_url: str) -> None:
    http = httpx.Client()
    agents = pa.Agents(api_key=KEY, base_url=server_url, timeout=20.0, http_client=http)
    assert agents.get_results(1).output == "answer-1"

    def child() -> int:
        try:
            agents.get_results(3)
        except pa.ConfigurationError as error:
            return 0 if "fork" in str(error) and error.may_have_started is False else 1
        return 1

    try:
        wrong, code = fork_and_compare(lambda i: agents.get_results(i).output, child)
    finally:
        http.close()

    assert (wrong, code) == (0, 0)
