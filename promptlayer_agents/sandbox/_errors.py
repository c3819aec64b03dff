"""The sandbox's error answers, in the API's shapes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

Issue = tuple[list[str | int], str, str]
"""One validation problem: (location, message, type), as FastAPI reports it."""


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """An error in PromptLayer's form: `{"success": false, "message": ...}`."""
    body = {"success": False, "message": message, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


def invalid(*issues: Issue) -> JSONResponse:
    """422 in FastAPI's form: a list of (location, message, type)."""
    detail = [{"loc": loc, "msg": msg, "type": kind} for loc, msg, kind in issues]
    return JSONResponse({"detail": detail}, status_code=422)
