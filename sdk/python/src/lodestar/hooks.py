"""Uncaught exceptions: `sys.excepthook` and `threading.excepthook` are wrapped so that the
exception is sent (with its traceback) and flushed before the previous hook prints it as
usual."""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any, Callable

from .lines import qualified_name, safe_str

# The logger name uncaught exceptions are reported under.
LOGGER = "uncaught"


def describe(error: BaseException) -> str:
    """`ZeroDivisionError: division by zero`, as the last line of a traceback reads."""
    kind = qualified_name(type(error))
    text = safe_str(error)
    return f"{kind}: {text}" if text else kind


def exception_record(
    error: BaseException,
    level: int = logging.ERROR,
    message: str | None = None,
    logger: str = LOGGER,
) -> logging.LogRecord:
    """A record of `error` with its traceback, as `logger.exception` would make it, placed
    where the exception was raised."""
    tb = error.__traceback__
    last = tb
    while last is not None and last.tb_next is not None:
        last = last.tb_next
    code = last.tb_frame.f_code if last is not None else None
    return logging.LogRecord(
        name=logger,
        level=level,
        pathname=code.co_filename if code else "",
        lineno=last.tb_lineno if last is not None else 0,
        msg=describe(error) if message is None else message,
        args=None,
        exc_info=(type(error), error, tb),
        func=code.co_name if code else None,
    )


class UncaughtHooks:
    def __init__(
        self,
        capture: Callable[[logging.LogRecord], None],
        flush: Callable[[float], bool],
        flush_timeout: float,
        ignore_thread: Callable[[Any], bool],
    ):
        self._capture = capture
        self._flush = flush
        self._flush_timeout = flush_timeout
        self._ignore_thread = ignore_thread
        self._active = False
        self._previous_sys: Callable[..., Any] = sys.excepthook
        self._previous_thread: Callable[..., Any] = threading.excepthook

    def install(self) -> None:
        self._previous_sys = sys.excepthook
        self._previous_thread = threading.excepthook
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook
        self._active = True

    def uninstall(self) -> None:
        """Puts the previous hooks back; if another library wrapped ours since, ours stays in
        its chain but only passes the exception on."""
        self._active = False
        if sys.excepthook == self._sys_hook:
            sys.excepthook = self._previous_sys
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self._previous_thread

    def _sys_hook(self, kind: type, error: BaseException, tb: Any) -> None:
        if self._active and not issubclass(kind, KeyboardInterrupt):
            self._report(error, tb, logging.CRITICAL, f"Uncaught {describe(error)}")
        self._previous_sys(kind, error, tb)

    def _thread_hook(self, args: Any) -> None:
        thread = args.thread
        if (
            self._active
            and args.exc_value is not None
            and not issubclass(args.exc_type, SystemExit)
            and not self._ignore_thread(thread)
        ):
            name = getattr(thread, "name", "?")
            message = f"Uncaught exception in thread {name}: {describe(args.exc_value)}"
            self._report(args.exc_value, args.exc_traceback, logging.ERROR, message, name)
        self._previous_thread(args)

    def _report(
        self,
        error: BaseException,
        tb: Any,
        level: int,
        message: str,
        thread_name: str | None = None,
    ) -> None:
        try:
            if tb is not None and error.__traceback__ is None:
                error = error.with_traceback(tb)
            record = exception_record(error, level, message)
            if thread_name is not None:
                record.thread_name = thread_name
            self._capture(record)
            self._flush(self._flush_timeout)
        except Exception:
            pass
