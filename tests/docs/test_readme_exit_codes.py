"""The README's command-line section says what scripts rely on: every exit code the command uses,
and the JSON shape of `run --json` and `results --json`. These tests keep it true."""

from __future__ import annotations

import json
import re

import jsonschema  # type: ignore[import-untyped]  # no stubs pinned: used by tests alone

from promptlayer_agents.cli import _common
from promptlayer_agents.cli._main import parser

from ..helpers import ROOT

SECTION = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Command line\n", 1)[1]
SECTION = SECTION.split("\n## ", 1)[0]


def _readme_exit_codes() -> dict[int, str]:
    table = SECTION.split("| exit code | meaning |", 1)[1]
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", table.split("\n\n", 1)[0], flags=re.MULTILINE)
    return {int(code): meaning for code, meaning in rows}


def test_the_readme_lists_every_exit_code_the_command_has() -> None:
    constants = {
        value
        for name, value in vars(_common).items()
        if name.startswith("EXIT_") and isinstance(value, int)
    }

    assert set(_readme_exit_codes()) == set(_common.EXIT_MEANINGS) == constants


def test_help_lists_every_exit_code() -> None:
    shown = parser().format_help()

    for code, meaning in _common.EXIT_MEANINGS.items():
        assert f"  {code:<4} {meaning}" in shown


def test_the_readme_json_example_has_the_schema_shape() -> None:
    schema = json.loads((ROOT / "docs" / "result.schema.json").read_text(encoding="utf-8"))
    (example,) = re.findall(r"```json\n(.*?)```", SECTION, flags=re.DOTALL)

    jsonschema.Draft202012Validator(schema).validate(json.loads(example))
    assert "docs/result.schema.json" in SECTION
