"""`Agents` and `AsyncAgents`: run an agent, wait for its results, read its definition.

Both carry out the same flows (`_flows.py`); they differ only in how a request is sent and how a
pause is taken, blocking or awaiting.
"""

from __future__ import annotations

import copy as copy_module
import inspect
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, overload

import httpx

from . import _http, _secrets, _transport
from ._clock import SYSTEM_CLOCK
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_WAIT_DEADLINE,
    MAX_IN_FLIGHT,
    Context,
    Settings,
    checked_headers,
    resolve_settings,
)
from ._errors import ConfigurationError, InvalidInputError
from ._polling import PollPolicy


class _FlowsOnFirstUse:
    """Stands in for the `_flows` module until first used: making a client loads neither the
    flows nor the generated models; its first request does. A plain import (thread-safe) then
    replaces this stand-in with the module itself."""

    def __getattr__(self, name: str) -> Any:
        from . import _flows as module

        globals()["_flows"] = module
        return getattr(module, name)


if TYPE_CHECKING:
    from promptlayer_agents_api import AuthenticatedClient

    from . import _flows
    from ._flows import Flow, ProgressCallback, Send
    from ._http import Outcome
    from ._results import ExecutionResult, RunStarted
    from .definitions import AgentDefinition
else:
    _flows = _FlowsOnFirstUse()

T = TypeVar("T")


class _Base:
    """Settings and clock shared by both clients; the key never shows in `repr`."""

    _http_type: type[httpx.Client] | type[httpx.AsyncClient]
    _channel: _http.Connections[Any] | _http.Borrowed[Any]
    _awaits_callbacks = False

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        max_response_bytes: int,
        default_headers: Mapping[str, str] | None,
        http_client: httpx.Client | httpx.AsyncClient | None,
    ) -> None:
        settings = resolve_settings(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_response_bytes=max_response_bytes,
            default_headers=default_headers,
        )
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise ConfigurationError(
                f"http_client must be an {self._http_type.__name__}, "
                f"not {type(http_client).__name__}"
            )
        # Credential headers (of default_headers, of an http_client's own) are secrets too.
        extra = _secrets.header_secrets(settings.default_headers)
        if http_client is not None:
            extra += _secrets.header_secrets(http_client.headers.items())
        settings = replace(settings, extra_secrets=extra.values)
        self._ctx = Context(settings, SYSTEM_CLOCK, awaits_callbacks=self._awaits_callbacks)

    @property
    def settings(self) -> Settings:
        """The base URL, timeout, retry count and answer size limit in use (the key is hidden
        from `repr`)."""
        return self._ctx.settings

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._ctx.settings.base_url!r})"

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A client like this one with some settings changed, sharing its connections, as in
        openai-python: `client.with_options(timeout=5).run(...)` for one call. An option left
        None keeps this client's; `default_headers` are added to this client's. Closing the new
        client leaves the shared connections open: close this one."""
        now = self._ctx.settings
        settings = resolve_settings(
            api_key=now.api_key,
            base_url=now.base_url,
            timeout=now.request_timeout if timeout is None else timeout,
            max_retries=now.max_retries if max_retries is None else max_retries,
            max_response_bytes=(
                now.max_response_bytes if max_response_bytes is None else max_response_bytes
            ),
            default_headers={**now.default_headers, **checked_headers(default_headers)},
        )
        added = _secrets.header_secrets(settings.default_headers)
        settings = replace(
            settings, extra_secrets=(added + _secrets.Secrets(now.extra_secrets)).values
        )
        copy = copy_module.copy(self)
        copy._borrow(self, settings)
        return copy

    def _borrow(self, owner: Self, settings: Settings) -> None:
        """Become `with_options`' copy of `owner`: these settings, its connections."""
        self._ctx = replace(owner._ctx, settings=settings)
        self._channel = _http.Borrowed(owner._channel)


def _refuse_awaitable(returned: object) -> None:
    """What a blocking client's `on_progress` returned: an awaitable (from a callable not seen
    to be async before the call) cannot be awaited here, so it is closed and refused rather than
    dropped silently."""
    if inspect.isawaitable(returned):
        close = getattr(returned, "close", None)
        if callable(close):
            close()
        raise InvalidInputError(
            "on_progress returned an awaitable, which Agents cannot await: use AsyncAgents"
        )


