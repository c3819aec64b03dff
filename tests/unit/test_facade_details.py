"""Details of the facade a user sees: its repr, `with_options` keeping the base URL, an awaitable
returned to the blocking client, `api_client`'s configuration and the repr of its headers, the
flows loaded on first use, and the asyncio client's slots per event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any

import httpx
import pytest

import promptlayer_agents as pa
from promptlayer_agents import _facade
from promptlayer_agents import _flows as flows_module

from ..fakes import FakeClock, Harness, SameCalls, ScriptedAPI, node, reply, started
from ..helpers import API_KEY


@pytest.mark.parametrize("kind", [pa.Agents, pa.AsyncAgents])
def test_the_repr_names_the_class_and_the_base_url_only(kind: type[Any]) -> None:
    client = kind(api_key=API_KEY, base_url="http://127.0.0.1:9")

    assert repr(client) == f"{kind.__name__}(base_url='http://127.0.0.1:9')"


def test_with_options_keeps_the_base_url(harness: Any) -> None:
    h = harness(base_url="http://127.0.0.1:9")

    assert h.agents.with_options(timeout=1).settings.base_url == "http://127.0.0.1:9"


class NoClose:
    """An awaitable with no `close` (as a Future has none)."""

    def __await__(self) -> Generator[None, None, None]:
        yield None


def test_an_awaitable_without_close_returned_to_the_blocking_client_is_refused(
    clock: FakeClock,
) -> None:
    running = {"A": node("RUNNING")}
    h = Harness("sync", ScriptedAPI([reply(202, running)]), clock)

    with pytest.raises(pa.InvalidInputError) as raised:
        h.wait(787, on_progress=lambda result: NoClose())
    h.shut()

    assert str(raised.value).startswith(
        "on_progress returned an awaitable, which Agents cannot await: use AsyncAgents"
    )


def test_the_flows_load_on_first_use_and_then_stand_for_themselves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_facade, "_flows", _facade._FlowsOnFirstUse())

    assert vars(_facade)["_flows"].Sleep is flows_module.Sleep

    assert vars(_facade)["_flows"] is flows_module


def test_api_client_uses_the_base_url_given_and_its_credentials() -> None:
    client = pa.api_client(api_key=API_KEY, base_url="https://user:pw@api.test:8443")

    http = client.get_httpx_client()
    assert str(http.base_url) == "https://api.test:8443"
    assert http.headers["X-API-KEY"] == API_KEY
    assert http.headers["Authorization"] == "Basic dXNlcjpwdw=="
    client.get_httpx_client().close()


@pytest.mark.parametrize("asynchronous", [False, True])
def test_api_client_headers_hide_every_credential_in_their_repr(asynchronous: bool) -> None:
    client = pa.api_client(api_key=API_KEY, base_url="https://user:pw@api.test")

    if asynchronous:
        headers = client.get_async_httpx_client().headers
    else:
        headers = client.get_httpx_client().headers
    headers["Cookie"] = "session=s3cret"
    headers["X-Trace"] = "t-1"

    shown = repr(headers)
    assert shown.startswith("Headers({'accept': '*/*', ")
    assert shown.endswith(
        "'authorization': '[secure]', 'x-api-key': '[secure]', 'cookie': '[secure]', "
        "'x-trace': 't-1'})"
    )


def test_hidden_headers_with_a_repeated_name_are_shown_as_a_list() -> None:
    headers = _facade._HiddenHeaders([("X-Api-Key", "k"), ("Accept", "a"), ("accept", "b")])

    assert repr(headers) == (
        "Headers([('x-api-key', '[secure]'), ('accept', 'a'), ('accept', 'b')])"
    )


def test_each_event_loop_has_its_own_slots_of_the_clients_size() -> None:
    slots = _facade._Slots(3)

    async def twice() -> tuple[Any, Any]:
        return slots.here(), slots.here()

    first, again = asyncio.run(twice())
    (other, _) = asyncio.run(twice())

    assert first is again  # one semaphore per loop
    assert other is not first
    assert list(slots._by_loop.values()) == [other]  # a finished loop's is dropped

    async def take_all() -> bool:
        semaphore = slots.here()
        for _ in range(3):
            await semaphore.acquire()
        return bool(semaphore.locked())

    assert asyncio.run(take_all())


def test_a_copy_masks_the_credentials_of_its_owner_and_its_own(mode: str) -> None:
    """Credential headers given to the client (its own, or its http_client's) and to
    `with_options` are secrets of the copy too: echoed back in an error, they show as stars."""
    echo = "bad Bearer owner-s3cret, client-s3cret and copy-s3cret"
    transport = httpx.MockTransport(ScriptedAPI(default=reply(500, {"message": echo})))
    own = {"X-Auth-Token": "client-s3cret"}
    options: dict[str, Any] = {
        "api_key": API_KEY,
        "max_retries": 0,
        "default_headers": {"Authorization": "Bearer owner-s3cret"},
    }
    if mode == "sync":
        owner: Any = pa.Agents(
            http_client=httpx.Client(transport=transport, headers=own), **options
        )
    else:
        http = httpx.AsyncClient(transport=transport, headers=own)
        owner = pa.AsyncAgents(http_client=http, **options)
    first = SameCalls(mode)
    first.agents = owner
    copy = SameCalls(mode)
    copy.agents = owner.with_options(default_headers={"Api-Key": "copy-s3cret"})

    with pytest.raises(pa.InternalServerError) as raised:
        first.get("bot")
    assert raised.value.message == "bad ***, *** and copy-s3cret"
    with pytest.raises(pa.InternalServerError) as raised:
        copy.get("bot")
    assert raised.value.message == "bad ***, *** and ***"
    copy.shut()
    first.shut()


def test_a_run_asks_for_the_main_output_unless_told_otherwise(mode: str, clock: FakeClock) -> None:
    api = ScriptedAPI([started(5), started(6)])
    h = Harness(mode, api, clock)

    h.run("bot")
    h.run("bot", return_all_outputs=True)
    h.shut()

    assert [body["return_all_outputs"] for body in api.bodies()] == [False, True]


@pytest.mark.parametrize(
    ("kind", "wrong", "message"),
    [
        (pa.Agents, httpx.AsyncClient, "http_client must be an Client, not AsyncClient"),
        (pa.AsyncAgents, httpx.Client, "http_client must be an AsyncClient, not Client"),
    ],
)
def test_an_http_client_of_the_other_kind_is_refused_naming_both(
    kind: type[Any], wrong: type[Any], message: str
) -> None:
    with pytest.raises(pa.ConfigurationError) as raised:
        kind(api_key=API_KEY, http_client=wrong())
    assert str(raised.value) == message


def test_closing_an_async_client_closes_the_connections_it_made() -> None:
    async def main() -> bool:
        agents = pa.AsyncAgents(api_key=API_KEY)
        made = agents._channel.current()
        await agents.close()
        return made.is_closed

    assert asyncio.run(main())
