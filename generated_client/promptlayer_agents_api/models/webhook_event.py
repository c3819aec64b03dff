from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import ModelError, missing, plain, wrong

if TYPE_CHECKING:
    from ..models.webhook_event_details import WebhookEventDetails


T = TypeVar("T", bound="WebhookEvent")


@_attrs_define(frozen=True)
class WebhookEvent:
    """The body PromptLayer POSTs to a workspace's webhook URL when an event occurs, signed in the
    `X-PromptLayer-Signature` header (HMAC-SHA256, hex, of the payload serialised with sorted
    keys). `details` depends on `event_type`; for `agent_run_finished` it is an
    `AgentRunFinishedDetails`. Source: PromptLayer's webhooks page
    (docs.promptlayer.com/features/prompt-registry/webhooks).

        Attributes:
            event_type (str): What happened, e.g. `agent_run_finished` or `prompt_template_version_created`.
            details (WebhookEventDetails): The event's details; their fields depend on `event_type`. For `agent_run_finished`:
                `agent_name` (string), `agent_id` (integer) and `agent_execution_id` (integer).
            user_id (int | None): The user whose action caused the event.
            user_name (str | None):
            user_email (str | None):
            workspace_id (int | None):
            timestamp (str | None): When the event occurred, an ISO 8601 timestamp as PromptLayer wrote it.
    """

    event_type: str
    details: WebhookEventDetails
    user_id: int | None = None
    user_name: str | None = None
    user_email: str | None = None
    workspace_id: int | None = None
    timestamp: str | None = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        field_dict["event_type"] = plain(self.event_type)
        field_dict["details"] = plain(self.details)
        if self.user_id is not None:
            field_dict["user_id"] = plain(self.user_id)
        if self.user_name is not None:
            field_dict["user_name"] = plain(self.user_name)
        if self.user_email is not None:
            field_dict["user_email"] = plain(self.user_email)
        if self.workspace_id is not None:
            field_dict["workspace_id"] = plain(self.workspace_id)
        if self.timestamp is not None:
            field_dict["timestamp"] = plain(self.timestamp)
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """The model of this JSON object, each field's type checked as it is read. Raises
        ModelError naming the path of what is wrong (e.g. `nodes[2].id: expected a string,
        got 3`)."""
        if not isinstance(src_dict, dict):
            if not isinstance(src_dict, Mapping):
                raise wrong(None, "an object", src_dict)
        _data = dict(src_dict)

        event_type = _data.get("event_type")
        if event_type is None:
            raise missing(_data, "event_type", "a string")
        if not isinstance(event_type, str):
            raise wrong("event_type", "a string", event_type)

        details = _data.get("details")
        if details is None:
            raise missing(_data, "details", "an object")
        try:
            details = WebhookEventDetails.from_dict(details)
        except ModelError as _error:
            raise _error.within("details") from None

        user_id = _data.get("user_id")
        if user_id is not None:
            if not (isinstance(user_id, int) and not isinstance(user_id, bool)):
                if not (
                    isinstance(user_id, float) and user_id.is_integer()
                ):  # 3.0 is an integer in JSON
                    raise wrong("user_id", "an integer", user_id)
                user_id = int(user_id)

        user_name = _data.get("user_name")
        if user_name is not None:
            if not isinstance(user_name, str):
                raise wrong("user_name", "a string", user_name)

        user_email = _data.get("user_email")
        if user_email is not None:
            if not isinstance(user_email, str):
                raise wrong("user_email", "a string", user_email)

        workspace_id = _data.get("workspace_id")
        if workspace_id is not None:
            if not (
                isinstance(workspace_id, int) and not isinstance(workspace_id, bool)
            ):
                if not (
                    isinstance(workspace_id, float) and workspace_id.is_integer()
                ):  # 3.0 is an integer in JSON
                    raise wrong("workspace_id", "an integer", workspace_id)
                workspace_id = int(workspace_id)

        timestamp = _data.get("timestamp")
        if timestamp is not None:
            if not isinstance(timestamp, str):
                raise wrong("timestamp", "a string", timestamp)

        webhook_event = cls(
            event_type=event_type,
            details=details,
            user_id=user_id,
            user_name=user_name,
            user_email=user_email,
            workspace_id=workspace_id,
            timestamp=timestamp,
        )
        object.__setattr__(webhook_event, "_json", _data)
        return webhook_event


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.webhook_event_details import WebhookEventDetails  # noqa: E402
