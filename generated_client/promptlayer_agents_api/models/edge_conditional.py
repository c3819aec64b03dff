from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.condition_operator import ConditionOperator, check_condition_operator
from ..types import UNSET, Unset

T = TypeVar("T", bound="EdgeConditional")


@_attrs_define
class EdgeConditional:
    """One comparison on an edge. PromptLayer's Get Agent answer types conditionals as free-form
    objects, so every field is optional and the operands are any JSON value: read them leniently.
    PromptLayer's spec for creating agents gives each a `position`, an `operator` and two operands.

        Attributes:
            position (int | Unset): Order of evaluation (an integer >= 0 when PromptLayer creates the agent).
            operator (ConditionOperator | str | Unset): One of the documented `ConditionOperator` values; an operator the
                API adds later is kept as
                a plain string.
            left_config (Any | Unset): The left side, any JSON value; usually an object with either a `static_value` (a
                constant) or a `source` (the node or input variable whose value is compared).
            right_config (Any | Unset): The right side, any JSON value, shaped like `left_config`.
    """

    position: int | Unset = UNSET
    operator: ConditionOperator | str | Unset = UNSET
    left_config: Any | Unset = UNSET
    right_config: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        position = self.position

        operator: str | Unset
        if isinstance(self.operator, Unset):
            operator = UNSET
        elif isinstance(self.operator, str):
            operator = self.operator
        else:
            operator = self.operator

        left_config = self.left_config

        right_config = self.right_config

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if position is not UNSET:
            field_dict["position"] = position
        if operator is not UNSET:
            field_dict["operator"] = operator
        if left_config is not UNSET:
            field_dict["left_config"] = left_config
        if right_config is not UNSET:
            field_dict["right_config"] = right_config

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        position = d.pop("position", UNSET)

        def _parse_operator(data: object) -> ConditionOperator | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                operator_type_0 = check_condition_operator(data)

                return operator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConditionOperator | str | Unset, data)

        operator = _parse_operator(d.pop("operator", UNSET))

        left_config = d.pop("left_config", UNSET)

        right_config = d.pop("right_config", UNSET)

        edge_conditional = cls(
            position=position,
            operator=operator,
            left_config=left_config,
            right_config=right_config,
        )

        edge_conditional.additional_properties = d
        return edge_conditional

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