class Agents(_Base):
    """The PromptLayer Agents API, blocking.

    `api_key` defaults to PROMPTLAYER_API_KEY, `base_url` to PROMPTLAYER_BASE_URL or
    https://api.promptlayer.com. `timeout` bounds each attempt of a request, in all (seconds);
    `max_retries` is how often a failed request may be sent again (see the README for what is
    retried); `max_response_bytes` is the most an answer may have, after decompression;
    `default_headers` are sent with every request (they never show in `repr`). Pass
    `http_client` to use your own httpx.Client (you close it; the timeout then bounds each read,
    and the body between chunks, not the whole attempt: see the README).
    """

    _http_type = httpx.Client

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url,
            timeout,
            max_retries,
            max_response_bytes,
            default_headers,
            http_client,
        )
        self._channel: _http.Connections[httpx.Client] | _http.Borrowed[httpx.Client] = (
            _http.Connections(http_client, _transport.blocking_client)
        )

    def _drive(self, flow: Flow[T]) -> T:
        """Carry out a flow's requests and pauses; its answer is the flow's return value."""
        try:
            action = next(flow)
            while True:
                outcome: Outcome | None = None
                if isinstance(action, _flows.Sleep):
                    self._ctx.clock.sleep(action.seconds)
                elif isinstance(action, _flows.Notify):
                    try:
                        _refuse_awaitable(action.callback(action.result))
                    except Exception as error:  # raised in the flow, which adds the execution
                        action = flow.throw(error)
                        continue
                else:
                    outcome = self._send(action)
                action = flow.send(outcome)
        except StopIteration as stop:
            result: T = stop.value
            return result
        finally:
            flow.close()

    def _send(self, action: Send) -> Outcome:
        return _http.send_blocking(self._channel.current(), action)

    # Each method taking `label` and `version` has two overloads, so that passing both is a type
    # error; the flows still refuse it at run time (InvalidInputError) for untyped callers.
    @overload
    def run(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: str | None = None,
        version: None = None,
        return_all_outputs: bool = False,
        callback_url: str | None = None,
    ) -> RunStarted: ...

    @overload
    def run(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: None = None,
        version: int | None = None,
        return_all_outputs: bool = False,
        callback_url: str | None = None,
    ) -> RunStarted: ...

    def run(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: str | None = None,
        version: int | None = None,
        return_all_outputs: bool = False,
        callback_url: str | None = None,
    ) -> RunStarted:
        """Start an execution of `agent` (name or numeric id) and answer its id at once.

        `label` or `version` (not both) picks the version; the latest runs otherwise. The request
        is never sent twice unless it certainly did not reach the API.
        """
        return self._drive(
            _flows.run(
                self._ctx,
                agent,
                input_variables=input_variables,
                metadata=metadata,
                label=label,
                version=version,
                return_all_outputs=return_all_outputs,
                callback_url=callback_url,
            )
        )

    def get_results(
        self,
        execution_id: int,
        *,
        return_all_outputs: bool = False,
        node_id: str | None = None,
        node_name: str | None = None,
    ) -> ExecutionResult:
        """The execution's state now (one request); finished or not, failed or not.

        `node_id` or `node_name` asks for that node only (the backend accepts these filters; the
        published spec omits them). How the answer is read, node map or main output, and how a
        node without a status counts: see `ExecutionResult`.
        """
        return self._drive(
            _flows.get_results(
                self._ctx, execution_id, return_all_outputs, node_id=node_id, node_name=node_name
            )
        )

    def wait(
        self,
        execution_id: int,
        *,
        timeout: float = DEFAULT_WAIT_DEADLINE,
        poll_interval: float | PollPolicy | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ExecutionResult:
        """Poll until the execution is final and answer its result.

        Raises WaitTimeoutError after `timeout` seconds (resume with `wait` later) and
        ExecutionFailedError when nodes failed and no output succeeded. `on_progress` receives each
        intermediate result.
        """
        return self._drive(
            _flows.wait(self._ctx, execution_id, timeout, poll_interval, on_progress)
        )

    @overload
    def run_and_wait(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: str | None = None,
        version: None = None,
        timeout: float = DEFAULT_WAIT_DEADLINE,
        poll_interval: float | PollPolicy | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ExecutionResult: ...

    @overload
    def run_and_wait(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: None = None,
        version: int | None = None,
        timeout: float = DEFAULT_WAIT_DEADLINE,
        poll_interval: float | PollPolicy | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ExecutionResult: ...

    def run_and_wait(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: str | None = None,
        version: int | None = None,
        timeout: float = DEFAULT_WAIT_DEADLINE,
        poll_interval: float | PollPolicy | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ExecutionResult:
        """`run`, then `wait`; `timeout` covers both."""
        return self._drive(
            _flows.run_and_wait(
                self._ctx,
                agent,
                input_variables=input_variables,
                metadata=metadata,
                label=label,
                version=version,
                timeout=timeout,
                poll_interval=poll_interval,
                on_progress=on_progress,
            )
        )

    @overload
    def get(
        self,
        agent: str | int,
        *,
        label: str | None = None,
        version: None = None,
    ) -> AgentDefinition: ...

    @overload
    def get(
        self,
        agent: str | int,
        *,
        label: None = None,
        version: int | None = None,
    ) -> AgentDefinition: ...

    def get(
        self, agent: str | int, *, label: str | None = None, version: int | None = None
    ) -> AgentDefinition:
        """The agent's definition: the latest version, or the one with `label` or `version`."""
        return self._drive(_flows.get(self._ctx, agent, label, version))

    def close(self) -> None:
        """Close the connections (not those of an `http_client` you passed in); every later
        request is refused (ConfigurationError)."""
        http = self._channel.close()
        if http is not None:
            http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAgents(_Base):
    """The PromptLayer Agents API for asyncio: the same methods as `Agents`, awaited.
    `on_progress` may be an `async def`: it is awaited before the next poll."""

    _http_type = httpx.AsyncClient
    _awaits_callbacks = True

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url,
            timeout,
            max_retries,
            max_response_bytes,
            default_headers,
            http_client,
        )
        self._channel: _http.Connections[httpx.AsyncClient] | _http.Borrowed[httpx.AsyncClient] = (
            _http.Connections(http_client, _transport.async_client)
        )
        self._slots = _Slots(MAX_IN_FLIGHT)

    async def _drive(self, flow: Flow[T]) -> T:
        """Carry out a flow's requests and pauses; its answer is the flow's return value."""
        try:
            action = next(flow)
            while True:
                outcome: Outcome | None = None
                if isinstance(action, _flows.Sleep):
                    await self._ctx.clock.async_sleep(action.seconds)
                elif isinstance(action, _flows.Notify):
                    try:
                        returned = action.callback(action.result)
                        if inspect.isawaitable(returned):
                            await returned
                    except Exception as error:  # raised in the flow, which adds the execution
                        action = flow.throw(error)
                        continue
                else:
                    outcome = await self._send(action)
                action = flow.send(outcome)
        except StopIteration as stop:
            result: T = stop.value
            return result
        finally:
            flow.close()

    async def _send(self, action: Send) -> Outcome:
        return await _http.send_async(self._channel.current(), action, self._slots.here())

    # Each method taking `label` and `version` has two overloads, so that passing both is a type
    # error; the flows still refuse it at run time (InvalidInputError) for untyped callers.
    @overload
    async def run(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: str | None = None,
        version: None = None,
        return_all_outputs: bool = False,
        callback_url: str | None = None,
    ) -> RunStarted: ...

    @overload
    async def run(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: None = None,
        version: int | None = None,
        return_all_outputs: bool = False,
        callback_url: str | None = None,
    ) -> RunStarted: ...

    async def run(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: str | None = None,
        version: int | None = None,
        return_all_outputs: bool = False,
        callback_url: str | None = None,
    ) -> RunStarted:
        """Start an execution of `agent` (name or numeric id) and answer its id at once.

        `label` or `version` (not both) picks the version; the latest runs otherwise. The request
        is never sent twice unless it certainly did not reach the API.
        """
        return await self._drive(
            _flows.run(
                self._ctx,
                agent,
                input_variables=input_variables,
                metadata=metadata,
                label=label,
                version=version,
                return_all_outputs=return_all_outputs,
                callback_url=callback_url,
            )
        )

    async def get_results(
        self,
        execution_id: int,
        *,
        return_all_outputs: bool = False,
        node_id: str | None = None,
        node_name: str | None = None,
    ) -> ExecutionResult:
        """The execution's state now (one request); finished or not, failed or not.

        `node_id` or `node_name` asks for that node only (the backend accepts these filters; the
        published spec omits them). How the answer is read, node map or main output, and how a
        node without a status counts: see `ExecutionResult`.
        """
        return await self._drive(
            _flows.get_results(
                self._ctx, execution_id, return_all_outputs, node_id=node_id, node_name=node_name
            )
        )

    async def wait(
        self,
        execution_id: int,
        *,
        timeout: float = DEFAULT_WAIT_DEADLINE,
        poll_interval: float | PollPolicy | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ExecutionResult:
        """Poll until the execution is final and answer its result.

        Raises WaitTimeoutError after `timeout` seconds (resume with `wait` later) and
        ExecutionFailedError when nodes failed and no output succeeded. `on_progress` receives each
        intermediate result.
        """
        return await self._drive(
            _flows.wait(self._ctx, execution_id, timeout, poll_interval, on_progress)
        )

    @overload
    async def run_and_wait(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: str | None = None,
        version: None = None,
        timeout: float = DEFAULT_WAIT_DEADLINE,
        poll_interval: float | PollPolicy | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ExecutionResult: ...

    @overload
    async def run_and_wait(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: None = None,
        version: int | None = None,
        timeout: float = DEFAULT_WAIT_DEADLINE,
        poll_interval: float | PollPolicy | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ExecutionResult: ...

    async def run_and_wait(
        self,
        agent: str | int,
        *,
        input_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        label: str | None = None,
        version: int | None = None,
        timeout: float = DEFAULT_WAIT_DEADLINE,
        poll_interval: float | PollPolicy | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ExecutionResult:
        """`run`, then `wait`; `timeout` covers both."""
        return await self._drive(
            _flows.run_and_wait(
                self._ctx,
                agent,
                input_variables=input_variables,
                metadata=metadata,
                label=label,
                version=version,
                timeout=timeout,
                poll_interval=poll_interval,
                on_progress=on_progress,
            )
        )

    @overload
    async def get(
        self,
        agent: str | int,
        *,
        label: str | None = None,
        version: None = None,
    ) -> AgentDefinition: ...

    @overload
    async def get(
        self,
        agent: str | int,
        *,
        label: None = None,
        version: int | None = None,
    ) -> AgentDefinition: ...

    async def get(
        self, agent: str | int, *, label: str | None = None, version: int | None = None
    ) -> AgentDefinition:
        """The agent's definition: the latest version, or the one with `label` or `version`."""
        return await self._drive(_flows.get(self._ctx, agent, label, version))

    async def close(self) -> None:
        """Close the connections (not those of an `http_client` you passed in); every later
        request is refused (ConfigurationError)."""
        http = self._channel.close()
        if http is not None:
            await http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class _Slots:
    """At most `size` requests in flight per event loop; the others wait their turn, in order.

    httpx's pool rescans every waiting request each time a connection frees up (httpcore's
    `_assign_requests_to_connections`), so with hundreds queued behind its connections it becomes
    CPU-bound and queued requests time out (PoolTimeout). Keeping the queue here avoids that.
    A semaphore belongs to one event loop, so each loop gets its own.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._by_loop: dict[object, Any] = {}

    def here(self) -> Any:
        """The semaphore of the running event loop."""
        import asyncio

        loop = asyncio.get_running_loop()
        if loop not in self._by_loop:
            self._by_loop = {loop: asyncio.Semaphore(self.size)}
        return self._by_loop[loop]


def api_client(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    timeout: float = DEFAULT_REQUEST_TIMEOUT,
) -> AuthenticatedClient:
    """The generated client, configured like `Agents` (same environment variables, checked the
    same way), for anything the facade does not cover. Its `repr` hides the key."""
    settings = resolve_settings(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)
    network = _transport.network_from_environment()  # httpx reads the proxies, now checked
    headers = _secrets.credential_headers(settings)
    return _redacted_client()(
        base_url=settings.base_url,
        token=headers.pop("X-API-KEY"),
        prefix="",
        auth_header_name="X-API-KEY",
        headers=headers,  # the base URL's user and password, if it had them
        timeout=httpx.Timeout(settings.request_timeout),
        verify_ssl=network.ssl_context,
    )


@cache
def _redacted_client() -> type[AuthenticatedClient]:
    """The generated AuthenticatedClient, whose own repr prints the token, with a repr that does
    not, and whose httpx clients' headers show no credential in their repr (httpx hides only
    `Authorization`). Made on first use, so that importing this module does not load the
    generated client."""
    from promptlayer_agents_api import AuthenticatedClient

    class _RedactedClient(AuthenticatedClient):
        def __repr__(self) -> str:
            return f"AuthenticatedClient(base_url={self._base_url!r}, token={_secrets.MASK!r})"

        def get_httpx_client(self) -> httpx.Client:
            client = super().get_httpx_client()
            client.headers.__class__ = _HiddenHeaders
            return client

        def get_async_httpx_client(self) -> httpx.AsyncClient:
            client = super().get_async_httpx_client()
            client.headers.__class__ = _HiddenHeaders
            return client

    return _RedactedClient


class _HiddenHeaders(httpx.Headers):
    """httpx.Headers whose repr shows `[secure]` for every credential header, as httpx does for
    `Authorization` alone. Given to the generated client's own headers object in place (its
    class changed, not copied), so that headers added to it later are kept."""

    def __repr__(self) -> str:
        shown = [
            (name, "[secure]" if name.lower() in _secrets.CREDENTIAL_HEADERS else value)
            for name, value in self.multi_items()
        ]
        as_dict = dict(shown)
        return f"Headers({as_dict if len(as_dict) == len(shown) else shown!r})"
