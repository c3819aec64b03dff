"""When a request may be sent again, and how long to wait first.

A run POST that may have reached the server is never sent again: that could start the same
execution twice. It is retried only when the request certainly did not arrive (connection refused,
connect or pool timeout) or the server said it did not process it (429).
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Errors raised before any byte of the request left this machine.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Errors after which an idempotent request may be sent again.
TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
BACKOFF_INITIAL = 0.5
BACKOFF_MAX = 8.0
RETRY_AFTER_MAX = 60.0


def may_retry(outcome: httpx.Response | httpx.TransportError, *, idempotent: bool) -> bool:
    """Whether sending the same request again is safe and may help."""
    if isinstance(outcome, httpx.Response):
        if idempotent:
            return outcome.status_code in RETRYABLE_STATUSES
        return outcome.status_code == 429
    return isinstance(outcome, TRANSIENT if idempotent else NEVER_SENT)


def retry_after(response: httpx.Response | httpx.TransportError, *, now: float) -> float | None:
    """The server's Retry-After in seconds (from seconds or an HTTP date), capped; None if absent
    or unreadable. `now` is the wall clock (time.time())."""
    if not isinstance(response, httpx.Response):
        return None
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_MAX)


def backoff(attempt: int, *, random: float) -> float:
    """Exponential backoff with jitter for retry number `attempt` (0-based); `random` in [0, 1)."""
    ceiling = min(BACKOFF_MAX, BACKOFF_INITIAL * 2.0 ** min(attempt, 32))
    return ceiling * (0.5 + random / 2)


def retry_delay(
    outcome: httpx.Response | httpx.TransportError, attempt: int, *, now: float, random: float
) -> float:
    """How long to wait before retry number `attempt`: the server's Retry-After if it gave one,
    else backoff."""
    server = retry_after(outcome, now=now)
    return server if server is not None else backoff(attempt, random=random)
