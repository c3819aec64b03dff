"""Agent names in request paths: read from the raw path, one percent-encoded segment, so a name
with `/`, `?`, `#` or a newline in it reaches its agent just as with PromptLayer."""

from __future__ import annotations

from urllib.parse import unquote

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request


class _Anything(Convertor[str]):
    """A path remainder that may hold any character, newlines too (`path` stops at them)."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anything", _Anything())


def agent_segment(request: Request) -> tuple[str, str] | None:
    """(agent name, "run" or "") from the raw path /workflows/<segment>[/run]."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    parts = raw.split(b"?", 1)[0].decode("latin-1").split("/")
    if len(parts) == 3 and parts[1] == "workflows" and parts[2]:
        return unquote(parts[2]), ""
    if len(parts) == 4 and parts[1] == "workflows" and parts[2] and parts[3] == "run":
        return unquote(parts[2]), "run"
    return None
