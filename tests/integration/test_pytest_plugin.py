"""The pytest plugin as a user meets it: a test file of theirs, in an empty folder, run by pytest
with nothing but the installed package (the plugin comes through the pytest11 entry point)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..helpers import ROOT

USER_TESTS = ROOT / "tests" / "fixtures" / "user_service_tests.py"


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
    )


def test_a_users_test_file_passes_with_the_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_my_service.py").write_text(USER_TESTS.read_text(encoding="utf-8"))

    done = _pytest(tmp_path, "--strict-markers", "test_my_service.py")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout


def test_without_the_sandbox_extra_the_plugin_loads_and_the_fixture_says_what_is_missing(
    tmp_path: Path,
) -> None:
    # A conftest that makes starlette impossible to import, as in an install without the extra.
    (tmp_path / "conftest.py").write_text("import sys\nsys.modules['starlette'] = None\n")
    (tmp_path / "test_plain.py").write_text(
        "import sys\n"
        "def test_plain():\n"
        "    assert 'uvicorn' not in sys.modules\n"
        "def test_needs_it(promptlayer_sandbox):\n"
        "    pass\n"
    )

    done = _pytest(tmp_path, "test_plain.py")

    assert "1 passed" in done.stdout and "1 error" in done.stdout, done.stdout + done.stderr
    assert "promptlayer_sandbox needs the 'sandbox' extra (starlette is missing)" in done.stdout
