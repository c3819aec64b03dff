from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.execution_node_map import ExecutionNodeMap


T = TypeVar("T", bound="ExecutionCallback")


@_attrs_define
class ExecutionCallback:
    """The body POSTed to `callback_url` when an execution started with one is final.

    Attributes:
        workflow_version_execution_id (int): The execution this callback reports.
        final_output (ExecutionNodeMap): Every node of the execution, by node name.
    """

    workflow_version_execution_id: int
    final_output: ExecutionNodeMap
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        workflow_version_execution_id = self.workflow_version_execution_id

        final_output = self.final_output.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "workflow_version_execution_id": workflow_version_execution_id,
                "final_output": final_output,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        workflow_version_execution_id = d.pop("workflow_version_execution_id")

        final_output = ExecutionNodeMap.from_dict(d.pop("final_output"))

        execution_callback = cls(
            workflow_version_execution_id=workflow_version_execution_id,
            final_output=final_output,
        )

        execution_callback.additional_properties = d
        return execution_callback

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
from ..models.execution_node_map import ExecutionNodeMap  # noqa: E402
