"""Delivering an execution's final result to its `callback_url`, as PromptLayer does."""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

import httpx

from ._engine import Execution

logger = logging.getLogger("promptlayer_agents.sandbox")

CALLBACK_TIMEOUT = 5.0
REMOTE_CALLBACK_WARNING = (
    "the sandbox posts callbacks to loopback addresses only, so this callback will not be sent "
    "(start it with --allow-remote-callbacks to lift this)"
)


def is_loopback(url: str) -> bool:
    """Whether the URL's host is this machine."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Callbacks:
    """Posts final results; one HTTP client, made on first use and closed with the app."""

    def __init__(self) -> None:
        self._http: httpx.AsyncClient | None = None

    async def deliver(self, execution: Execution) -> None:
        """POST the final result to the execution's callback URL, once, within CALLBACK_TIMEOUT;
        a failure is logged once (a warning), never raised."""
        if not execution.callback_url:
            return
        body = {"workflow_version_execution_id": execution.id, "final_output": execution.node_map()}
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=CALLBACK_TIMEOUT)
        try:
            await self._http.post(execution.callback_url, json=body)
        except Exception as error:  # any failure (refused, timed out, a URL httpx will not
            # send to): logged here, once, so the task never ends with an unretrieved exception
            logger.warning("callback for execution %s failed: %r", execution.id, error)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
