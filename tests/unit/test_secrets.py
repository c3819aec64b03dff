"""What is secret and how it is masked, function by function: the forms an echo may take, where
masking stops, what it leaves alone, and the credentials a URL, headers or settings hold."""

from __future__ import annotations

import base64
import pickle
from collections import namedtuple
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pytest

from promptlayer_agents._config import Settings
from promptlayer_agents._secrets import (
    MASK,
    Secrets,
    _pattern,
    basic_auth,
    credential_headers,
    header_secrets,
    of_settings,
    of_url,
    split_user_info,
    without_credentials,
)
from promptlayer_agents_api.models import AgentNode, ExecutionNodeMap

KEY = "pl_live_abcdef123"
SECRETS = Secrets.of([KEY])


@pytest.fixture(autouse=True)
def _fresh_patterns() -> None:
    """Each test builds the patterns it masks with (they are cached by their secrets)."""
    _pattern.cache_clear()
    of_settings.cache_clear()


# --- a set of secrets ---------------------------------------------------------------------------


def test_the_secrets_are_each_value_once_longest_first_and_never_shown() -> None:
    secrets = Secrets.of(["bb", None, "", "a", "ccc", "aa", "bb"])

    assert secrets.values == ("ccc", "aa", "bb", "a")
    assert repr(secrets) == "Secrets(4 hidden)"
    assert (secrets + Secrets.of(["dddd", "a"])).values == ("dddd", "ccc", "aa", "bb", "a")


def test_a_longer_secret_holding_a_shorter_one_is_masked_whole() -> None:
    assert Secrets.of(["abcdefgh", "abcdefghijkl"]).mask("x abcdefghijkl y") == "x *** y"


def test_no_secrets_or_no_text_changes_nothing() -> None:
    assert Secrets().mask(KEY) == KEY
    assert SECRETS.mask("") == ""
    assert Secrets().mask_json({"k": [KEY]}) == {"k": [KEY]}


# --- the forms of an echo -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "echo",
    [
        KEY,
        KEY.upper(),
        "".join(f"\\u{ord(c):04x}" for c in KEY),
        "".join(f"\\\\u{ord(c):04X}" for c in KEY),
        "\\u0050L_live_abcdef123",  # the upper-case form of a letter, escaped
        "".join("\\" + c for c in KEY),
        "".join(f"%{ord(c):02x}" for c in KEY),
        "".join(f"%{ord(c.upper()):02X}" for c in KEY),
        "".join(f"%252525{ord(c):02x}" for c in KEY),
        "".join(f"&#{ord(c)};" for c in KEY),
        "".join(f"&#00000000{ord(c)};" for c in KEY),
        "".join(f"&#x{ord(c):x};" for c in KEY),
        "".join(f"&#X00000000{ord(c.upper()):X};" for c in KEY),
        "\\\\\\\\\\\\\\\\p" + KEY[1:],  # eight backslashes before a character
    ],
)
def test_a_long_secret_is_masked_in_every_form_a_server_may_echo(echo: str) -> None:
    assert SECRETS.mask(f"bad key [{echo}] given") == "bad key [***] given"
    assert SECRETS.mask(f"bad key{echo}given") == "bad key***given"


@pytest.mark.parametrize(
    "text",
    [
        "".join(f"%25252525{ord(c):02x}" for c in KEY),  # five rounds of percent-encoding
        "".join(f"&#000000000{ord(c)};" for c in KEY),  # nine zeros
        "".join(f"&#x000000000{ord(c):x};" for c in KEY),
        "pl_live_abcdef12",  # one character short
        "pl-live_abcdef123",
    ],
)
def test_what_is_beyond_the_bounds_of_the_forms_is_not_masked(text: str) -> None:
    assert SECRETS.mask(f"text {text} end") == f"text {text} end"


def test_only_the_last_eight_backslashes_before_a_character_are_taken_with_it() -> None:
    echo = "\\" * 9 + "u0070" + KEY[1:]

    assert SECRETS.mask(f"[{echo}]") == "[\\***]"


def test_a_character_outside_the_basic_plane_is_masked_plain_percent_encoded_or_referenced() -> (
    None
):
    secrets = Secrets.of(["\U0001f511secret!"])
    for echo in (
        "\U0001f511secret!",
        "%F0%9F%94%91secret!",
        "&#128273;secret!",
        "&#x1f511;SECRET!",
    ):
        assert secrets.mask(f"({echo})") == "(***)"


def test_a_letter_whose_upper_case_is_two_letters_is_masked_in_its_own_forms() -> None:
    secrets = Secrets.of(["straße1234"])

    assert secrets.mask("STRAßE1234") == "***"
    assert secrets.mask("stra%C3%9Fe1234") == "***"
    assert secrets.mask("stra&#223;e1234") == "***"
    assert secrets.mask("strasse1234") == "strasse1234"


