"""What is secret, and the one function that masks it in what the library prints, raises or logs.

The secrets are the API key, the credentials of a `base_url` (its password, `user:password`, and
the `Authorization: Basic` value made of them), and the value of any other
credential header (`CREDENTIAL_HEADERS`) of an `http_client` passed in. A server may echo a secret
back in any form, so each is found whatever its case, JSON-escaped (`\\u0070l_...`, `\\/`),
repr-escaped, percent-encoded (`%70l_...`, up to four times over) or written as an HTML character
reference, each character in any of these forms.

Masking applies to text about a failure (an error's message and attributes, a log line, the
command line's stderr and the error column of a results file), never to the data of an answer:
a result is what the server sent, even when it holds something equal to a secret.

A secret shorter than `MIN_SUBSTRING_SECRET_CHARS` (a sandbox key such as `test` or `1`) could
equal part of an ordinary word or number, so it is masked only where it stands alone, with no
letter, digit or `_` glued to it: `1` is masked in `key 1 refused` but `HTTP 401` stays as it is.
Longer secrets are masked wherever they appear.

No module imported here loads httpx: the command line masks usage errors before loading it.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar, cast
from urllib.parse import unquote

if TYPE_CHECKING:
    from ._config import Settings

MASK = "***"
"""What a secret is replaced with."""

CREDENTIAL_HEADERS = frozenset(
    {"x-api-key", "authorization", "proxy-authorization", "cookie", "api-key", "x-auth-token"}
)
"""Request headers whose values are secrets (compared in lower case)."""

MIN_SUBSTRING_SECRET_CHARS = 8
"""A secret this long or longer is masked wherever it appears; a shorter one only where it stands
alone. A rule of masking, not a setting: it lives here, beside the masking."""

_WORD = "0-9A-Za-z_"
T = TypeVar("T")


@dataclass(frozen=True)
class Secrets:
    """The secrets of one client (or one command line), and masking them."""

    values: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Secrets({len(self.values)} hidden)"

    @classmethod
    def of(cls, values: Iterable[str | None]) -> Secrets:
        """The non-empty values, each once, longest first (so that a longer secret that holds a
        shorter one is masked whole)."""
        unique = {value for value in values if value}
        return cls(tuple(sorted(unique, key=lambda value: (-len(value), value))))

    def __add__(self, other: Secrets) -> Secrets:
        return Secrets.of((*self.values, *other.values))

    def mask(self, text: str) -> str:
        """`text` with every secret replaced by `***`, in whatever form it appears."""
        if not self.values or not text or not _may_hold(self.values, text):
            return text
        return _pattern(self.values).sub(MASK, text)

    def mask_json(self, value: T) -> T:
        """A JSON-like value (str, list, tuple, dict, dataclass instances such as a result
        carried by an error, generated models such as its nodes, any nesting) with every string
        in it masked, keys included;
        anything else (numbers, None, other objects) as it is."""
        if not self.values or isinstance(value, str):
            return cast("T", self.mask(value) if isinstance(value, str) else value)
        try:  # one quick look at the whole value first: most hold no secret at all
            whole = json.dumps(value, ensure_ascii=False, default=repr)
        except (ValueError, TypeError, RecursionError):
            whole = None
        if whole is not None and not _may_hold(self.values, whole):
            return value
        return cast("T", _masked_json(self, value, depth=0))

    def mask_error(self, error: BaseException) -> None:
        """Mask, in place, an error's message, its notes and every text or JSON attribute it
        carries (status body, server message, request id, excerpt, the result of a failed
        execution ...), so that its `str`, `repr`, attributes and pickle hold no secret; and the
        same for every error it was raised from (`__cause__`, `__context__`), which a traceback
        prints too. Numbers are left as they are."""
        if not self.values:
            return
        seen: set[int] = set()
        pending: list[BaseException | None] = [error]
        while pending:
            current = pending.pop()
            if current is None or id(current) in seen:
                continue
            seen.add(id(current))
            current.args = tuple(self.mask_json(arg) for arg in current.args)
            for name, value in vars(current).items():
                with contextlib.suppress(AttributeError, TypeError):  # an odd read-only one
                    setattr(current, name, self.mask_json(value))
            pending += [current.__cause__, current.__context__]


_MAX_DEPTH = 200


def _masked_json(secrets: Secrets, value: object, depth: int) -> object:
    """`Secrets.mask_json`, stopping (leaving the value as it is) below `_MAX_DEPTH` levels:
    server bodies are parsed with a depth limit well under it."""
    if isinstance(value, str):
        masked = secrets.mask(value)
        return value if masked == value else masked
    if depth >= _MAX_DEPTH:
        return value
    if isinstance(value, list):
        return [_masked_json(secrets, item, depth + 1) for item in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):  # a named tuple keeps its type
        return tuple(_masked_json(secrets, item, depth + 1) for item in value)
    if isinstance(value, dict):
        items = {
            _masked_json(secrets, key, depth + 1): _masked_json(secrets, item, depth + 1)
            for key, item in value.items()
        }
        if type(value) is not dict:  # a NodeMap stays one
            try:
                return type(value)(items)
            except (TypeError, ValueError):
                pass
        return items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a result in an error
        changed = {}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if field.init and (replaced := _masked_json(secrets, item, depth + 1)) is not item:
                changed[field.name] = replaced
        return dataclasses.replace(value, **changed) if changed else value
    to_dict, from_dict = getattr(value, "to_dict", None), getattr(type(value), "from_dict", None)
    if callable(to_dict) and callable(from_dict):  # a generated model: masked through its JSON
        data = _masked_json(secrets, to_dict(), depth + 1)
        try:
            return from_dict(data)
        except ValueError:  # masking cannot make a field's type wrong; if it did, keep it masked
            return data
    return value


_ESCAPE_MARKS = ("\\", "%", "&")
_RUN = 8
"""Backslashes before an escaped character, or zeros in `&#0...;`, looked at: a bounded run keeps
each position's work bounded (an unbounded one made a body of backslashes take quadratic time)."""
_PERCENT_ROUNDS = 4
"""Percent-encoding undone at most this many times (`%70`, `%2570`, `%252570`, `%25252570`)."""


