from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import ModelError, plain, wrong

if TYPE_CHECKING:
    from ..models.execution_node_map import ExecutionNodeMap


T = TypeVar("T", bound="NodeStates")


@_attrs_define(frozen=True)
class NodeStates:
    """The state of every node, carried by an error answer.

    Attributes:
        output (ExecutionNodeMap | None): Every node of the execution, by node name.
    """

    output: ExecutionNodeMap | None = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        if self.output is not None:
            field_dict["output"] = plain(self.output)
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

        output = _data.get("output")
        if output is not None:
            try:
                output = ExecutionNodeMap.from_dict(output)
            except ModelError as _error:
                raise _error.within("output") from None

        node_states = cls(
            output=output,
        )
        object.__setattr__(node_states, "_json", _data)
        return node_states


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.execution_node_map import ExecutionNodeMap  # noqa: E402
