"""Client settings: explicit arguments first, then PROMPTLAYER_API_KEY / PROMPTLAYER_BASE_URL."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.promptlayer.com"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
API_KEY_ENV = "PROMPTLAYER_API_KEY"
BASE_URL_ENV = "PROMPTLAYER_BASE_URL"


@dataclass(frozen=True)
class Settings:
    """What every request needs. The key is left out of `repr`."""

    api_key: str = field(repr=False)
    base_url: str
    timeout: float
    max_retries: int


def resolve_settings(
    *,
    api_key: str | None,
    base_url: str | None,
    timeout: float,
    max_retries: int,
    environ: Mapping[str, str] = os.environ,
) -> Settings:
    """Settings from the arguments and the environment, checked."""
    key = api_key if api_key is not None else environ.get(API_KEY_ENV, "")
    if not isinstance(key, str) or not key.strip():
        raise ConfigurationError(f"no PromptLayer API key: pass api_key=... or set {API_KEY_ENV}")
    url = (base_url or environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"base_url must be an http(s) URL, not {url!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigurationError(f"timeout must be a number of seconds > 0, not {timeout!r}")
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries must be an int >= 0, not {max_retries!r}")
    return Settings(api_key=key, base_url=url, timeout=float(timeout), max_retries=max_retries)
