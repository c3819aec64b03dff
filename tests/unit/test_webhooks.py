"""Webhooks: a delivery is accepted only with PromptLayer's signature of its own payload, and a
repeated `agent_run_finished` is recognised as one event."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptlayer_agents import (
    InvalidInputError,
    WebhookDeduplicator,
    WebhookEvent,
    WebhookVerificationError,
    sign_webhook,
    verify_webhook,
    webhook_event_key,
)

SECRET = "whsec_test_7f3a"

# PromptLayer's documented example payload (its webhooks page).
LABEL_MOVED = {
    "event_type": "prompt_template_label_moved",
    "details": {
        "prompt_template_id": 12,
        "prompt_template_name": "Hello",
        "prompt_template_version_number": 9,
        "old_prompt_template_version_number": 8,
        "prompt_template_label": "prod",
    },
    "user_id": 1,
    "user_name": "John Doe",
    "user_email": "john.doe@example.com",
    "workspace_id": 1,
    "timestamp": "2023-12-01T22:05:57.924833",
}


def finished(execution_id: int, **extra: Any) -> dict[str, Any]:
    details = {"agent_name": "triage", "agent_id": 3, "agent_execution_id": execution_id}
    return {"event_type": "agent_run_finished", "details": details, "workspace_id": 1, **extra}


def documented_signature(payload: Any, secret: str) -> str:
    """The signature exactly as PromptLayer's docs compute it."""
    payload_str = json.dumps(payload, sort_keys=True)
    return hmac.new(secret.encode(), payload_str.encode("utf-8"), hashlib.sha256).hexdigest()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
events = st.fixed_dictionaries(
    {"event_type": st.text(min_size=1), "details": st.dictionaries(st.text(), json_values)},
    optional={"user_name": st.none() | st.text(), "workspace_id": st.none() | st.integers()},
)


@settings(max_examples=60, deadline=None)
@given(events, st.text(min_size=1), st.randoms(use_true_random=False))
def test_a_signed_delivery_is_read_whatever_its_key_order_and_spacing(
    payload: dict[str, Any], secret: str, rnd: Any
) -> None:
    signature = documented_signature(payload, secret)
    assert sign_webhook(payload, secret) == signature
    shuffled = dict(rnd.sample(list(payload.items()), len(payload)))
    for body in (json.dumps(shuffled), json.dumps(shuffled, separators=(",", ":")).encode()):
        event = verify_webhook(body, signature, secret)
        assert event.to_dict() == payload
    assert verify_webhook(payload, signature.upper(), secret).event_type == payload["event_type"]


@settings(max_examples=60, deadline=None)
@given(events, st.data())
def test_any_change_to_the_payload_the_signature_or_the_secret_is_refused(
    payload: dict[str, Any], data: st.DataObject
) -> None:
    signature = documented_signature(payload, SECRET)
    changed = dict(payload, event_type=payload["event_type"] + data.draw(st.text(min_size=1)))
    with pytest.raises(WebhookVerificationError, match="does not match"):
        verify_webhook(json.dumps(changed), signature, SECRET)
    position = data.draw(st.integers(0, len(signature) - 1))
    flipped = "0" if signature[position] != "0" else "1"
    forged = signature[:position] + flipped + signature[position + 1 :]
    with pytest.raises(WebhookVerificationError):
        verify_webhook(json.dumps(payload), forged, SECRET)
    # Another secret: not the same one with NULs after it, which HMAC pads a short key with.
    other = SECRET + data.draw(st.text(min_size=1).filter(lambda t: t.strip("\x00")))
    with pytest.raises(WebhookVerificationError):
        verify_webhook(json.dumps(payload), signature, other)


def test_the_documented_example_verifies_and_reads_as_a_typed_event() -> None:
    body = json.dumps(LABEL_MOVED).encode()
    event = verify_webhook(body, documented_signature(LABEL_MOVED, SECRET), SECRET)
    assert event.event_type == "prompt_template_label_moved"
    assert event.workspace_id == 1
    assert event.to_dict() == LABEL_MOVED


@pytest.mark.parametrize("signature", [None, "", "   ", "sha256=", "not hex at all", "é" * 64])
def test_a_missing_or_malformed_signature_is_refused(signature: str | None) -> None:
    with pytest.raises(WebhookVerificationError, match="X-PromptLayer-Signature"):
        verify_webhook(json.dumps(LABEL_MOVED), signature, SECRET)


@pytest.mark.parametrize("body", [b"", b"not json", b"\xff\xfe", b"[1, 2]", b"3", b"[" * 5000])
def test_a_body_that_is_not_a_json_object_is_refused_by_type(body: bytes) -> None:
    with pytest.raises(WebhookVerificationError, match=r"not JSON|not a JSON object"):
        verify_webhook(body, "0" * 64, SECRET)


def test_an_authentic_body_that_is_not_an_event_is_an_input_error() -> None:
    payload = {"hello": "world"}
    with pytest.raises(InvalidInputError, match="not a PromptLayer event"):
        verify_webhook(json.dumps(payload), documented_signature(payload, SECRET), SECRET)


@pytest.mark.parametrize("secret", ["", b"", None, 42])
def test_an_empty_or_missing_secret_is_refused_before_anything_is_compared(secret: Any) -> None:
    with pytest.raises(InvalidInputError, match="secret"):
        verify_webhook(json.dumps(LABEL_MOVED), "0" * 64, secret)


def test_the_secret_never_appears_in_an_error() -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(json.dumps(LABEL_MOVED), "0" * 64, SECRET)
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)


