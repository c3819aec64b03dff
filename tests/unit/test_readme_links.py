"""The README is also the package index's page, where relative links lead nowhere."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_link_in_the_readme_is_absolute() -> None:
    targets = re.findall(r"\]\(([^)\s]+)\)", README.read_text(encoding="utf-8"))

    assert targets, "expected links in the README"
    assert [t for t in targets if not t.startswith(("https://", "http://", "#"))] == []
