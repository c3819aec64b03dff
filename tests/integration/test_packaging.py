"""The package as a user gets it: built into a wheel and an sdist with the pinned build backend,
installed into a clean virtual environment."""

from __future__ import annotations

import email
import shlex
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _venv(path: Path) -> Path:
    """A fresh virtual environment; answers its bin directory."""
    _run(sys.executable, "-m", "venv", path, cwd=path.parent)
    return path / "bin"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, sdist), built by `make dist` as a user builds them."""
    dist = tmp_path_factory.mktemp("build") / "dist"
    _run("make", "--no-print-directory", "dist", f"DIST={dist}", cwd=ROOT)
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    return wheel, sdist


def test_make_dist_builds_with_the_backend_the_build_system_names() -> None:
    """`make dist` runs the dev extra's hatchling: the same pin as [build-system] requires."""
    (backend,) = PROJECT["build-system"]["requires"]
    assert backend in PROJECT["project"]["optional-dependencies"]["dev"]
    assert backend in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()


def test_make_demo_and_dist_need_python_alone() -> None:
    """Only the targets that run Node tools (Redocly, Prism) install node_modules."""
    for target, needs_node in [("demo", False), ("dist", False), ("lint-spec", True)]:
        plan = _run("make", "--no-print-directory", "-n", "-B", target, cwd=ROOT)
        assert ("npm ci" in plan) is needs_node, (target, plan)


def test_the_wheel_carries_the_license_and_the_metadata(built: tuple[Path, Path]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(archive.read(metadata_name))
        (license_name,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        license_text = archive.read(license_name).decode()

    assert license_text.startswith("MIT License")
    assert metadata["Version"] == PROJECT["project"]["version"]
    assert metadata["License-Expression"] == "MIT"
    classifiers = metadata.get_all("Classifier") or []
    for minor in (11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert any(url.startswith("Source, https://") for url in metadata.get_all("Project-URL") or [])


def test_the_sdist_carries_the_license_and_the_changelog(built: tuple[Path, Path]) -> None:
    _, sdist = built
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}

    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= names


def test_installed_from_the_wheel_every_version_is_the_distributions(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    wheel, _ = built
    version = PROJECT["project"]["version"]
    clean = _venv(tmp_path / "clean")
    _run(clean / "pip", "install", "--quiet", wheel, cwd=tmp_path)

    shown = [
        _run(clean / "promptlayer-agents", "--version", cwd=tmp_path),
        _run(clean / "python", "-m", "promptlayer_agents", "--version", cwd=tmp_path),
        _run(
            clean / "python",
            "-c",
            "import importlib.metadata as m, promptlayer_agents as p;"
            "print(p.__version__, m.version('promptlayer-agents'))",
            cwd=tmp_path,
        ),
    ]

    assert shown == [
        f"promptlayer-agents {version}\n",
        f"promptlayer-agents {version}\n",
        f"{version} {version}\n",
    ]


def _install_line() -> list[str]:
    """The README's line that installs from a clone, as words (its comment left out)."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Install\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    (line,) = [line for line in block.splitlines() if "in the clone" in line]
    return shlex.split(line, comments=True)


def test_the_readme_install_line_works_whatever_the_clone_is_called(tmp_path: Path) -> None:
    clone = tmp_path / "my checkout (renamed)"
    shutil.copytree(
        ROOT,
        clone,
        # __pycache__ too: another test's subprocess may be writing there while this one copies
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "mutants", ".*cache", "__pycache__"
        ),
    )
    pip, install, *targets = _install_line()
    assert (pip, install) == ("pip", "install")

    # What pip would install from there (the backend from this venv: no network needed).
    plan = _run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--no-deps",
        "--no-build-isolation",
        *targets,
        cwd=clone,
    )

    assert f"Would install promptlayer-agents-{PROJECT['project']['version']}" in plan
