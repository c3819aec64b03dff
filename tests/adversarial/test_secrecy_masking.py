"""Secrets never print, and masking never touches data: random keys, echoed by a server in random
forms (any case, JSON-escaped, percent-encoded, HTML references) at random places of a body, a
header or an unreadable answer, never reach an error's str, repr, attributes or pickle, nor a log
record; the same echo in a successful answer reaches the caller exactly as it was sent."""

from __future__ import annotations

import json
import logging
import pickle
import re
import string
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa
from promptlayer_agents._secrets import MASK, MIN_SUBSTRING_SECRET_CHARS, Secrets, _pattern

from ..fakes import Make, node, reply, started

KEY_CHARS = "".join(c for c in string.printable if c.strip() and c != "*")  # "*" is the mask
LONG_KEYS = st.text(KEY_CHARS, min_size=MIN_SUBSTRING_SECRET_CHARS, max_size=40)
SHORT_KEYS = st.text(KEY_CHARS, min_size=1, max_size=MIN_SUBSTRING_SECRET_CHARS - 1)
KEYS = LONG_KEYS | SHORT_KEYS
FILLER = st.text(max_size=30)
WORDS = st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=8)


def _encode(char: str, form: int) -> str:
    """One character of an echo, in one of the forms a server may write it."""
    code = ord(char)
    return [
        char,
        char.swapcase(),
        f"\\u{code:04x}",
        f"\\u{code:04X}",
        f"%{code:02X}",
        f"%{code:02x}",
        f"%25{code:02x}",
        f"&#{code};",
        f"&#x{code:x};",
        "\\" + char,
    ][form]


@st.composite
def _echo(draw: st.DrawFn, key: str) -> str:
    """The key as a server might echo it: each character in a random form."""
    return "".join(_encode(char, draw(st.integers(0, 9))) for char in key)


def _shows(text: str, key: str, echoes: list[str]) -> bool:
    """Whether `text` shows the key, as it is, in another case, or as one of the echoes."""
    return key.lower() in text.lower() or any(echo in text for echo in echoes)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), key=LONG_KEYS, pieces=st.lists(FILLER, min_size=2, max_size=4))
@example(data=None, key="pl_test_0123456789", pieces=["bad key ", ""]).via("issue case 4")
def test_a_long_secret_is_masked_in_any_form_at_any_place(
    data: Any, key: str, pieces: list[str]
) -> None:
    # the explicit example: the key upper-cased
    echoes = [key.upper()] if data is None else [data.draw(_echo(key)) for _ in pieces[1:]]
    text = pieces[0] + "".join(echo + piece for echo, piece in zip(echoes, pieces[1:], strict=True))

    assert not _shows(Secrets.of([key]).mask(text), key, echoes)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), key=SHORT_KEYS, left=FILLER, right=FILLER)
def test_a_short_secret_standing_alone_is_masked_in_any_form(
    data: Any, key: str, left: str, right: str
) -> None:
    echo = data.draw(_echo(key))
    secrets = Secrets.of([key])

    masked = secrets.mask(f"{left} {echo} {right}")

    assert masked == f"{secrets.mask(left)} {MASK} {secrets.mask(right)}"


@settings(max_examples=300, deadline=None)
@given(key=SHORT_KEYS, left=WORDS, right=WORDS)
@example(key="1", left="HTTP 40", right="").via("issue case 5: a key '1' and a status")
@example(key="true", left="is", right="ly").via("issue case 5: a key 'true' in a word")
def test_a_short_secret_glued_to_a_word_changes_nothing(key: str, left: str, right: str) -> None:
    text = left + key + right

    assert Secrets.of([key]).mask(text) == text


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(), keys=st.lists(KEYS, min_size=1, max_size=3), pieces=st.lists(FILLER, max_size=4)
)
def test_the_quick_look_never_skips_what_the_pattern_would_mask(
    data: Any, keys: list[str], pieces: list[str]
) -> None:
    """`mask` skips the slow pattern when a quick look finds no secret: it must find every one."""
    echoes = [data.draw(_echo(data.draw(st.sampled_from(keys)))) for _ in pieces]
    text = "".join(piece + echo for piece, echo in zip(pieces, echoes, strict=True))
    secrets = Secrets.of(keys)

    assert secrets.mask(text) == _pattern(secrets.values).sub(MASK, text)
    assert secrets.mask_json({text: [text]}) == {secrets.mask(text): [secrets.mask(text)]}


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(KEYS, min_size=1, max_size=2), text=st.text(max_size=200))
@example(keys=["pl_0123456789"], text="&#" + "9" * 5000 + ";").via("a number int() refuses")
@example(keys=["pl_0123456789"], text="&#x" + "f" * 50 + "; %ZZ %").via("odd references")
def test_masking_any_text_gives_text(keys: list[str], text: str) -> None:
    secrets = Secrets.of(keys)
    assert isinstance(secrets.mask(text), str)
    assert isinstance(secrets.mask(text + keys[0]), str)


