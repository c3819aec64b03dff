"""The package as a user gets it: built into a wheel and an sdist with the pinned build backend,
installed into a clean virtual environment."""

from __future__ import annotations

import email
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
    """(wheel, sdist), built by the build-system's own pinned backend."""
    tmp = tmp_path_factory.mktemp("build")
    tools = _venv(tmp / "tools")
    _run(tools / "pip", "install", "--quiet", *PROJECT["build-system"]["requires"], cwd=tmp)
    _run(tools / "python", "-m", "hatchling", "build", "-d", tmp / "dist", cwd=ROOT)
    (wheel,) = (tmp / "dist").glob("*.whl")
    (sdist,) = (tmp / "dist").glob("*.tar.gz")
    return wheel, sdist


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
