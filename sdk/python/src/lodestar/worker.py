"""The background thread that sends the queued lines in batches: network errors, 429 and 5xx
are retried with backoff (honouring `Retry-After`); any other refusal drops the batch."""

from __future__ import annotations

import random
import threading

from . import notices
from .buffer import Buffer, Entry
from .transport import post_lines

# A request stays well under the server's 5 MiB body limit, compressed or not.
MAX_BATCH_BYTES = 4 << 20
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 30.0
# How often the same refusal may be reported again.
REFUSAL_NOTICE_SECONDS = 600.0
OUTAGE_NOTICE_SECONDS = 300.0


def backoff(attempt: int) -> float:
    """0.5 s doubling up to 30 s, the second half of each step random: clients that failed
    together do not all come back in the same instant."""
    step = min(BACKOFF_CAP, BACKOFF_FIRST * (2 ** min(attempt, 16)))
    return step / 2 + random.uniform(0, step / 2)


class Sender:
    def __init__(
        self,
        buffer: Buffer,
        url: str,
        api_key: str,
        batch_size: int,
        flush_interval: float,
        request_timeout: float,
    ):
        self.buffer = buffer
        self.url = url
        self._api_key = api_key
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.request_timeout = request_timeout
        self.batches = 0
        self.failed_batches = 0
        self.retries = 0
        self._in_outage = False
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="lodestar-sender", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def is_current(self) -> bool:
        return threading.current_thread() is self.thread

    def stop(self, timeout: float) -> None:
        """Stops at once: a batch waiting for its next try is given up."""
        self._stop.set()
        self.buffer.close()
        if self.thread.is_alive() and not self.is_current():
            self.thread.join(timeout)

    def _run(self) -> None:
        while True:
            batch = self.buffer.next_batch(self.batch_size, MAX_BATCH_BYTES, self.flush_interval)
            if batch is None:
                return
            if self._stop.is_set():
                self.buffer.settle(batch, sent=False)
                continue
            try:
                self._deliver(batch)
            except Exception as e:  # a bug here must not stop the sending of later lines
                self.buffer.settle(batch, sent=False)
                self.failed_batches += 1
                notices.say_at_most_every(
                    "internal",
                    REFUSAL_NOTICE_SECONDS,
                    f"dropped {len(batch)} lines on an internal error ({type(e).__name__}: {e})",
                )

    def _deliver(self, batch: list[Entry]) -> None:
        attempt = 0
        while batch:
            reply = post_lines(self.url, self._api_key, [e[2] for e in batch], self.request_timeout)
            if reply.ok:
                self.buffer.settle(batch, sent=True)
                self.batches += 1
                if self._in_outage:
                    self._in_outage = False
                    notices.forget("outage")
                    notices.say(f"reached {self.url} again: sending")
                return
            if reply.retryable:
                if not self._in_outage:
                    self._in_outage = True
                    why = reply.describe()
                    if reply.status is not None:
                        why = f"cannot send to {self.url}: {why}"
                    notices.say_at_most_every(
                        "outage", OUTAGE_NOTICE_SECONDS, f"{why}; retrying with backoff"
                    )
                delay = reply.retry_after
                delay = backoff(attempt) if delay is None else delay + random.uniform(0, 0.1)
                attempt += 1
                if self._stop.wait(delay):
                    self.buffer.settle(batch, sent=False)
                    self.failed_batches += 1
                    return
                self.retries += 1
                continue
            bad = reply.error_index if reply.status == 400 else None
            if bad is not None and 0 <= bad < len(batch) and len(batch) > 1:
                # The server names the one line it refused and stored nothing: the others go again.
                self.buffer.settle([batch.pop(bad)], sent=False)
                notices.say_at_most_every(
                    f"refused-line:{reply.error_code}",
                    REFUSAL_NOTICE_SECONDS,
                    f"the server refused a line ({reply.describe()}): it is dropped, "
                    "the others are sent again",
                )
                continue
            self.buffer.settle(batch, sent=False)
            self.failed_batches += 1
            notices.say_at_most_every(
                f"refused:{reply.status}:{reply.error_code}",
                REFUSAL_NOTICE_SECONDS,
                f"the server refused {len(batch)} lines ({reply.describe()}): they are "
                f"dropped, not retried (failed batches so far: {self.failed_batches})",
            )
            return
