from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RunAgentResponse")


@_attrs_define
class RunAgentResponse:
    """The answer to running an agent; the execution continues in the background.

    Attributes:
        success (bool): Whether the execution was created.
        message (str): A message describing the result.
        workflow_version_execution_id (int): The id to read the execution's results with (a positive integer).
        warning (None | str | Unset): Missing or unexpected input variables, if any; the run still started.
    """

    success: bool
    message: str
    workflow_version_execution_id: int
    warning: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        message = self.message

        workflow_version_execution_id = self.workflow_version_execution_id

        warning: None | str | Unset
        if isinstance(self.warning, Unset):
            warning = UNSET
        else:
            warning = self.warning

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success": success,
                "message": message,
                "workflow_version_execution_id": workflow_version_execution_id,
            }
        )
        if warning is not UNSET:
            field_dict["warning"] = warning

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        success = d.pop("success")

        message = d.pop("message")

        workflow_version_execution_id = d.pop("workflow_version_execution_id")

        def _parse_warning(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        warning = _parse_warning(d.pop("warning", UNSET))

        run_agent_response = cls(
            success=success,
            message=message,
            workflow_version_execution_id=workflow_version_execution_id,
            warning=warning,
        )

        run_agent_response.additional_properties = d
        return run_agent_response

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