def _may_hold(values: tuple[str, ...], text: str) -> bool:
    """A quick test, at the speed of `str.find`, that `text` may hold one of `values` in one of
    the forms `_pattern` finds. False means certainly not (the slow pattern is then not run: an
    error body may have megabytes); True means perhaps. Text with an escape mark (`\\`, `%`,
    `&`) is always given to the pattern: decoding it first cannot be exact, since an escape may
    overlap the characters of a plain echo (`%0000000%30` holds `00000000`, but decodes to NUL
    and six zeros), and the pattern itself is linear (about 1 s for 6 MB)."""
    if any(mark in value for value in values for mark in _ESCAPE_MARKS):
        return True
    if any(mark in text for mark in _ESCAPE_MARKS):
        return True
    folded = text.casefold()  # as wide as the pattern's IGNORECASE: "K" (Kelvin) folds to "k"
    return any(value.casefold() in folded for value in values)


@lru_cache(maxsize=64)
def _pattern(values: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression that finds any of `values`, longest first, in any form."""
    parts = []
    for value in values:
        body = "".join(_char_pattern(char) for char in value)
        if len(value) < MIN_SUBSTRING_SECRET_CHARS:
            body = f"(?<![{_WORD}]){body}(?![{_WORD}])"
        parts.append(body)
    return re.compile("|".join(parts), re.IGNORECASE)


def _char_pattern(char: str) -> str:
    """What one character of a secret may look like in text: itself (in either case, after any
    backslashes an escape added), `\\uXXXX`, percent-encoded (once or more) or `&#...;`."""
    forms = [rf"\\{{0,{_RUN}}}" + re.escape(char)]
    variants = (char, char.lower(), char.upper())  # "ß".upper() is "SS": one character only
    for variant in dict.fromkeys(variant for variant in variants if len(variant) == 1):
        code = ord(variant)
        if code <= 0xFFFF:
            forms.append(rf"\\{{1,{_RUN}}}u{code:04x}")
        rounds = f"(?:25){{0,{_PERCENT_ROUNDS - 1}}}"
        forms.append("".join(f"%{rounds}{byte:02x}" for byte in variant.encode()))
        forms.append(f"&#0{{0,{_RUN}}}{code};|&#x0{{0,{_RUN}}}{code:x};")
    return "(?:" + "|".join(forms) + ")"


def split_user_info(url: str) -> tuple[str, tuple[str, str] | None]:
    """`url` without its user info, and the user and password that were in it (decoded), or
    None. The user info is what comes before the last `@` of the authority."""
    scheme, sep, rest = url.partition("://")
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    at = rest.rfind("@", 0, end)
    if not sep or at < 0:
        return url, None
    user, _, password = rest[:at].partition(":")
    return f"{scheme}://{rest[at + 1 :]}", (unquote(user), unquote(password))


def basic_auth(user: str, password: str) -> str:
    """The `Authorization` value for a URL's credentials, as httpx would send it."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def without_credentials(url: str) -> str:
    """`url` as it may be shown: any user info replaced by `***`."""
    plain, user_info = split_user_info(url)
    if user_info is None:
        return url
    scheme, _, rest = plain.partition("://")
    return f"{scheme}://{MASK}@{rest}"


def header_secrets(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> Secrets:
    """The values of the credential headers among `headers` (and their token after a scheme
    such as `Bearer`)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    values: list[str] = []
    for name, value in items:
        if name.lower() in CREDENTIAL_HEADERS and value:
            values.append(value)
            values.extend(part for part in value.split()[1:] if part)
    return Secrets.of(values)


@lru_cache(maxsize=64)
def of_settings(settings: Settings) -> Secrets:
    """The secrets of a client: its key, its base URL's credentials, and the other credentials
    it was given."""
    user_info = Secrets() if settings.user_info is None else _of_user_info(*settings.user_info)
    return Secrets.of((settings.api_key, *settings.extra_secrets)) + user_info


def of_url(url: str) -> Secrets:
    """The credentials a URL holds, if any (for text where a URL was given, such as a command
    line)."""
    _, user_info = split_user_info(url)
    return Secrets() if user_info is None else _of_user_info(*user_info)


def _of_user_info(user: str, password: str) -> Secrets:
    """A URL's credentials: its password, `user:password` and the Basic value sent. The user
    name alone is not a secret (it is often a word such as `admin`, which masking would take out
    of every message); no URL the client shows holds it, since the user info is taken out."""
    return Secrets.of((password, f"{user}:{password}", basic_auth(user, password)))


def credential_headers(settings: Settings) -> dict[str, str]:
    """The headers that carry a client's credentials: the key, and the base URL's user and
    password when it had them."""
    headers = {"X-API-KEY": settings.api_key}
    if settings.user_info is not None:
        headers["Authorization"] = basic_auth(*settings.user_info)
    return headers