def test_an_upper_case_secret_is_masked_in_the_escaped_forms_of_its_lower_case() -> None:
    secrets = Secrets.of(["ABCDEFGH12"])

    for echo in ("%61bcdefgh12", "\\u0061BCDEFGH12", "&#97;bcdefgh12", "&#x61;BCDEFGH12"):
        assert secrets.mask(f"[{echo}]") == "[***]"


def test_only_a_character_of_the_basic_plane_has_a_four_digit_escape() -> None:
    last = Secrets.of(["\uffffabcdefgh"])
    beyond = Secrets.of(["\U00010000abcdefgh"])

    assert last.mask("[\\uFFFFabcdefgh]") == "[***]"
    assert beyond.mask("[\\u10000abcdefgh]") == "[\\u10000abcdefgh]"
    assert beyond.mask("[\U00010000abcdefgh]") == "[***]"


def test_an_html_reference_beyond_unicode_is_left_as_it_is() -> None:
    text = "&#x110000; &#1114112; " + KEY

    assert SECRETS.mask(text) == "&#x110000; &#1114112; ***"


@pytest.mark.parametrize("key", ["1", "test", "a_b!", "1234567"])
def test_a_short_secret_is_masked_only_standing_alone(key: str) -> None:
    secrets = Secrets.of([key])

    assert secrets.mask(f"is {key} here") == f"is {MASK} here"
    assert secrets.mask(f"({key})") == f"({MASK})"
    assert secrets.mask(key) == MASK
    for glued in (f"x{key}", f"{key}x", f"_{key}", f"{key}_", f"9{key}", f"{key}9"):
        assert secrets.mask(glued) == glued


def test_a_secret_of_eight_characters_is_masked_inside_a_word() -> None:
    assert Secrets.of(["abcd1234"]).mask("xabcd1234y") == "x***y"


@pytest.mark.parametrize("mark", ["\\", "%", "&"])
def test_a_secret_holding_an_escape_mark_is_masked_in_text_without_one(mark: str) -> None:
    key = f"abc{mark}defgh"

    assert Secrets.of([key]).mask(f"key {key.upper()} refused") == "key *** refused"


@pytest.mark.parametrize("mark", ["\\", "%", "&"])
def test_text_with_an_escape_mark_is_searched_in_all_forms(mark: str) -> None:
    assert SECRETS.mask(f"{mark} %70l_live_abcdef123") == f"{mark} ***"


def test_a_letter_whose_case_folds_elsewhere_is_still_found() -> None:
    """`K` (the Kelvin sign) matches `k` without case: the quick look must not skip it."""
    assert Secrets.of(["kkkkkkkk"]).mask("x \u212akkkkkkk x") == "x *** x"


# --- JSON, errors -------------------------------------------------------------------------------


Pair = namedtuple("Pair", "left right")


@dataclass(frozen=True)
class Carried:
    text: str
    number: int = 1
    later: str = field(default=KEY, init=False)


class NamedDict(dict[str, Any]):
    pass


class OddDict(dict[str, Any]):
    def __init__(self, value: Any, required: Any) -> None:
        super().__init__(value)


def test_every_string_of_a_json_value_is_masked_keys_included() -> None:
    value = {KEY: [KEY, ("x", KEY), 1, None, 2.5, True], "plain": {"deep": f"a {KEY} b"}}

    assert SECRETS.mask_json(value) == {
        MASK: [MASK, ("x", MASK), 1, None, 2.5, True],
        "plain": {"deep": "a *** b"},
    }
    assert SECRETS.mask_json(KEY) == MASK
    assert SECRETS.mask_json(7) == 7


def test_a_value_without_a_secret_is_returned_itself() -> None:
    value = {"a": ["b", {"c": "café", "d": Box("x")}]}
    marked = {"a": ["50%", {"c": "&"}]}

    assert SECRETS.mask_json(value) is value
    assert Secrets().mask_json(marked) is marked
    masked = SECRETS.mask_json({"a": ["b"], "k": KEY})
    assert masked == {"a": ["b"], "k": MASK}


def test_containers_keep_their_type_when_they_can() -> None:
    pair = Pair(KEY, "x")
    named = SECRETS.mask_json(NamedDict({"k": KEY}))
    odd = SECRETS.mask_json(OddDict({"k": KEY}, None))

    assert SECRETS.mask_json(pair) is pair  # a named tuple is left as it is
    assert type(named) is NamedDict and named == {"k": MASK}
    assert type(odd) is dict and odd == {"k": MASK}


