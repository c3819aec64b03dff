from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConditionOperand")


@_attrs_define
class ConditionOperand:
    """One side of a comparison: either a `static_value` or a `source` naming the node (or input
    variable) whose value is compared.

        Attributes:
            static_value (Any | Unset): A constant, any JSON value.
            source (Any | Unset): The node or input variable the value comes from.
    """

    static_value: Any | Unset = UNSET
    source: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        static_value = self.static_value

        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if static_value is not UNSET:
            field_dict["static_value"] = static_value
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        static_value = d.pop("static_value", UNSET)

        source = d.pop("source", UNSET)

        condition_operand = cls(
            static_value=static_value,
            source=source,
        )

        condition_operand.additional_properties = d
        return condition_operand

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
