"""Waiting for something the SDK does in its own thread."""

from __future__ import annotations

import time
from typing import Callable


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """True as soon as `check()` is; False if it still is not after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