@pytest.mark.parametrize("run", ["\\", "&#" + "0" * 10, "%25" * 3])
def test_a_hostile_body_around_an_echo_is_masked_in_linear_time(run: str) -> None:
    """A server that knows the key sends it after 200 000 repeats of an escape prefix: an
    unbounded repeat in the pattern made this quadratic (minutes); now it is a fraction of a
    second (the bound below is generous for a loaded machine)."""
    key = "pl_0123456789abcdef"
    text = run * (200_000 // len(run)) + key

    start = time.monotonic()
    masked = Secrets.of([key]).mask(text)

    assert masked.endswith(MASK) and key not in masked
    assert time.monotonic() - start < 30


def test_masking_is_whole_word_only_below_the_minimum_length() -> None:
    assert Secrets.of(["1"]).mask("HTTP 401: key 1 refused") == "HTTP 401: key *** refused"
    assert Secrets.of(["test"]).mask("latest test") == "latest ***"
    assert Secrets.of(["pl_0123456"]).mask("xpl_0123456y") == "x***y"


# --- the client: errors and logs never show the key; answers are never changed ----------------

ERROR_ANSWERS: dict[str, Callable[[str], Any]] = {
    "body": lambda echo: reply(401, {"message": f"bad key {echo}", "key": echo}),
    "header": lambda echo: reply(404, {"message": "no"}, {"X-Request-Id": f"r-{echo}"}),
    "html": lambda echo: httpx.Response(502, text=f"<html><title>{echo}</title></html>"),
    "not json": lambda echo: httpx.Response(200, text=f"<p>{echo}</p>"),
    "transport": lambda echo: httpx.ConnectError(f"refused {echo}"),
    "failed node": lambda echo: reply(200, {"A": node("FAILED", echo, output=True, error=echo)}),
    "encoding": lambda echo: (
        lambda _: httpx.Response(
            200, headers={"Content-Encoding": echo}, stream=httpx.ByteStream(b"{}")
        )
    ),
}


_CLASS_NAMES = re.compile(r"\b[A-Z][A-Za-z]*\(")


def _keyless(error: BaseException, key: str, echoes: list[str]) -> None:
    """Nothing an error shows, carries or pickles holds the key."""
    # the attributes' values: their names (`execution_id`, ...) may equal a random key, and so
    # may the class names a repr shows (`ExecutionFailedError(`): those are left out
    shown = [str(error), repr(error), repr([*vars(error).values()])]
    shown.append(repr(pickle.loads(pickle.dumps(error)).args))
    for text in shown:
        assert not _shows(_CLASS_NAMES.sub("(", text), key, echoes), text


@pytest.mark.parametrize("where", ERROR_ANSWERS)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), key=LONG_KEYS)
def test_an_echoed_key_never_reaches_an_error_or_a_log(
    harness: Make, caplog: pytest.LogCaptureFixture, where: str, data: Any, key: str
) -> None:
    echo = data.draw(_echo(key))
    assume(where != "encoding" or "," not in echo)  # a comma would split the encodings
    h = harness(ERROR_ANSWERS[where](echo), api_key=key, max_retries=0)
    caplog.clear()

    logs = caplog.at_level(logging.DEBUG, logger="promptlayer_agents")
    with logs, pytest.raises(pa.PromptLayerError) as caught:
        h.wait(7, timeout=5.0)

    _keyless(caught.value, key, [echo])
    for record in caplog.records:  # the package's own (httpx's show only a URL without the key)
        if record.name.startswith("promptlayer_agents"):
            assert not _shows(record.getMessage(), key, [echo])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), key=KEYS.filter(lambda key: key.isascii()))
@example(data=None, key="test").via("issue case 5")
@example(data=None, key="1").via("issue case 5")
@example(data=None, key="true").via("issue case 5")
def test_a_successful_answer_is_never_changed(
    harness: Make, caplog: pytest.LogCaptureFixture, data: Any, key: str
) -> None:
    echo = f"Hello, {key}-user!" if data is None else data.draw(_echo(key))
    warning = f"Missing input variables: {echo}"
    nodes = {"A": node("SUCCESS", echo, output=True), echo: node("SUCCESS", [echo, True, 1])}
    h = harness(
        started(787, warning=warning),
        reply(200, nodes),
        reply(200, echo),
        api_key=key,
    )

    with caplog.at_level(logging.WARNING, logger="promptlayer_agents"):
        run = h.run("bot")
    result = h.get_results(787, return_all_outputs=True)
    main = h.get_results(787)

    assert (run.execution_id, run.warning) == (787, warning)
    assert {name: state.value for name, state in result.nodes.items()} == {
        "A": echo,
        echo: [echo, True, 1],
    }
    assert main.output == echo
    assert not _shows(caplog.text, key, [echo]) or len(key) < MIN_SUBSTRING_SECRET_CHARS


def test_a_run_whose_answer_holds_a_short_key_keeps_its_id(harness: Make) -> None:
    """Issue case 5: with key `1`, masking the 201 made it unreadable: a started run was reported
    as `may_have_started=True` with no id."""
    body = {"success": True, "message": "1", "warning": None, "workflow_version_execution_id": 1}
    h = harness(reply(201, body), api_key="1")

    assert h.run("bot").execution_id == 1


def test_an_http_clients_credential_headers_are_secrets_too() -> None:
    token = "tok_" + "z" * 20
    transport = httpx.MockTransport(lambda _: reply(401, {"message": f"bad {token.upper()}"}))
    headers = {"Authorization": f"Bearer {token}"}
    agents = pa.Agents(
        api_key="pl_" + "k" * 20, http_client=httpx.Client(transport=transport, headers=headers)
    )

    with pytest.raises(pa.AuthenticationError) as caught:
        agents.get("bot")

    _keyless(caught.value, token, [])
    assert json.dumps(caught.value.body) == json.dumps({"message": "bad ***"})


def test_one_module_masks() -> None:
    """Masking has one home: no other module of the client writes the mask or masks by hand."""
    package = Path(pa.__file__).parent
    masking = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if any(
            mark in path.read_text(encoding="utf-8")
            for mark in ('"***"', "'***'", "re.escape(secret")
        )
    }
    assert masking == {"_secrets.py"}