def test_a_dataclass_is_replaced_with_its_fields_masked() -> None:
    carried = Carried(f"x {KEY}", 5)
    plain = Carried("x")

    masked = SECRETS.mask_json([carried, plain])

    assert masked[0] == Carried("x ***", 5) and masked[0].later == KEY  # not an init field
    assert masked[1] is plain
    assert SECRETS.mask_json([Carried]) == [Carried]  # a class is not an instance


def test_a_generated_model_is_masked_through_its_json() -> None:
    node = AgentNode.from_dict(
        {
            "id": "n1",
            "name": "A",
            "node_type": "X",
            "is_output_node": True,
            "configuration": {"k": KEY},
            "dependencies": [],
        }
    )
    nodes = ExecutionNodeMap.from_dict(
        {KEY: {"status": "SUCCESS", "value": KEY, "is_output_node": True}}
    )

    masked = SECRETS.mask_json([node, nodes])

    assert isinstance(masked[0], AgentNode) and masked[0].configuration["k"] == MASK
    assert isinstance(masked[1], ExecutionNodeMap) and masked[1].to_dict() == {
        MASK: {"status": "SUCCESS", "value": MASK, "is_output_node": True}
    }


def test_a_model_that_masking_makes_unreadable_stays_masked_as_json() -> None:
    class Strict:
        def __repr__(self) -> str:
            return f"Strict({KEY})"

        def to_dict(self) -> dict[str, str]:
            return {"k": KEY}

        @classmethod
        def from_dict(cls, data: Any) -> Strict:
            raise ValueError("no")

    value: list[Any] = [Strict()]
    assert SECRETS.mask_json(value) == [{"k": MASK}]


def test_a_value_json_cannot_write_is_still_masked() -> None:
    loop: list[Any] = [KEY]
    loop.append(loop)

    value: list[Any] = [float("nan"), {1: KEY}, loop]
    masked = SECRETS.mask_json(value)

    assert masked[1] == {1: MASK}
    assert masked[2][0] == MASK


@dataclass(frozen=True)
class Box:
    inner: Any


class Model:
    """A generated model's shape: `to_dict` and `from_dict`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"Model({self.data!r})"

    def to_dict(self) -> dict[str, Any]:
        return self.data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        return cls(data)


WRAPPERS = {
    "list": lambda inner: [inner],
    "tuple": lambda inner: (inner,),
    "dict value": lambda inner: {"k": inner},
    "dict key": lambda inner: {tuple(inner): 1},
    "dataclass": Box,
    "model": lambda inner: Model({"k": inner}),
}


@pytest.mark.parametrize("wrap", WRAPPERS.values(), ids=WRAPPERS)
def test_each_container_is_one_level_of_the_two_hundred(wrap: Any) -> None:
    """A container at level 199 is masked, one at 200 is left as it is, whatever holds it (a
    model's JSON is one level below the model)."""
    levels = 199 if wrap is not WRAPPERS["model"] else 198

    def nested(depth: int) -> Any:
        value: Any = wrap([KEY])
        for _ in range(depth):
            value = [value]
        return value

    assert KEY not in repr(SECRETS.mask_json(nested(levels - 1)))
    assert KEY in repr(SECRETS.mask_json(nested(levels)))


def test_an_object_with_to_dict_alone_is_left_as_it_is() -> None:
    class Half:
        def __repr__(self) -> str:
            return f"Half({KEY})"

        def to_dict(self) -> dict[str, str]:
            return {"k": KEY}

    half = Half()
    assert SECRETS.mask_json([half])[0] is half


def test_masking_stops_at_two_hundred_levels() -> None:
    """A string is masked at any depth, but a container 200 levels down is left as it is."""
    deep: Any = KEY
    for _ in range(200):
        deep = [deep]
    deeper: Any = [deep]

    masked = SECRETS.mask_json(deep)
    for _ in range(200):
        masked = masked[0]
    left = SECRETS.mask_json(deeper)
    for _ in range(201):
        left = left[0]

    assert masked == MASK
    assert left == KEY


class Failure(Exception):
    def __init__(self, message: str, body: Any) -> None:
        super().__init__(message, body)
        self.body = body
        self.status = 401

    @property
    def read_only(self) -> str:
        return "fixed"


def test_an_error_its_attributes_and_its_causes_are_masked_in_place() -> None:
    cause = ValueError(f"cause {KEY}")
    context = KeyError(KEY)
    error = Failure(f"bad {KEY}", {"echo": KEY})
    error.__cause__, error.__context__ = cause, context
    cause.__context__ = error  # a loop ends
    error.add_note(f"note {KEY}")

    SECRETS.mask_error(error)

    assert error.args == ("bad ***", {"echo": MASK})
    assert error.body == {"echo": MASK} and error.status == 401
    assert error.__notes__ == ["note ***"]
    assert cause.args == ("cause ***",) and context.args == (MASK,)
    assert KEY not in repr(pickle.loads(pickle.dumps(error)).args)


@pytest.mark.parametrize("refusal", [AttributeError, TypeError])
def test_an_attribute_an_error_will_not_let_change_is_skipped(refusal: type[Exception]) -> None:
    class Guarded(Exception):
        def __setattr__(self, name: str, value: Any) -> None:
            if name == "fixed":
                raise refusal(name)
            super().__setattr__(name, value)

    error = Guarded(f"bad {KEY}")
    error.__dict__.update(fixed="kept", body=KEY)

    SECRETS.mask_error(error)

    assert error.args == ("bad ***",)
    assert vars(error) == {"fixed": "kept", "body": MASK}


def test_an_error_without_secrets_is_left_alone() -> None:
    error = Failure(f"bad {KEY}", None)

    Secrets().mask_error(error)

    assert error.args == (f"bad {KEY}", None)


# --- credentials --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "plain", "user_info"),
    [
        ("https://u:p%40ss@host:8080/a?b#c", "https://host:8080/a?b#c", ("u", "p@ss")),
        ("https://u@host/", "https://host/", ("u", "")),
        ("https://a@b:c@host", "https://host", ("a@b", "c")),
        ("https://u:p@host/a?to=http://x", "https://host/a?to=http://x", ("u", "p")),
        ("https://u:p@host/a@b/c", "https://host/a@b/c", ("u", "p")),
        ("https://Xu:p@host", "https://host", ("Xu", "p")),
        ("https://@host", "https://host", ("", "")),
        ("https:///a@b", "https:///a@b", None),
        ("https://host/path@x", "https://host/path@x", None),
        ("https://host?q=a@b", "https://host?q=a@b", None),
        ("https://host#a@b", "https://host#a@b", None),
        ("host:p@x", "host:p@x", None),
        ("https://host", "https://host", None),
    ],
)
def test_a_urls_user_info_is_what_comes_before_the_last_at_of_its_authority(
    url: str, plain: str, user_info: tuple[str, str] | None
) -> None:
    assert split_user_info(url) == (plain, user_info)
    shown = without_credentials(url)
    assert shown == (url if user_info is None else plain.replace("://", "://***@", 1))


