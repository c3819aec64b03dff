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

# The schedule was picked from the simulated curve in bench/schedule.py (see bench/README.md): of
# the geometric schedules that make no more requests than a fixed 1 s poller, one with about the
# lowest p95 delay; the 5 s cap keeps long runs cheap and sees any run of 22 s or more within 25 %.
POLL_INITIAL: Final = 0.2
"""The default poll schedule: first pause this many seconds, ..."""
POLL_MULTIPLIER: Final = 1.4
"""... each pause this many times longer than the one before, ..."""
POLL_MAXIMUM: Final = 5.0
"""... never longer than this, ..."""
POLL_JITTER: Final = 0.1
"""... each varied by up to this fraction, so that many waiters do not align."""

DEFAULT_BATCH_CONCURRENCY: Final = 8
"""Runs the command line's `batch` keeps in flight at once (its `--concurrency`)."""

MAX_IN_FLIGHT: Final = 100
"""Requests one AsyncAgents keeps in flight at once per event loop: httpx's default pool size."""


@dataclass(frozen=True)
class Settings:
    """What every request needs. The key is left out of `repr`."""

    api_key: str = field(repr=False)
    base_url: str
    request_timeout: float
    max_retries: int
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

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


def resolve_settings(
    *,
    api_key: str | None,
    base_url: str | None,
    timeout: float,
    max_retries: int,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    environ: Mapping[str, str] = os.environ,
) -> Settings:
    """Settings from the arguments and the environment, checked."""
    # Imported here, not above: the defaults in this module are read by the command line's parser,
    # which must not load httpx and the generated models (see bench/README.md, start-up).
    from ._errors import ConfigurationError

    key = api_key_from(api_key if api_key is not None else environ.get(API_KEY_ENV, ""))
    url = _base_url((base_url or environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/"))
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ConfigurationError(f"timeout must be a number of seconds > 0, not {timeout!r}")
    if not timeout < MAX_REQUEST_TIMEOUT:  # inf, or so large that deadlines overflow
        raise ConfigurationError(
            f"timeout must be a finite number of seconds below {MAX_REQUEST_TIMEOUT:g}, "
            f"not {timeout!r}"
        )
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries must be an int >= 0, not {max_retries!r}")
    if (
        isinstance(max_response_bytes, bool)
        or not isinstance(max_response_bytes, int)
        or max_response_bytes <= 0
    ):
        raise ConfigurationError(
            f"max_response_bytes must be an int > 0, not {max_response_bytes!r}"
        )
    return Settings(
        api_key=key,
        base_url=url,
        request_timeout=float(timeout),
        max_retries=max_retries,
        max_response_bytes=max_response_bytes,
    )


def _base_url(url: str) -> str:
    """An http(s) URL that httpx can send to, checked now rather than at the first request."""
    import httpx

    from ._errors import ConfigurationError
    from .rules import is_http_url

    try:
        parsed = httpx.URL(url)
        port = 80 if parsed.port is None else parsed.port  # port 0 is no port: not the default
        valid = is_http_url(url) and bool(parsed.host) and 0 < port < 65536
    except (ValueError, httpx.InvalidURL):  # "http://[::1", a control character, a bad port
        valid = False
    if not valid:
        raise ConfigurationError(f"base_url must be an http(s) URL, not {url!r}")
    return url


def api_key_from(value: object) -> str:
    """The API key, checked: printable ASCII without spaces. Whitespace around it (a key read
    from a file keeps its newline) is removed; anything else is refused, without repeating the
    key, since it could not be sent in a header as it is."""
    from ._errors import ConfigurationError

    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"no PromptLayer API key: pass api_key=... or set {API_KEY_ENV}")
    key = value.strip()
    bad = next((i for i, char in enumerate(key) if not "!" <= char <= "~"), None)
    if bad is not None:
        raise ConfigurationError(
            f"the API key has a character that is not allowed at position {bad + 1} of "
            f"{len(key)}: a key is printable ASCII with no spaces or control characters"
        )
    return key
