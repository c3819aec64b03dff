"""PromptLayer's webhooks: checking a delivery's signature, reading its event, and telling repeats.

PromptLayer signs each webhook delivery in the `X-PromptLayer-Signature` header: the hex
HMAC-SHA256, keyed with the workspace's webhook secret, of the event payload serialised by Python's
`json.dumps(payload, sort_keys=True)` (default separators `", "` and `": "`, ASCII escapes) and
encoded as UTF-8. Source: PromptLayer's webhooks page,
https://docs.promptlayer.com/features/prompt-registry/webhooks ("Verifying Webhook Signatures"),
which also documents the payload (`event_type`, `details`, `user_id`, `user_name`, `user_email`,
`workspace_id`, `timestamp`) and warns that `agent_run_finished` "may fire multiple times for the
same execution".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from promptlayer_agents_api.models import WebhookEvent as WebhookEvent

from ._config import DEFAULT_WEBHOOK_MEMORY
from ._errors import InvalidInputError, PromptLayerError

SIGNATURE_HEADER = "X-PromptLayer-Signature"


class WebhookVerificationError(PromptLayerError, ValueError):
    """A webhook delivery whose signature is missing or does not match its body: it did not come
    from PromptLayer with this secret, or was changed on the way. Answer it with a 4xx and do not
    act on it."""


def sign_webhook(payload: Mapping[str, Any], secret: str | bytes) -> str:
    """The `X-PromptLayer-Signature` PromptLayer sends with this payload: for tests of your own
    webhook handler, and for `verify_webhook`."""
    text = json.dumps(payload, sort_keys=True)
    return hmac.new(_secret_bytes(secret), text.encode("utf-8"), hashlib.sha256).hexdigest()


def verify_webhook(
    body: bytes | str | Mapping[str, Any], signature: str | None, secret: str | bytes
) -> WebhookEvent:
    """The event of a webhook delivery whose signature is right, else WebhookVerificationError.

    `body` is the request body as received (bytes or text), or already decoded; `signature` is
    the `X-PromptLayer-Signature` header (None when absent); `secret` is the webhook secret from
    PromptLayer's settings. The signature is compared in constant time. An authentic body that is
    not a PromptLayer event raises InvalidInputError.
    """
    key = _secret_bytes(secret)
    payload = _payload(body)
    if not isinstance(signature, str) or not signature.strip():
        raise WebhookVerificationError(f"the {SIGNATURE_HEADER} header is missing")
    expected = sign_webhook(payload, key).encode("ascii")
    given = signature.strip().lower().encode("ascii", "replace")
    if not hmac.compare_digest(expected, given):
        raise WebhookVerificationError(
            f"the {SIGNATURE_HEADER} header does not match the body and this secret"
        )
    try:
        return WebhookEvent.from_dict(payload)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidInputError(f"the webhook body is not a PromptLayer event: {error}") from None


def _secret_bytes(secret: str | bytes) -> bytes:
    """The secret as the HMAC key; an empty or non-text secret is refused (it would accept any
    forger who guesses it)."""
    if isinstance(secret, str):
        secret = secret.encode("utf-8", "surrogatepass")
    if not isinstance(secret, bytes) or not secret:
        raise InvalidInputError("secret must be the webhook secret, a non-empty string")
    return secret


def _payload(body: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    """The decoded payload, which must be a JSON object; anything else cannot be PromptLayer's."""
    try:
        payload = json.loads(body) if isinstance(body, bytes | str) else dict(body)
    except (ValueError, TypeError, RecursionError):
        raise WebhookVerificationError("the webhook body is not JSON") from None
    if not isinstance(payload, dict):
        raise WebhookVerificationError("the webhook body is not a JSON object")
    return payload


def webhook_event_key(event: WebhookEvent) -> str:
    """What identifies an event across repeated deliveries: for `agent_run_finished`, its
    execution (`agent_run_finished:787`), since PromptLayer may send it more than once for one
    execution; for any other event, its type and the digest of its whole payload."""
    data = event.to_dict()
    details = data.get("details")
    execution = details.get("agent_execution_id") if isinstance(details, dict) else None
    if data.get("event_type") == "agent_run_finished" and execution is not None:
        return f"agent_run_finished:{json.dumps(execution)}"
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()
    return f"{data.get('event_type')}:{digest}"


class WebhookDeduplicator:
    """Remembers the events already handled (by `webhook_event_key`), so that a repeated
    `agent_run_finished` is handled once. In memory, for one process: it keeps the most recent
    `max_events` keys and forgets the oldest beyond that. Thread-safe. For several processes,
    store `webhook_event_key(event)` where they all look (a unique key in your database)."""

    def __init__(self, max_events: int = DEFAULT_WEBHOOK_MEMORY) -> None:
        if type(max_events) is not int or max_events < 1:
            raise InvalidInputError(f"max_events must be a positive integer, not {max_events!r}")
        self._max = max_events
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event: WebhookEvent) -> bool:
        """True the first time this event is seen (handle it), False for a repeat (skip it)."""
        key = webhook_event_key(event)
        with self._lock:
            if key in self._seen:
                self._seen.move_to_end(key)
                return False
            self._seen[key] = None
            if len(self._seen) > self._max:
                self._seen.popitem(last=False)
            return True