def test_the_basic_value_is_what_httpx_sends() -> None:
    import httpx

    request = httpx.Request("GET", "https://host")
    auth = httpx.BasicAuth("user", "pässword")
    sent = next(auth.auth_flow(request)).headers["Authorization"]

    assert basic_auth("user", "pässword") == sent
    assert sent == "Basic " + base64.b64encode("user:pässword".encode()).decode()


def test_a_urls_password_and_its_forms_are_secret_but_not_the_user() -> None:
    secrets = of_url("https://admin:hunter2-long@host")

    assert set(secrets.values) == {
        "hunter2-long",
        "admin:hunter2-long",
        basic_auth("admin", "hunter2-long"),
    }
    assert of_url("https://host").values == ()


def test_credential_headers_and_their_tokens_are_secrets() -> None:
    headers = {
        "Authorization": "Bearer  tok_123",
        "X-API-KEY": "k1",
        "Cookie": "",
        "Proxy-Authorization": "p1",
        "API-Key": "a1",
        "X-Auth-Token": "t1",
        "Accept": "application/json",
    }

    secrets = header_secrets(headers)

    assert set(secrets.values) == {"Bearer  tok_123", "tok_123", "k1", "p1", "a1", "t1"}
    assert header_secrets(list(headers.items())) == secrets


def test_a_clients_secrets_and_credential_headers() -> None:
    bare = Settings(api_key=KEY, base_url="https://host", request_timeout=1.0, max_retries=0)
    full = Settings(
        api_key=KEY,
        base_url="https://host",
        request_timeout=1.0,
        max_retries=0,
        user_info=("me", "pw-long-1"),
        extra_secrets=("tok_1",),
    )

    assert of_settings(bare).values == (KEY,)
    assert set(of_settings(full).values) == {
        KEY,
        "tok_1",
        "pw-long-1",
        "me:pw-long-1",
        basic_auth("me", "pw-long-1"),
    }
    assert credential_headers(bare) == {"X-API-KEY": KEY}
    assert credential_headers(full) == {
        "X-API-KEY": KEY,
        "Authorization": basic_auth("me", "pw-long-1"),
    }


def test_a_text_subclass_without_a_secret_keeps_its_type() -> None:
    class Mark(StrEnum):
        PERCENT = "50% & more"

    assert SECRETS.mask_json([Mark.PERCENT])[0] is Mark.PERCENT
