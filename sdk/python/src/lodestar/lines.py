"""A `logging.LogRecord` as a line of `POST /ingest` (docs/ingest.md), encoded once, in the
thread that logged it, so the line holds the values of that moment.

Every line is made acceptable to the server before it is queued: one line the server
refuses would refuse its whole batch."""

from __future__ import annotations

import datetime
import json
import logging
import math
import traceback
from typing import Any

from .config import MAX_ENVIRONMENT, MAX_RELEASE, MAX_SERVICE

# What a LogRecord holds of its own; anything else on it came from `extra=`.
STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
MAX_TRACE_ID = 64
# The server keeps this many bytes of a message and of the attributes as JSON; the SDK cuts
# before sending, as the server would, with a margin for how the two write JSON.
MAX_MESSAGE_BYTES = 65536
MAX_ATTRIBUTES_BYTES = 32768 - 1024
# When the attributes are too large, longer texts are cut to this many characters first.
LONG_TEXT_CHARS = 8192
# Nested values deeper than this are written as their repr.
MAX_DEPTH = 8
# Extras that set the line's own fields rather than becoming attributes.
LINE_FIELDS = {
    "service": MAX_SERVICE,
    "environment": MAX_ENVIRONMENT,
    "release": MAX_RELEASE,
    "trace_id": MAX_TRACE_ID,
}
# Attributes kept when the others must go to fit the size limit.
ESSENTIAL_ATTRIBUTES = ("logger", "exception.type", "exception.message", "exception.stacktrace")

ExcInfo = tuple[Any, Any, Any]


def level_name(levelno: int) -> str:
    """The server's level for a Python level number: custom levels fall in the band below."""
    if levelno >= logging.CRITICAL:
        return "fatal"
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warn"
    if levelno >= logging.INFO:
        return "info"
    if levelno >= logging.DEBUG:
        return "debug"
    return "trace"


class LineFormat:
    """Turns records into encoded lines with the client's service, environment and release."""

    def __init__(self, service: str, environment: str | None, release: str | None):
        self.fields: dict[str, Any] = {"service": service}
        if environment:
            self.fields["environment"] = environment
        if release:
            self.fields["release"] = release

    def encode(self, record: logging.LogRecord) -> bytes:
        return encode(self.line(record))

    def line(self, record: logging.LogRecord) -> dict[str, Any]:
        line: dict[str, Any] = {
            "timestamp": record.created,
            "level": level_name(record.levelno),
            "message": "",
        }
        line.update(self.fields)
        attributes: dict[str, Any] = {"logger": record.name}
        message = record_message(record, attributes)
        for name, value in record.__dict__.items():
            if name in STANDARD_ATTRIBUTES:
                continue
            limit = LINE_FIELDS.get(name)
            if limit is not None:
                if value is not None:
                    line[name] = safe_str(value)[:limit]
                continue
            attributes[name] = json_safe(value)
        if record.exc_info:
            attributes.update(exception_attributes(record.exc_info))
        if record.stack_info:
            attributes["stack_info"] = record.stack_info
        line["message"] = cut_message(message, attributes)
        line["extra"] = fit_attributes(attributes)
        return line


def record_message(record: logging.LogRecord, attributes: dict[str, Any]) -> str:
    """`record.getMessage()`, or the unformatted message when its arguments do not fit it."""
    try:
        return record.getMessage()
    except Exception as e:
        attributes["message_args"] = safe_repr(record.args)
        attributes["message_error"] = f"{type(e).__name__}: {safe_str(e)}"
        return safe_str(record.msg)


def exception_attributes(exc_info: ExcInfo) -> dict[str, str]:
    kind, value, tb = exc_info
    if kind is None:
        return {}
    try:
        stacktrace = "".join(traceback.format_exception(kind, value, tb))
    except Exception:
        stacktrace = (
            f"{qualified_name(kind)}: {safe_str(value)}\n(the traceback could not be formatted)"
        )
    return {
        "exception.type": qualified_name(kind),
        "exception.message": safe_str(value),
        "exception.stacktrace": stacktrace,
    }


def qualified_name(kind: type) -> str:
    module = getattr(kind, "__module__", None)
    name = getattr(kind, "__qualname__", None) or getattr(kind, "__name__", repr(kind))
    if module in (None, "builtins", "__builtin__"):
        return name
    return f"{module}.{name}"


def json_safe(value: Any, depth: int = 0) -> Any:
    """`value` as JSON can hold it: containers walked, times as ISO 8601, NaN and infinities as
    text, anything else as its repr."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= MAX_DEPTH:
        return safe_repr(value)
    if isinstance(value, dict):
        return {safe_str(k): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return [json_safe(v, depth + 1) for v in sorted(value, key=safe_repr)]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return safe_repr(value)


def safe_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:
        return safe_repr(value)


def safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return f"<{type(value).__name__} that cannot be shown>"


def cut_message(message: str, attributes: dict[str, Any]) -> str:
    """At most MAX_MESSAGE_BYTES of UTF-8, cut at a character, as the server would cut it."""
    if len(message) * 4 <= MAX_MESSAGE_BYTES:
        return message
    data = message.encode("utf-8", "replace")
    if len(data) <= MAX_MESSAGE_BYTES:
        return message
    attributes["message_truncated"] = len(data)
    return data[:MAX_MESSAGE_BYTES].decode("utf-8", "ignore")


def fit_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """The attributes within the server's limit: long texts cut first (a stack trace keeps its
    end, where the error is), then, if still too large, only the essential ones kept and
    `attributes_truncated` telling the original size."""
    size = encoded_size(attributes)
    if size <= MAX_ATTRIBUTES_BYTES:
        return attributes
    fitted = {name: cut_long_text(name, value) for name, value in attributes.items()}
    if encoded_size(fitted) <= MAX_ATTRIBUTES_BYTES:
        fitted["attributes_truncated"] = size
        return fitted
    kept = {name: fitted[name] for name in ESSENTIAL_ATTRIBUTES if name in fitted}
    kept["attributes_truncated"] = size
    return kept


def cut_long_text(name: str, value: Any) -> Any:
    if not isinstance(value, str) or len(value) <= LONG_TEXT_CHARS:
        return value
    if name == "exception.stacktrace":
        return "…" + value[-LONG_TEXT_CHARS:]
    return value[:LONG_TEXT_CHARS] + "…"


def encoded_size(value: Any) -> int:
    return len(encode(value))


def encode(value: Any) -> bytes:
    """Compact UTF-8 JSON. Lone surrogates (from undecodable file names) become `?`: the
    server would refuse the JSON otherwise."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")
