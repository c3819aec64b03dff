"""`make check-upstream`: openapi.yaml against PromptLayer's published spec (upstream/)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from upstream import check

from ..helpers import ROOT

UPSTREAM: dict[str, Any] = json.loads(check.SNAPSHOT.read_text(encoding="utf-8"))
OURS: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))


def _new(ours: dict[str, Any]) -> list[str]:
    new, _ = check.report(check.differences(UPSTREAM, ours), check.load_known())
    return new


def test_every_difference_of_the_committed_spec_is_explained() -> None:
    found = check.differences(UPSTREAM, OURS)

    assert check.report(found, check.load_known()) == ([], [])
    assert all(reason.strip() for reason in check.load_known().values())


def test_the_snapshot_is_the_recorded_file() -> None:
    assert check._check_snapshot() is None
    assert "prompt-layer-docs" in check.SOURCE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            lambda s: s["components"]["schemas"]["NodeResult"].update(required=["status"]),
            "get_execution_results 200 .*.status: required upstream False, here True",
        ),
        (
            lambda s: s["components"]["schemas"]["RunAgentResponse"]["properties"].pop("warning"),
            "run_agent 201 .warning: upstream only",
        ),
        (
            lambda s: s["components"]["schemas"]["AgentNode"]["properties"]["name"].update(
                type="integer"
            ),
            "get_agent 200 .nodes[].name: types upstream string, here integer",
        ),
        (
            lambda s: s["components"]["schemas"]["AgentVersion"]["properties"][
                "commit_message"
            ].update(type="string"),
            "get_agent 200 .commit_message: nullable upstream True, here False",
        ),
        (
            lambda s: s["paths"]["/workflows/{workflow_id_or_name}"]["get"]["responses"].pop("422"),
            "get_agent 422: documented upstream only",
        ),
        (
            lambda s: s["paths"]["/workflows/{workflow_id_or_name}"]["get"]["parameters"][1].update(
                required=True
            ),
            "get_agent parameter query version: required upstream False, here True",
        ),
    ],
)
def test_an_unexplained_difference_is_reported(change: Any, reported: str) -> None:
    ours = copy.deepcopy(OURS)
    change(ours)

    assert reported in _new(ours)


def test_a_listed_difference_that_is_gone_is_reported() -> None:
    known = {**check.load_known(), "get_agent 200 .imaginary: here only": "was once"}

    _, gone = check.report(check.differences(UPSTREAM, OURS), known)

    assert gone == ["get_agent 200 .imaginary: here only"]
