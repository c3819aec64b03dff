from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.webhook_event_details import WebhookEventDetails


T = TypeVar("T", bound="WebhookEvent")


@_attrs_define
class WebhookEvent:
    """The body PromptLayer POSTs to a workspace's webhook URL when an event occurs, signed in the
    `X-PromptLayer-Signature` header (HMAC-SHA256, hex, of the payload serialised with sorted
    keys). `details` depends on `event_type`; for `agent_run_finished` it is an
    `AgentRunFinishedDetails`. Source: PromptLayer's webhooks page
    (docs.promptlayer.com/features/prompt-registry/webhooks).

        Attributes:
            event_type (str): What happened, e.g. `agent_run_finished` or `prompt_template_version_created`.
            details (WebhookEventDetails): The event's details; their fields depend on `event_type`. For
                `agent_run_finished`:
                `agent_name` (string), `agent_id` (integer) and `agent_execution_id` (integer).
            user_id (int | None | Unset): The user whose action caused the event.
            user_name (None | str | Unset):
            user_email (None | str | Unset):
            workspace_id (int | None | Unset):
            timestamp (None | str | Unset): When the event occurred, an ISO 8601 timestamp as PromptLayer wrote it.
    """

    event_type: str
    details: WebhookEventDetails
    user_id: int | None | Unset = UNSET
    user_name: None | str | Unset = UNSET
    user_email: None | str | Unset = UNSET
    workspace_id: int | None | Unset = UNSET
    timestamp: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_type = self.event_type

        details = self.details.to_dict()

        user_id: int | None | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        user_name: None | str | Unset
        if isinstance(self.user_name, Unset):
            user_name = UNSET
        else:
            user_name = self.user_name

        user_email: None | str | Unset
        if isinstance(self.user_email, Unset):
            user_email = UNSET
        else:
            user_email = self.user_email

        workspace_id: int | None | Unset
        if isinstance(self.workspace_id, Unset):
            workspace_id = UNSET
        else:
            workspace_id = self.workspace_id

        timestamp: None | str | Unset
        if isinstance(self.timestamp, Unset):
            timestamp = UNSET
        else:
            timestamp = self.timestamp

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_type": event_type,
                "details": details,
            }
        )
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if user_name is not UNSET:
            field_dict["user_name"] = user_name
        if user_email is not UNSET:
            field_dict["user_email"] = user_email
        if workspace_id is not UNSET:
            field_dict["workspace_id"] = workspace_id
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_type = d.pop("event_type")

        details = WebhookEventDetails.from_dict(d.pop("details"))

        def _parse_user_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))

        def _parse_user_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_name = _parse_user_name(d.pop("user_name", UNSET))

        def _parse_user_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_email = _parse_user_email(d.pop("user_email", UNSET))

        def _parse_workspace_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        workspace_id = _parse_workspace_id(d.pop("workspace_id", UNSET))

        def _parse_timestamp(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timestamp = _parse_timestamp(d.pop("timestamp", UNSET))

        webhook_event = cls(
            event_type=event_type,
            details=details,
            user_id=user_id,
            user_name=user_name,
            user_email=user_email,
            workspace_id=workspace_id,
            timestamp=timestamp,
        )

        webhook_event.additional_properties = d
        return webhook_event

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.webhook_event_details import WebhookEventDetails  # noqa: E402
