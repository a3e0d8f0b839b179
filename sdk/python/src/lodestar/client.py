"""The client `lodestar.init()` starts: the root logger's handler, the queue, the sender
thread and the uncaught-exception hooks, and the module's one current client."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
import threading
from dataclasses import dataclass, fields
from typing import Any

from . import config, notices
from .buffer import Buffer
from .handler import LodestarHandler
from .hooks import UncaughtHooks, exception_record
from .lines import LineFormat
from .worker import Sender

MAX_BATCH_LINES = 10_000  # the server's limit per request


@dataclass(frozen=True)
class Options:
    """The advanced settings of `init(**advanced)`."""

    batch_size: int = 100
    flush_interval: float = 5.0
    max_queue: int = 10_000
    shutdown_timeout: float = 5.0
    request_timeout: float = 10.0
    capture_uncaught: bool = True
    config_path: str | None = None

    @classmethod
    def of(cls, advanced: dict[str, Any]) -> Options:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(advanced) - known)
        if unknown:
            raise TypeError(
                f"lodestar.init() got unknown option(s) {', '.join(unknown)}; "
                f"the options are {', '.join(sorted(known))}"
            )
        options = cls(**advanced)
        options._check()
        return options

    def _check(self) -> None:
        def number(name: str, minimum: float, whole: bool, maximum: float | None = None):
            value = getattr(self, name)
            kinds = (int,) if whole else (int, float)
            if isinstance(value, bool) or not isinstance(value, kinds):
                raise config.ConfigError(f"{name} must be a number, not {value!r}")
            if value < minimum or (maximum is not None and value > maximum):
                upper = f" and at most {maximum}" if maximum is not None else ""
                raise config.ConfigError(f"{name} must be at least {minimum}{upper}, not {value}")

        number("batch_size", 1, True, MAX_BATCH_LINES)
        number("max_queue", 1, True)
        number("flush_interval", 0.01, False)
        number("shutdown_timeout", 0, False)
        number("request_timeout", 0.1, False)


class Client:
    def __init__(
        self,
        connection: config.Connection,
        service: str,
        environment: str | None,
        release: str | None,
        level: int,
        options: Options,
    ):
        self.connection = connection
        self.service = service
        self.level = level
        self.options = options
        self._closed = False
        self._format = LineFormat(service, environment, release)
        self._start_lock = threading.Lock()
        self._new_sender()
        self.handler = LodestarHandler(self._format, self.put, level, self._in_sender)
        self.hooks: UncaughtHooks | None = None
        if options.capture_uncaught:
            self.hooks = UncaughtHooks(
                self.capture, self.flush, options.shutdown_timeout, self._is_sender_thread
            )
        self._root_level_was: int | None = None

    def start(self) -> None:
        root = logging.getLogger()
        if root.getEffectiveLevel() > self.level:
            self._root_level_was = root.level
            root.setLevel(self.level)
        root.addHandler(self.handler)
        if self.hooks:
            self.hooks.install()
        self._start_sender()

    def put(self, line: bytes) -> None:
        if not self._sender_started:
            self._start_sender()
        self.buffer.put(line)

    def capture(self, record: logging.LogRecord) -> None:
        """Queues `record` whatever its level, outside the logging tree: nothing else prints it."""
        if self._closed:
            return
        try:
            self.put(self._format.encode(record))
        except Exception:
            self.handler.handleError(record)

    def flush(self, timeout: float | None = None) -> bool:
        if self._in_sender():
            return False
        return self.buffer.flush(timeout)

    def shutdown(self, timeout: float | None) -> bool:
        """Stops taking lines, sends what is queued (for at most `timeout` seconds), stops the
        thread and says how many lines could not be sent."""
        if self._closed:
            return True
        self._closed = True
        root = logging.getLogger()
        root.removeHandler(self.handler)
        if self._root_level_was is not None and root.level == self.level:
            root.setLevel(self._root_level_was)
        if self.hooks:
            self.hooks.uninstall()
        self.buffer.close()
        sent_all = self.flush(timeout)
        failed_before = self.buffer.failed
        self.sender.stop(timeout=1.0)
        self.buffer.abandon()
        lost = self.buffer.failed - failed_before
        if lost:
            notices.say(f"{lost} lines were not sent to {self.connection.url} before shutdown")
        if self.buffer.dropped:
            notices.say(f"{self.buffer.dropped} lines were dropped in all: the queue was full")
        return sent_all and not lost

    def stats(self) -> dict[str, int]:
        return {
            "sent": self.buffer.sent,
            "dropped": self.buffer.dropped,
            "queued": self.buffer.queued(),
            "failed": self.buffer.failed,
            "failed_batches": self.sender.failed_batches,
            "retries": self.sender.retries,
            "batches": self.sender.batches,
            "errors": self.handler.errors,
        }

    def after_fork_in_child(self) -> None:
        """A forked child has the parent's queue (with a lock perhaps held) but not its
        thread: it starts over with an empty queue and starts a sender when it first logs."""
        self._start_lock = threading.Lock()
        self._new_sender()

    def _new_sender(self) -> None:
        options = self.options
        self.buffer = Buffer(options.max_queue, options.batch_size)
        self.sender = Sender(
            self.buffer,
            self.connection.url,
            self.connection.api_key,
            options.batch_size,
            options.flush_interval,
            options.request_timeout,
        )
        self._sender_started = False

    def _start_sender(self) -> None:
        with self._start_lock:
            if not self._sender_started and not self._closed:
                self.sender.start()
                self._sender_started = True

    def _in_sender(self) -> bool:
        return self.sender.is_current()

    def _is_sender_thread(self, thread: Any) -> bool:
        return thread is self.sender.thread


_lock = threading.RLock()
_current: Client | None = None
# The last client, kept after shutdown so that its final stats can still be read.
_last: Client | None = None
_process_hooks_installed = False


def init(
    api_key: str | None = None,
    dsn: str | None = None,
    service: str | None = None,
    environment: str | None = None,
    release: str | None = None,
    level: int = logging.INFO,
    **advanced: Any,
) -> Client:
    """Starts sending the root logger's records to Lodestar; see docs/sdk-python.md.

    Raises `lodestar.ConfigError` (a ValueError) when the key is missing or is not an API key,
    and TypeError for an unknown option. A second call replaces the first client."""
    global _current, _last
    options = Options.of(advanced)
    connection = config.resolve_connection(api_key, dsn, options.config_path)
    service = (
        config.checked_text(
            service or os.environ.get("LODESTAR_SERVICE"), "service", config.MAX_SERVICE
        )
        or config.script_name()[: config.MAX_SERVICE]
    )
    environment = config.checked_text(
        environment if environment is not None else os.environ.get("LODESTAR_ENVIRONMENT"),
        "environment",
        config.MAX_ENVIRONMENT,
    )
    release = config.checked_text(
        release if release is not None else os.environ.get("LODESTAR_RELEASE"),
        "release",
        config.MAX_RELEASE,
    )
    if isinstance(level, str):
        level = logging.getLevelName(level.upper())
    if not isinstance(level, int) or isinstance(level, bool):
        raise config.ConfigError(
            f"level must be a logging level such as logging.INFO, not {level!r}"
        )
    client = Client(connection, service, environment, release, level, options)
    with _lock:
        _install_process_hooks()
        previous, _current = _current, None
        if previous is not None:
            previous.shutdown(previous.options.shutdown_timeout)
        notices.reset()
        client.start()
        _current = _last = client
    where = f', environment "{environment}"' if environment else ""
    notices.say(f'sending logs to {connection.url} as service "{client.service}"{where}')
    return client


def flush(timeout: float | None = None) -> bool:
    """Blocks until every line queued so far is sent, or `timeout` seconds pass; True if all
    were sent (also when there is nothing to send or no client)."""
    client = _current
    return True if client is None else client.flush(timeout)


def shutdown(timeout: float | None = 5.0) -> bool:
    """Flushes (for at most `timeout` seconds), stops the sender and removes the handler."""
    global _current
    with _lock:
        client, _current = _current, None
    return True if client is None else client.shutdown(timeout)


def stats() -> dict[str, int]:
    """Counters of the current (or last) client: sent, dropped, queued, failed,
    failed_batches, retries, batches, errors."""
    client = _current or _last
    if client is None:
        return dict.fromkeys(
            (
                "sent",
                "dropped",
                "queued",
                "failed",
                "failed_batches",
                "retries",
                "batches",
                "errors",
            ),
            0,
        )
    return client.stats()


def capture_exception(error: BaseException | None = None, level: int = logging.ERROR) -> None:
    """Sends `error` (default: the exception being handled) with its traceback."""
    client = _current
    if client is None:
        return
    if error is None:
        error = sys.exc_info()[1]
        if error is None:
            return
    with contextlib.suppress(Exception):
        client.capture(exception_record(error, level, logger="capture_exception"))


def _at_exit() -> None:
    client = _current
    if client is not None:
        shutdown(client.options.shutdown_timeout)


def _after_fork_in_child() -> None:
    client = _current
    if client is not None:
        client.after_fork_in_child()


def _install_process_hooks() -> None:
    global _process_hooks_installed
    if _process_hooks_installed:
        return
    _process_hooks_installed = True
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
