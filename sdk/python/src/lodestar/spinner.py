"""Shows that the CLI is waiting: a spinner on a terminal, nothing at all otherwise, so that
logs of CI runs and scripts stay readable."""

from __future__ import annotations

import time
from typing import TextIO

FRAME_SECONDS = 0.1


class Waiting:
    def __init__(self, stream: TextIO, label: str):
        self._stream = stream
        self._label = label
        self._frame = 0
        self._drawn = False
        try:
            self.animated = stream.isatty()
        except (AttributeError, ValueError):
            self.animated = False
        encoding = (getattr(stream, "encoding", None) or "").lower()
        self._frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏" if encoding.startswith("utf") else "|/-\\"

    def sleep(self, seconds: float) -> None:
        if not self.animated:
            time.sleep(seconds)
            return
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            frame = self._frames[self._frame % len(self._frames)]
            self._frame += 1
            self._stream.write(f"\r{frame} {self._label}")
            self._stream.flush()
            self._drawn = True
            time.sleep(min(FRAME_SECONDS, left))

    def clear(self) -> None:
        if self._drawn:
            self._stream.write("\r\033[K")
            self._stream.flush()
            self._drawn = False
