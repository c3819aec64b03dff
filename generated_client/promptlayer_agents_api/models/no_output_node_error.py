from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.execution_node_map import ExecutionNodeMap
    from ..models.validation_issue import ValidationIssue


T = TypeVar("T", bound="NoOutputNodeError")


@_attrs_define
class NoOutputNodeError:
    """The answer for an agent with no output node; `output` holds the nodes' states.

    Attributes:
        success (bool | Unset): Always false.
        message (str | Unset):
        error (str | Unset):
        detail (Any | list[ValidationIssue] | str | Unset): Any JSON value: usually a string, or a list of
            `ValidationIssue`s; lists of strings,
            objects without `msg` and numbers are read too.
        output (ExecutionNodeMap | Unset): Every node of the execution, by node name.
    """

    success: bool | Unset = UNSET
    message: str | Unset = UNSET
    error: str | Unset = UNSET
    detail: Any | list[ValidationIssue] | str | Unset = UNSET
    output: ExecutionNodeMap | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        message = self.message

        error = self.error

        detail: Any | list[dict[str, Any]] | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        elif isinstance(self.detail, list):
            detail = []
            for detail_type_1_item_data in self.detail:
                detail_type_1_item = detail_type_1_item_data.to_dict()
                detail.append(detail_type_1_item)

        else:
            detail = self.detail

        output: dict[str, Any] | Unset = UNSET
        if not isinstance(self.output, Unset):
            output = self.output.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if success is not UNSET:
            field_dict["success"] = success
        if message is not UNSET:
            field_dict["message"] = message
        if error is not UNSET:
            field_dict["error"] = error
        if detail is not UNSET:
            field_dict["detail"] = detail
        if output is not UNSET:
            field_dict["output"] = output

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        success = d.pop("success", UNSET)

        message = d.pop("message", UNSET)

        error = d.pop("error", UNSET)

        def _parse_detail(data: object) -> Any | list[ValidationIssue] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                detail_type_1 = []
                _detail_type_1 = data
                for detail_type_1_item_data in _detail_type_1:
                    detail_type_1_item = ValidationIssue.from_dict(
                        detail_type_1_item_data
                    )

                    detail_type_1.append(detail_type_1_item)

                return detail_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | list[ValidationIssue] | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        _output = d.pop("output", UNSET)
        output: ExecutionNodeMap | Unset
        if isinstance(_output, Unset):
            output = UNSET
        else:
            output = ExecutionNodeMap.from_dict(_output)

        no_output_node_error = cls(
            success=success,
            message=message,
            error=error,
            detail=detail,
            output=output,
        )

        no_output_node_error.additional_properties = d
        return no_output_node_error

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
from ..models.validation_issue import ValidationIssue  # noqa: E402
