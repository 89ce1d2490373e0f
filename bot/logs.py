"""Logging for operators: one line per record, the bot token never shown at any level (not in
python-telegram-bot's or httpx's own DEBUG lines, not in tracebacks)."""

from __future__ import annotations

import json
import logging
import re
import time

# Anything shaped like a bot token (<bot id>:<secret>), wherever it appears, for example in a URL.
TOKEN_SHAPE = re.compile(r"\b\d{3,}:[A-Za-z0-9_-]{8,}")
HIDDEN = "<token>"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("text", "json")
# Every secret `hide` was given, for every formatter.
_secrets: set[str] = set()


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then hides every secret it knows and anything shaped like a token."""

    def __init__(self, fmt: str | None = None) -> None:
        super().__init__(fmt)
        self.secrets = _secrets

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        return TOKEN_SHAPE.sub(HIDDEN, text)


class JsonFormatter(RedactingFormatter):
    """One JSON object per line, for log shippers: time (UTC), level, logger, message and, for
    an error, its traceback; secrets hidden as in the text format."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


_formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
_json_formatter = JsonFormatter()
_handler = logging.StreamHandler()
_handler.setFormatter(_formatter)


def configure_logging(level: str, log_format: str = "text") -> None:
    """Every logger writes through one handler whose formatter hides secrets."""
    _handler.setFormatter(_json_formatter if log_format == "json" else _formatter)
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; at DEBUG an operator asked for it (the token hidden).
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    if root.level <= logging.DEBUG:
        for noisy in ("httpx", "httpcore"):
            logging.getLogger(noisy).setLevel(logging.DEBUG)


def hide(secret: str) -> None:
    """From now on, this string never appears in a log line."""
    if secret:
        _secrets.add(secret)
