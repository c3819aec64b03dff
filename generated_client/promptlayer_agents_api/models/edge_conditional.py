from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.condition_operator import ConditionOperator, check_condition_operator

if TYPE_CHECKING:
    from ..models.condition_operand import ConditionOperand


T = TypeVar("T", bound="EdgeConditional")


@_attrs_define
class EdgeConditional:
    """One comparison on an edge.

    Attributes:
        position (int): Order of evaluation.
        operator (ConditionOperator | str): One of the documented `ConditionOperator` values; an operator the API adds
            later is kept as
            a plain string.
        left_config (ConditionOperand): One side of a comparison: either a `static_value` or a `source` naming the node
            (or input
            variable) whose value is compared.
        right_config (ConditionOperand): One side of a comparison: either a `static_value` or a `source` naming the node
            (or input
            variable) whose value is compared.
    """

    position: int
    operator: ConditionOperator | str
    left_config: ConditionOperand
    right_config: ConditionOperand
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        position = self.position

        operator: str
        if isinstance(self.operator, str):
            operator = self.operator
        else:
            operator = self.operator

        left_config = self.left_config.to_dict()

        right_config = self.right_config.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "position": position,
                "operator": operator,
                "left_config": left_config,
                "right_config": right_config,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.condition_operand import ConditionOperand  # noqa: PLC0415

        d = dict(src_dict)
        position = d.pop("position")

        def _parse_operator(data: object) -> ConditionOperator | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                operator_type_0 = check_condition_operator(data)

                return operator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConditionOperator | str, data)

        operator = _parse_operator(d.pop("operator"))

        left_config = ConditionOperand.from_dict(d.pop("left_config"))

        right_config = ConditionOperand.from_dict(d.pop("right_config"))

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
