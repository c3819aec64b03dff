"""When a request may be sent again, and how long to wait first.

A run POST that may have reached the server is never sent again: that could start the same
execution twice. It is retried only when the request certainly did not arrive (connection refused,
connect or pool timeout) or the server said it did not process it (429).
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx

from ._config import BACKOFF_INITIAL, BACKOFF_MAX, RETRY_AFTER_MAX
from ._http import Outcome, Unreadable

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Errors raised before any byte of the request left this machine.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Errors after which an idempotent request may be sent again.
TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def may_retry(outcome: Outcome, *, idempotent: bool) -> bool:
    """Whether sending the same request again is safe and may help. An unreadable answer (too
    large, badly encoded) is not retried: the same request would get the same answer."""
    if isinstance(outcome, Unreadable):
        return False
    if isinstance(outcome, httpx.Response):
        if idempotent:
            return outcome.status_code in RETRYABLE_STATUSES
        return outcome.status_code == 429
    return isinstance(outcome, TRANSIENT if idempotent else NEVER_SENT)


def run_may_have_started(outcome: Outcome) -> bool:
    """Whether a run request that ended in `outcome` may have started an execution: False only
    when it certainly did not (never sent, or a 3xx/4xx answer, such as 429 or a refused body);
    True when the answer was lost, timed out, unreadable, a 5xx, or a 2xx."""
    if isinstance(outcome, httpx.Response | Unreadable):
        return not 300 <= outcome.status_code < 500
    return not isinstance(outcome, NEVER_SENT)


def call_budget(request_timeout: float, max_retries: int) -> float:
    """Seconds a single `run`, `get` or `get_results` may take in all, retries and pauses
    included: every attempt's timeout plus the longest backoff before each retry. A Retry-After
    longer than what is left of it is not waited for."""
    return (max_retries + 1) * request_timeout + max_retries * BACKOFF_MAX


def retry_after(response: Outcome, *, now: float) -> float | None:
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
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_MAX)


def backoff(attempt: int, *, random: float) -> float:
    """Exponential backoff with jitter for retry number `attempt` (0-based); `random` in [0, 1)."""
    ceiling = min(BACKOFF_MAX, BACKOFF_INITIAL * 2.0 ** min(attempt, 32))
    return ceiling * (0.5 + random / 2)


def retry_delay(outcome: Outcome, attempt: int, *, now: float, random: float) -> float:
    """How long to wait before retry number `attempt`: the server's Retry-After if it gave one,
    else backoff."""
    server = retry_after(outcome, now=now)
    return server if server is not None else backoff(attempt, random=random)
