"""mypy --strict on typical user code: every field of a definition and a result reads with a
precise type (no Any, no Unset, nothing imported from the generated package), and `label=` with
`version=` is a type error on every method that takes them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "typing_user"


def _mypy(path: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """mypy --strict on one file, from a directory with no configuration of its own."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--show-error-codes",
            "--cache-dir",
            str(tmp_path / "cache"),
            *extra,
            str(path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy")


def test_reading_a_definition_and_a_result_needs_no_cast_or_generated_import(tmp: Path) -> None:
    source = HERE / "reads.py"
    text = source.read_text(encoding="utf-8")
    assert "promptlayer_agents_api" not in text
    assert not re.search(r"\b(cast|isinstance|Any|Unset)\b", text)
    # --disallow-any-expr: no expression the user writes has the type Any.
    checked = _mypy(source, tmp, "--disallow-any-expr")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_label_with_version_is_a_type_error(tmp: Path) -> None:
    source = HERE / "label_and_version.py"
    expected = [
        number
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1)
        if line.endswith("# error")
    ]
    checked = _mypy(source, tmp)
    errors = re.findall(
        r"^[^:]+:(\d+): error: No overload variant of \"(\w+)\"", checked.stdout, re.M
    )
    assert sorted(int(line) for line, _ in errors) == expected, checked.stdout
    assert {name for _, name in errors} == {"run", "run_and_wait", "get"}
    assert checked.stdout.count(": error:") == len(expected), checked.stdout
