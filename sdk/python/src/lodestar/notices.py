"""The SDK's own messages: one `lodestar: ...` line on stderr each, never through `logging`
(a line about sending would otherwise be sent, and could loop)."""

from __future__ import annotations

import sys
import threading
import time

_lock = threading.Lock()
_last_said: dict[str, float] = {}


def say(message: str) -> None:
    """Writes one line to stderr; never raises (stderr may be closed at exit)."""
    try:
        stream = sys.stderr
        if stream is None:
            return
        stream.write(f"lodestar: {message}\n")
        stream.flush()
    except Exception:
        pass


def say_at_most_every(topic: str, seconds: float, message: str) -> bool:
    """`say(message)` unless a message on `topic` was said less than `seconds` ago."""
    now = time.monotonic()
    with _lock:
        last = _last_said.get(topic)
        if last is not None and now - last < seconds:
            return False
        _last_said[topic] = now
    say(message)
    return True


def forget(topic: str) -> None:
    """Lets the next message on `topic` through at once (an outage ended, a client restarted)."""
    with _lock:
        _last_said.pop(topic, None)


def reset() -> None:
    """A new client starts with every topic allowed again."""
    with _lock:
        _last_said.clear()