def test_signatures_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    signature = documented_signature(LABEL_MOVED, SECRET)
    verify_webhook(json.dumps(LABEL_MOVED), signature, SECRET)
    assert compared == [(signature.encode(), signature.encode())]


def test_a_repeated_agent_run_finished_is_one_event_however_else_it_differs() -> None:
    first = verify_webhook(json.dumps(finished(787)), sign_webhook(finished(787), SECRET), SECRET)
    again_payload = finished(787, timestamp="2026-12-06T10:00:01")
    again = verify_webhook(json.dumps(again_payload), sign_webhook(again_payload, SECRET), SECRET)
    other = verify_webhook(json.dumps(finished(788)), sign_webhook(finished(788), SECRET), SECRET)
    assert webhook_event_key(first) == webhook_event_key(again) == "agent_run_finished:787"
    seen = WebhookDeduplicator()
    assert [seen.first_time(e) for e in (first, again, other, first)] == [True, False, True, False]


def test_other_events_repeat_only_when_their_payload_is_the_same() -> None:
    event = verify_webhook(LABEL_MOVED, sign_webhook(LABEL_MOVED, SECRET), SECRET)
    moved_again = dict(LABEL_MOVED, timestamp="2023-12-01T22:06:00")
    later = verify_webhook(moved_again, sign_webhook(moved_again, SECRET), SECRET)
    seen = WebhookDeduplicator()
    assert [seen.first_time(e) for e in (event, event, later)] == [True, False, True]


def test_the_deduplicator_forgets_the_oldest_beyond_its_size_and_is_thread_safe() -> None:
    def event(n: int) -> Any:
        return verify_webhook(finished(n), sign_webhook(finished(n), SECRET), SECRET)

    seen = WebhookDeduplicator(max_events=3)
    assert all(seen.first_time(event(n)) for n in (1, 2, 3, 4))
    assert seen.first_time(event(1)) is True  # forgotten: the oldest of four
    assert seen.first_time(event(4)) is False

    shared = WebhookDeduplicator()
    same = event(99)
    firsts: list[bool] = []
    threads = [
        threading.Thread(target=lambda: firsts.append(shared.first_time(same))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(firsts) == [False] * 7 + [True]


@pytest.mark.parametrize("size", [0, -1, 1.5, True, "10"])
def test_the_deduplicator_size_must_be_a_positive_integer(size: Any) -> None:
    with pytest.raises(InvalidInputError, match="max_events"):
        WebhookDeduplicator(max_events=size)


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"{", "the webhook body is not JSON"), (b"[]", "the webhook body is not a JSON object")],
)
def test_an_unreadable_body_is_named_plainly(body: bytes, message: str) -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(body, "0" * 64, SECRET)

    assert str(caught.value) == message


def test_a_missing_secret_is_named_plainly() -> None:
    with pytest.raises(InvalidInputError) as caught:
        sign_webhook(LABEL_MOVED, "")

    assert str(caught.value) == "secret must be the webhook secret, a non-empty string"


def test_a_secret_holding_a_lone_surrogate_is_used_as_its_bytes() -> None:
    """A secret read with `surrogateescape` from odd bytes still signs and verifies."""
    secret = "whsec_\udcff"
    key = secret.encode("utf-8", "surrogatepass")
    expected = hmac.new(key, json.dumps(LABEL_MOVED, sort_keys=True).encode(), hashlib.sha256)

    assert sign_webhook(LABEL_MOVED, secret) == expected.hexdigest()
    assert verify_webhook(LABEL_MOVED, expected.hexdigest(), secret).event_type


def test_another_events_key_is_its_type_and_the_digest_of_its_sorted_payload() -> None:
    payload = dict(LABEL_MOVED, details={"agent_execution_id": 5, "b": 1, "a": 2})
    reordered = dict(reversed(list(payload.items())))
    reordered["details"] = {"a": 2, "b": 1, "agent_execution_id": 5}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    keys = {
        webhook_event_key(verify_webhook(body, sign_webhook(body, SECRET), SECRET))
        for body in (payload, reordered)
    }

    assert keys == {f"prompt_template_label_moved:{digest}"}


def test_an_agent_run_finished_without_an_execution_is_keyed_by_its_payload() -> None:
    payload = {"event_type": "agent_run_finished", "details": {"agent_name": "triage"}}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    event = verify_webhook(payload, sign_webhook(payload, SECRET), SECRET)

    assert webhook_event_key(event) == f"agent_run_finished:{digest}"


def test_a_deduplicator_of_one_remembers_the_last_event_only() -> None:
    def event(n: int) -> Any:
        return verify_webhook(finished(n), sign_webhook(finished(n), SECRET), SECRET)

    seen = WebhookDeduplicator(max_events=1)
    assert [seen.first_time(event(n)) for n in (1, 1, 2, 2, 1)] == [True, False, True, False, True]
    pair = WebhookDeduplicator(max_events=2)
    assert [pair.first_time(event(n)) for n in (1, 2, 1, 3, 2, 1)] == [
        True,
        True,
        False,  # 1 is now the most recent
        True,  # 3 pushes out 2, the oldest
        True,
        True,
    ]


@pytest.mark.parametrize("details", [None, [787], "787"])
def test_an_event_built_by_hand_with_odd_details_still_has_a_key(details: Any) -> None:
    event = WebhookEvent(event_type="agent_run_finished", details=details)
    data = {"event_type": "agent_run_finished", "details": details}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    assert webhook_event_key(event) == f"agent_run_finished:{digest}"
