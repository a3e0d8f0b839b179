"""The `logging.Handler` that queues each record as a line. It never raises into the code
that logged, and never prints a traceback: a record it cannot encode is counted, skipped and
reported once in a while."""

from __future__ import annotations

import logging
import sys
import threading
from typing import Callable

from . import notices
from .lines import LineFormat

ERROR_NOTICE_SECONDS = 300.0


class LodestarHandler(logging.Handler):
    def __init__(
        self,
        line_format: LineFormat,
        put: Callable[[bytes], None],
        level: int,
        is_sender: Callable[[], bool],
    ):
        super().__init__(level)
        self._format = line_format
        self._put = put
        self._is_sender = is_sender
        self._busy = threading.local()
        self.errors = 0

    def handle(self, record: logging.LogRecord) -> bool:
        # `emit` is thread-safe by itself: no handler-wide lock, so one thread encoding a
        # large record never holds up another thread's logging.
        checked = self.filter(record)
        if isinstance(checked, logging.LogRecord):
            record = checked
        if checked:
            self.emit(record)
        return bool(checked)

    def emit(self, record: logging.LogRecord) -> None:
        # A record logged while a line is being made (a __repr__ that logs), or by the sender
        # itself, would loop.
        if getattr(self._busy, "active", False) or self._is_sender():
            return
        self._busy.active = True
        try:
            self._put(self._format.encode(record))
        except Exception:
            self.handleError(record)
        finally:
            self._busy.active = False

    def handleError(self, record: logging.LogRecord) -> None:
        self.errors += 1
        _, error, _ = sys.exc_info()
        notices.say_at_most_every(
            "emit",
            ERROR_NOTICE_SECONDS,
            f"skipped a record of logger {getattr(record, 'name', '?')!r} that could not be "
            f"encoded ({type(error).__name__}: {error}); {self.errors} skipped so far",
        )
