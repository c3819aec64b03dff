from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.condition_operator import ConditionOperator
from ..types import JSON, ModelError, plain, wrong

T = TypeVar("T", bound="EdgeConditional")


@_attrs_define(frozen=True)
class EdgeConditional:
    """One comparison on an edge. PromptLayer's Get Agent answer types conditionals as free-form
    objects, so every field is optional and the operands are any JSON value: read them leniently.
    PromptLayer's spec for creating agents gives each a `position`, an `operator` and two operands.
    A field of another type reads as absent.

        Attributes:
            position (int | None): Order of evaluation (an integer >= 0 when PromptLayer creates the agent).
            operator (ConditionOperator | str | None): One of the documented `ConditionOperator` values; an operator the API adds later is kept as
                a plain string.
            left_config (JSON): The left side, any JSON value; usually an object with either a `static_value` (a
                constant) or a `source` (the node or input variable whose value is compared).
            right_config (JSON): The right side, any JSON value, shaped like `left_config`.
    """

    position: int | None = None
    operator: ConditionOperator | str | None = None
    left_config: JSON = None
    right_config: JSON = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        if self.position is not None:
            field_dict["position"] = plain(self.position)
        if self.operator is not None:
            field_dict["operator"] = plain(self.operator)
        if self.left_config is not None:
            field_dict["left_config"] = plain(self.left_config)
        if self.right_config is not None:
            field_dict["right_config"] = plain(self.right_config)
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

        position = _data.get("position")
        if position is not None:
            try:
                if not (isinstance(position, int) and not isinstance(position, bool)):
                    if not (
                        isinstance(position, float) and position.is_integer()
                    ):  # 3.0 is an integer in JSON
                        raise wrong("position", "an integer", position)
                    position = int(position)

            except ModelError:  # read leniently (x-read-leniently): as if absent
                position = None

        operator = _data.get("operator")
        if operator is not None:
            try:
                if not isinstance(operator, str):
                    raise wrong("operator", "a string", operator)

            except ModelError:  # read leniently (x-read-leniently): as if absent
                operator = None

        left_config = _data.get("left_config")

        right_config = _data.get("right_config")

        edge_conditional = cls(
            position=position,
            operator=operator,
            left_config=left_config,
            right_config=right_config,
        )
        object.__setattr__(edge_conditional, "_json", _data)
        return edge_conditional
