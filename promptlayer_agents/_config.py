"""Every default, and the client's settings: explicit arguments first, then the environment.

Two different durations appear throughout, and their names keep them apart: the *request timeout*
bounds one HTTP request; the *wait deadline* bounds a whole `wait` or `run_and_wait`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from ._clock import Clock

API_KEY_ENV: Final = "PROMPTLAYER_API_KEY"
BASE_URL_ENV: Final = "PROMPTLAYER_BASE_URL"
DEFAULT_BASE_URL: Final = "https://api.promptlayer.com"

DEFAULT_REQUEST_TIMEOUT: Final = 30.0
"""Seconds one request may take (the clients' `timeout=`)."""
DEFAULT_WAIT_DEADLINE: Final = 600.0
"""Seconds `wait` and `run_and_wait` wait in all (their `timeout=`)."""
DEFAULT_MAX_RETRIES: Final = 2
"""How often a failed request may be sent again."""
DEFAULT_MAX_RESPONSE_BYTES: Final = 10 * 1024 * 1024
"""Bytes an answer may have, counted after decompression (the clients' `max_response_bytes=`)."""
MAX_INPUT_DEPTH: Final = 64
"""How deeply `input_variables` may nest (the mapping itself is level 1)."""
MAX_REQUEST_TIMEOUT: Final = 1e9
"""A request timeout must be below this (about 30 years): larger ones overflow deadlines."""
MIN_REQUEST_TIMEOUT: Final = 1.0
"""Requests made while waiting get at least this long to answer, even right at the deadline."""
BACKOFF_INITIAL: Final = 0.5
"""Seconds before the first retry of a failed request (at most; each retry is jittered), ..."""
BACKOFF_MAX: Final = 8.0
"""... doubling for each further retry, never more than this."""
RETRY_AFTER_MAX: Final = 60.0
"""A server's Retry-After is followed up to this many seconds."""

# The schedule was picked by simulation in bench/schedule.py (see bench/README.md): a fast ramp
# sees runs of up to half a second within about 0.1 s; then a poll a second up to a minute sees a
# run end as soon as a 1 s poller, for 4 more requests; then pauses of 3 % of the time waited see
# a long run within 3 % of its length, for few requests.
POLL_INITIAL: Final = 0.1
"""The default poll schedule: first pause this many seconds, ..."""
POLL_MULTIPLIER: Final = 1.5
"""... each pause this many times longer than the one before, ..."""
POLL_MAXIMUM: Final = 1.0
"""... up to this, ..."""
POLL_STRETCH_AFTER: Final = 65.0
"""... and once this many seconds have been waited, ..."""
POLL_STRETCH: Final = 0.03
"""... at least this fraction of the time waited so far, ..."""
POLL_JITTER: Final = 0.1
"""... each varied by up to this fraction, so that many waiters do not align."""

DEFAULT_BATCH_CONCURRENCY: Final = 8
"""Runs the command line's `batch` keeps in flight at once (its `--concurrency`)."""

MAX_IN_FLIGHT: Final = 100
"""Requests one AsyncAgents keeps in flight at once per event loop: httpx's default pool size."""

DEFAULT_WEBHOOK_MEMORY: Final = 100_000
"""Webhook events a `WebhookDeduplicator` remembers (the most recent; about 10 MB)."""
ERROR_MESSAGE_CHARS: Final = 500
"""`str(error)` is cut to this many characters; the full text stays on the error's attributes."""
ERROR_EXCERPT_CHARS: Final = 200
"""Characters of an answer's body quoted in an error about it."""
CLI_MESSAGE_CHARS: Final = 160
"""The command line cuts an error line to this length; the full text stays in the results."""


@dataclass(frozen=True)
class Settings:
    """What every request needs. The key is left out of `repr`."""

    api_key: str = field(repr=False)
    base_url: str
    request_timeout: float
    max_retries: int
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    default_headers: Mapping[str, str] = field(default_factory=dict, repr=False, hash=False)
    """Headers sent with every request (left out of `repr`: they may carry credentials)."""
    user_info: tuple[str, str] | None = field(default=None, repr=False)
    """The user and password a `base_url` held, taken out of it (sent as `Authorization`)."""
    extra_secrets: tuple[str, ...] = field(default=(), repr=False)
    """Other credentials to keep out of errors and logs (an `http_client`'s credential headers)."""

    @property
    def timeout(self) -> float:
        """The request timeout (the name the clients' argument has)."""
        return self.request_timeout


@dataclass(frozen=True)
class Context:
    """What every flow reads: the settings and the clock. Here, beside Settings, so that making a
    client does not load the flows (and the generated models) before its first request."""

    settings: Settings
    clock: Clock
    awaits_callbacks: bool = False
    """Whether the client awaits what callbacks return (the async client does)."""


def resolve_settings(
    *,
    api_key: str | None,
    base_url: str | None,
    timeout: float,
    max_retries: int,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    default_headers: Mapping[str, str] | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Settings:
    """Settings from the arguments and the environment, checked."""
    # Imported here, not above: the defaults in this module are read by the command line's parser,
    # which must not load httpx and the generated models (see bench/README.md, start-up).
    from . import ConfigurationError  # the package's name: no import cycle with _errors

    key = api_key_from(api_key if api_key is not None else environ.get(API_KEY_ENV, ""))
    url, user_info = _base_url(base_url or environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ConfigurationError(
            f"timeout must be a number of seconds > 0, not {timeout!r}", argument="timeout"
        )
    if not timeout < MAX_REQUEST_TIMEOUT:  # inf, or so large that deadlines overflow
        raise ConfigurationError(
            f"timeout must be a finite number of seconds below {MAX_REQUEST_TIMEOUT:g}, "
            f"not {timeout!r}",
            argument="timeout",
        )
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(
            f"max_retries must be an int >= 0, not {max_retries!r}", argument="max_retries"
        )
    if (
        isinstance(max_response_bytes, bool)
        or not isinstance(max_response_bytes, int)
        or max_response_bytes <= 0
    ):
        raise ConfigurationError(
            f"max_response_bytes must be an int > 0, not {max_response_bytes!r}",
            argument="max_response_bytes",
        )
    return Settings(
        api_key=key,
        base_url=url,
        request_timeout=float(timeout),
        max_retries=max_retries,
        max_response_bytes=max_response_bytes,
        default_headers=checked_headers(default_headers),
        user_info=user_info,
    )


_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def checked_headers(value: Mapping[str, str] | None) -> Mapping[str, str]:
    """`default_headers`, checked: names that HTTP allows, values without line breaks, and not
    the key's own header (the key is `api_key`, masked wherever the library prints)."""
    from types import MappingProxyType

    from . import ConfigurationError  # the package's name: no import cycle with _errors

    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            f"default_headers must be a mapping of names to values, not {type(value).__name__}"
        )
    for name, text in value.items():
        if not isinstance(name, str) or not name or not set(name) <= _TOKEN:
            raise ConfigurationError(f"default_headers: {name!r} is not a header name")
        if name.lower() == "x-api-key":
            raise ConfigurationError("default_headers: pass the key as api_key, not X-API-KEY")
        if not isinstance(text, str) or any(c in text for c in "\r\n\0"):
            raise ConfigurationError(
                f"default_headers: the value of {name} must be text on one line"
            )
    return MappingProxyType(dict(value))


def _base_url(url: str) -> tuple[str, tuple[str, str] | None]:
    """An http(s) URL that httpx can send to, checked now rather than at the first request, and
    the user and password it held. They are taken out of the URL, so that no URL the client
    shows, logs or sends carries them (httpx's own log line included); they go in an
    `Authorization: Basic` header, as httpx would send them. A query or fragment is refused: the
    paths of the API would be appended to it, sending every request elsewhere."""
    import httpx

    from . import ConfigurationError  # the package's name: no import cycle with _errors
    from ._secrets import split_user_info, without_credentials
    from .rules import is_http_url

    shown = without_credentials(url)
    try:
        valid = is_http_url(url) and bool(httpx.URL(url).host)
    except (ValueError, httpx.InvalidURL):  # what httpx cannot read, though urlsplit could
        valid = False
    if not valid:
        raise ConfigurationError(
            f"base_url must be an http(s) URL, not {shown!r}",
            argument="base_url",
            problem=f"the base URL must be an http(s) URL, not {shown!r}",
        )
    start = min((at for at in (url.find("?"), url.find("#")) if at >= 0), default=None)
    if start is not None:
        part = "query" if url[start] == "?" else "fragment"
        raise ConfigurationError(
            f"base_url must not have a {part} (the part from {url[start]!r}): {shown!r}; "
            "the API's paths would be appended to it",
            argument="base_url",
            problem=f"the base URL must not have a {part} (the part from {url[start]!r}): "
            f"{shown!r}; the API's paths would be appended to it",
        )
    plain, user_info = split_user_info(url)
    return plain.rstrip("/"), user_info


def api_key_from(value: object) -> str:
    """The API key, checked: printable ASCII without spaces. Whitespace around it (a key read
    from a file keeps its newline) is removed; anything else is refused, without repeating the
    key, since it could not be sent in a header as it is."""
    from . import ConfigurationError  # the package's name: no import cycle with _errors

    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            f"no PromptLayer API key: pass api_key=... or set {API_KEY_ENV}",
            argument="api_key",
            problem="no PromptLayer API key",
        )
    key = value.strip()
    bad = next((i for i, char in enumerate(key) if not "!" <= char <= "~"), None)
    if bad is not None:
        raise ConfigurationError(
            f"the API key has a character that is not allowed at position {bad + 1} of "
            f"{len(key)}: a key is printable ASCII with no spaces or control characters",
            argument="api_key",
        )
    return key
