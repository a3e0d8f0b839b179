"""The lines waiting to be sent: bounded, dropping the oldest when full, and able to tell a
`flush()` when everything queued before it has been sent (or lost)."""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass

from . import notices

# (sequence number, when queued on the monotonic clock, the encoded line)
Entry = tuple[int, float, bytes]

# How often the "dropped lines" notice may repeat.
DROP_NOTICE_SECONDS = 30.0


@dataclass
class _Waiter:
    """A flush waiting for every line up to `last` to be settled."""

    last: int
    all_sent: bool = True


class Buffer:
    def __init__(self, max_lines: int, batch_lines: int):
        self.max_lines = max_lines
        # Lines that make a batch: the sender is woken when that many are queued.
        self._wake_at = min(batch_lines, max_lines)
        self._entries: collections.deque[Entry] = collections.deque()
        self._cond = threading.Condition(threading.Lock())
        self._next = 1
        # The batch the sender is delivering: older than every entry still queued.
        self._in_flight: list[Entry] = []
        self._waiters: list[_Waiter] = []
        self._closing = False
        # Set once the sender is gone: a late answer no longer counts.
        self._abandoned = False
        self.sent = 0
        self.dropped = 0
        self.failed = 0

    # The host's side.

    def put(self, line: bytes) -> None:
        dropped = 0
        with self._cond:
            if self._abandoned:
                self.failed += 1
                return
            if len(self._entries) >= self.max_lines:
                seq, _, _ = self._entries.popleft()
                self.dropped += 1
                dropped = self.dropped
                self._lost(seq)
            was_empty = not self._entries
            self._entries.append((self._next, time.monotonic(), line))
            self._next += 1
            # The sender waits for a first line (its timer starts) or a full batch.
            if was_empty or len(self._entries) >= self._wake_at:
                self._cond.notify_all()
        if dropped:
            notices.say_at_most_every(
                "dropped",
                DROP_NOTICE_SECONDS,
                f"the queue is full ({self.max_lines} lines): dropping the oldest lines, "
                f"{dropped} dropped so far",
            )

    def flush(self, timeout: float | None) -> bool:
        """Waits until every line queued so far is settled; True if all of them were sent."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            waiter = _Waiter(last=self._next - 1)
            if self._settled_through(waiter.last):
                return True
            self._waiters.append(waiter)
            self._cond.notify_all()
            try:
                while not self._settled_through(waiter.last):
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._cond.wait(left)
                return waiter.all_sent
            finally:
                self._waiters.remove(waiter)

    # The sender's side.

    def next_batch(self, max_lines: int, max_bytes: int, interval: float) -> list[Entry] | None:
        """Waits for a batch: `max_lines` queued (or as many as the queue holds), the oldest
        line queued `interval` seconds ago, a flush waiting, or the buffer closing (then
        everything goes at once). None once closed and empty."""
        with self._cond:
            while True:
                if self._entries:
                    due = self._entries[0][1] + interval
                    if (
                        len(self._entries) >= min(max_lines, self.max_lines)
                        or self._waiters
                        or self._closing
                        or time.monotonic() >= due
                    ):
                        return self._take(max_lines, max_bytes)
                    self._cond.wait(due - time.monotonic())
                elif self._closing:
                    return None
                else:
                    self._cond.wait()

    def settle(self, batch: list[Entry], sent: bool) -> None:
        """The sender is done with `batch` (or with lines taken out of it)."""
        with self._cond:
            if self._abandoned:
                return
            done = {seq for seq, _, _ in batch}
            self._in_flight = [e for e in self._in_flight if e[0] not in done]
            if sent:
                self.sent += len(batch)
            else:
                self.failed += len(batch)
                if batch:
                    self._lost(min(done))
            self._cond.notify_all()

    def close(self) -> None:
        """From now on the sender sends what is queued at once, then stops."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()

    def abandon(self) -> int:
        """Empties the buffer (the sender is gone); the number of lines that were left."""
        with self._cond:
            self._abandoned = True
            left = self._entries + collections.deque(self._in_flight)
            count = len(left)
            if left:
                self.failed += count
                self._lost(min(seq for seq, _, _ in left))
            self._entries.clear()
            self._in_flight = []
            self._cond.notify_all()
            return count

    def queued(self) -> int:
        with self._cond:
            return len(self._entries) + len(self._in_flight)

    def _take(self, max_lines: int, max_bytes: int) -> list[Entry]:
        batch: list[Entry] = []
        size = 0
        while self._entries and len(batch) < max_lines:
            entry = self._entries[0]
            if batch and size + len(entry[2]) > max_bytes:
                break
            self._entries.popleft()
            batch.append(entry)
            size += len(entry[2]) + 1
        self._in_flight = list(batch)
        return batch

    def _settled_through(self, last: int) -> bool:
        oldest = None
        if self._in_flight:
            oldest = self._in_flight[0][0]
        elif self._entries:
            oldest = self._entries[0][0]
        return oldest is None or oldest > last

    def _lost(self, oldest_seq: int) -> None:
        """Lines from `oldest_seq` on were lost: the flushes waiting on them will say so."""
        for waiter in self._waiters:
            if oldest_seq <= waiter.last:
                waiter.all_sent = False
