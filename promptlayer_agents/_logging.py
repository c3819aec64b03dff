"""Logging switched on from the environment: `PROMPTLAYER_LOG=debug` or `info` sends the package's
log messages (and httpx's request lines) to stderr, with no code, as `OPENAI_LOG` does for
openai-python. Without it the package logs to a NullHandler and leaves output to the application.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Mapping

from ._config import API_KEY_ENV

LOG_ENV = "PROMPTLAYER_LOG"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
LOGGERS = ("promptlayer_agents", "httpx")  # httpx logs each request at INFO
HANDLER_NAME = "PROMPTLAYER_LOG"
"""The name of the handler this module adds: the command line replaces it with its own."""


class _MaskKey(logging.Filter):
    """Masks the key from the environment in every message the handler prints: the package
    masks its own messages, but httpx's and a user's own may carry it."""

    def __init__(self, key: str) -> None:
        from ._secrets import Secrets

        super().__init__()
        self._secrets = Secrets.of([key])

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self._secrets.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def level_from_environment(environ: Mapping[str, str] = os.environ) -> int | None:
    """The level `PROMPTLAYER_LOG` asks for, or None when it is unset. Any other value is
    ignored with a warning naming the accepted ones."""
    value = environ.get(LOG_ENV, "").strip().lower()
    if not value:
        return None
    if value not in LEVELS:
        warnings.warn(f"{LOG_ENV}={value!r} is ignored: use {' or '.join(LEVELS)}", stacklevel=2)
        return None
    return LEVELS[value]


def log_from_environment(environ: Mapping[str, str] = os.environ) -> None:
    """Send the package's logging to stderr at the level `PROMPTLAYER_LOG` names, once."""
    level = level_from_environment(environ)
    if level is None:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
    handler.addFilter(_MaskKey(environ.get(API_KEY_ENV, "").strip()))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(h.get_name() == HANDLER_NAME for h in logger.handlers):
            logger.addHandler(handler)
        logger.setLevel(level)
