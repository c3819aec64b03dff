"""Script callables, isolated: a test's own code runs off the server's event loop, within a bound.

A callable given to `PromptLayerSandbox.script(value=...)` is the test's code, and may do anything:
raise `SystemExit`, `KeyboardInterrupt` or pytest's `Failed`, return something JSON cannot carry,
or block for ever. Each call runs on its own daemon thread, so none of that can stop or block the
server: whatever it raises (any `BaseException`) or returns that is not JSON fails its node with
the reason, and one that has not returned within its timeout fails its node and is abandoned (its
thread ends when the callable does; being a daemon, it never keeps the process alive).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from ._catalog import json_problem
from ._nodes import NodeFailed

DEFAULT_CALLABLE_TIMEOUT = 10.0
"""Seconds a script callable may take before its node fails and the call is abandoned."""


class Call:
    """One call of a script callable, on its own thread. Made on the event loop's thread, which
    alone reads the outcome; the worker thread only fills it in and wakes the loop."""

    def __init__(
        self, function: Callable[[dict[str, Any]], Any], values: dict[str, Any], timeout: float
    ) -> None:
        self.timeout = timeout
        self.label = getattr(function, "__qualname__", type(function).__name__)
        self.started = time.monotonic()
        self.returned = threading.Event()
        self._value: Any = None
        self._failure: str | None = None
        self._loop = asyncio.get_running_loop()
        self.waiter: asyncio.Future[None] = self._loop.create_future()
        self._thread = threading.Thread(
            target=self._run, args=(function, values), name=f"sandbox script {self.label}"
        )
        self._thread.daemon = True
        self._thread.start()

    def _run(self, function: Callable[[dict[str, Any]], Any], values: dict[str, Any]) -> None:
        """The worker thread: call, keep the value or the reason it failed, wake the loop."""
        try:
            value = function(values)
        except BaseException as error:  # the test's code: anything it raises fails its node
            self._failure = f"{type(error).__name__}: {error}"
        else:
            problem = json_problem(value)
            if problem:
                self._failure = f"the script callable returned {problem}"
            else:
                self._value = value
        self.returned.set()
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
            self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if not self.waiter.done():
            self.waiter.set_result(None)

    def remaining(self) -> float:
        """Seconds left before the call is abandoned (0 when it is)."""
        return max(0.0, self.timeout - (time.monotonic() - self.started))

    @property
    def settled(self) -> bool:
        """Whether the outcome is known: it returned, or it ran out of time."""
        return self.returned.is_set() or self.remaining() == 0

    def outcome(self) -> Any:
        """The value it returned; raises NodeFailed with the reason it failed, or with its
        timeout when it has not returned in time (it is then abandoned)."""
        if not self.returned.is_set():
            raise NodeFailed(
                f"the script callable {self.label} did not return within {self.timeout:g} s, "
                "so the sandbox abandoned it"
            )
        if self._failure is not None:
            raise NodeFailed(self._failure)
        return self._value


async def wait_for_any(calls: list[Call], limit: float | None = None) -> None:
    """Wait until one of the calls returns, or the first of them runs out of time, or `limit`
    seconds pass; the loop serves everything else meanwhile."""
    timeout = min(call.remaining() for call in calls)
    if limit is not None:
        timeout = min(timeout, max(0.0, limit))
    await asyncio.wait([call.waiter for call in calls], timeout=timeout)
