from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing, plain, wrong

T = TypeVar("T", bound="AgentSummary")


@_attrs_define(frozen=True)
class AgentSummary:
    """
    Attributes:
        id (int):
        name (str):
        workspace_id (int | None):
        user_id (int | None):
        is_draft (bool | None):
        is_deleted (bool | None):
    """

    id: int
    name: str
    workspace_id: int | None = None
    user_id: int | None = None
    is_draft: bool | None = None
    is_deleted: bool | None = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        field_dict["id"] = plain(self.id)
        field_dict["name"] = plain(self.name)
        if self.workspace_id is not None:
            field_dict["workspace_id"] = plain(self.workspace_id)
        if self.user_id is not None:
            field_dict["user_id"] = plain(self.user_id)
        if self.is_draft is not None:
            field_dict["is_draft"] = plain(self.is_draft)
        if self.is_deleted is not None:
            field_dict["is_deleted"] = plain(self.is_deleted)
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

        id = _data.get("id")
        if id is None:
            raise missing(_data, "id", "an integer")
        if not (isinstance(id, int) and not isinstance(id, bool)):
            if not (
                isinstance(id, float) and id.is_integer()
            ):  # 3.0 is an integer in JSON
                raise wrong("id", "an integer", id)
            id = int(id)

        name = _data.get("name")
        if name is None:
            raise missing(_data, "name", "a string")
        if not isinstance(name, str):
            raise wrong("name", "a string", name)

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

        user_id = _data.get("user_id")
        if user_id is not None:
            if not (isinstance(user_id, int) and not isinstance(user_id, bool)):
                if not (
                    isinstance(user_id, float) and user_id.is_integer()
                ):  # 3.0 is an integer in JSON
                    raise wrong("user_id", "an integer", user_id)
                user_id = int(user_id)

        is_draft = _data.get("is_draft")
        if is_draft is not None:
            if not isinstance(is_draft, bool):
                raise wrong("is_draft", "a boolean", is_draft)

        is_deleted = _data.get("is_deleted")
        if is_deleted is not None:
            if not isinstance(is_deleted, bool):
                raise wrong("is_deleted", "a boolean", is_deleted)

        agent_summary = cls(
            id=id,
            name=name,
            workspace_id=workspace_id,
            user_id=user_id,
            is_draft=is_draft,
            is_deleted=is_deleted,
        )
        object.__setattr__(agent_summary, "_json", _data)
        return agent_summary
