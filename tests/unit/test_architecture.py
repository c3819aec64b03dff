"""The claims of docs/architecture.md that a test can check: every file and every `module.name` it
names exists; every default of the client core is in `_config.py`; the decisions take time,
pauses and chance from `_clock.py`; each command module registers itself as the document says."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import promptlayer_agents

ROOT = Path(__file__).parents[2]
PACKAGE = Path(promptlayer_agents.__file__).parent
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
CODE_SPANS = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", DOC, flags=re.DOTALL))


def _named_files() -> list[str]:
    """Each path the document names: `x.py` in the package or its folders, or from the root
    (`cli/_name.py` is the document's placeholder for a new command)."""
    pattern = r"[\w/.]+\.(py|md|yaml|jinja)"
    names = {span for span in CODE_SPANS if re.fullmatch(pattern, span)} - {"cli/_name.py"}
    assert len(names) > 20
    return sorted(names)


@pytest.mark.parametrize("name", _named_files())
def test_every_file_the_document_names_exists(name: str) -> None:
    places = [ROOT / name, PACKAGE / name, PACKAGE / "cli" / name, PACKAGE / "sandbox" / name]
    places.append(ROOT / "tests" / "unit" / name)
    assert any(place.is_file() for place in places), name


def _named_attributes() -> list[str]:
    """Each `module.name` the document names, for the package's own modules."""
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    found = set()
    for span in CODE_SPANS:
        match = re.fullmatch(r"(_?[a-z_]+)\.([A-Za-z_]\w*)(?:\(.*\))?", span)
        if match and match.group(1) in modules and match.group(2) not in ("py", "md"):
            found.add(f"{match.group(1)}.{match.group(2)}")
    assert len(found) > 5
    return sorted(found)


@pytest.mark.parametrize("name", _named_attributes())
def test_every_function_or_type_the_document_names_exists(name: str) -> None:
    module, attribute = name.split(".")
    assert hasattr(importlib.import_module(f"promptlayer_agents.{module}"), attribute), name


# The client core: each module that makes a decision about requests, answers or waiting.
CORE = ["_facade", "_flows", "_http", "_inputs", "_operations", "_polling", "_results", "_retries"]


def _numeric_constants(module: str) -> list[str]:
    """Module-level names bound to a number (a default, if anything)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if isinstance(value, ast.Constant | ast.BinOp) and any(
            isinstance(c, ast.Constant) and type(c.value) in (int, float) for c in ast.walk(value)
        ):
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


@pytest.mark.parametrize("module", CORE)
def test_every_default_of_the_client_core_is_in_config(module: str) -> None:
    """'every default ... | `_config.py`': no number of its own in any other core module."""
    assert _numeric_constants(module) == []
    assert len(_numeric_constants("_config")) >= 10


@pytest.mark.parametrize("module", ["_flows", "_polling", "_retries", "_results", "rules"])
def test_the_decisions_take_time_and_chance_from_the_clock(module: str) -> None:
    """'time, pauses and randomness every decision uses | `_clock.py`'."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"time", "random", "asyncio"}


def test_each_command_module_registers_as_the_document_says() -> None:
    """'A module `cli/_name.py` with `add_command(...)` (or `add_commands`)', registered in
    `cli/_main.py`; the modules that serve the commands are the ones the document names."""
    main = (PACKAGE / "cli" / "_main.py").read_text(encoding="utf-8")
    helpers = {"_main", "_common", "_terminal", "_ledger", "__init__"}
    for path in sorted((PACKAGE / "cli").glob("_*.py")):
        if path.stem in helpers:
            continue
        text = path.read_text(encoding="utf-8")
        register = "add_commands" if "def add_commands(" in text else "add_command"
        assert f"def {register}(" in text, path.name
        assert f"{path.stem}.{register}(commands" in main, path.name
