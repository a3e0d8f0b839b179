"""HTTP with the Lodestar server over urllib: `POST /ingest` for batches of lines, and the
JSON requests of the CLI. Nothing here raises for a failed exchange: a `Reply` says what
happened, including "no answer at all"."""

from __future__ import annotations

import email.utils
import gzip
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .version import VERSION

USER_AGENT = f"lodestar-python/{VERSION}"
# The most of an answer worth reading: answers are small JSON objects.
MAX_REPLY_BYTES = 1 << 20
# A server asking for a longer pause than this is asked again after this long.
MAX_RETRY_AFTER = 300.0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as it is: following one would turn a POST into a GET."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects())


@dataclass
class Reply:
    """An answer (`status` set) or its absence (`status` None, `problem` says why)."""

    status: int | None
    data: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """No answer, 429 or a 5xx: worth sending again later."""
        return self.status is None or self.status == 429 or self.status >= 500

    @property
    def error_code(self) -> str:
        """`{"error": {"code": …}}` (Lodestar's routes) or `{"error": "…"}` (OAuth's shape)."""
        error = self.data.get("error") if isinstance(self.data, dict) else None
        if isinstance(error, dict):
            return str(error.get("code") or "")
        return str(error or "")

    @property
    def error_message(self) -> str:
        if self.status is None:
            return self.problem
        error = self.data.get("error") if isinstance(self.data, dict) else None
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(self.data, dict) and self.data.get("error_description"):
            return str(self.data["error_description"])
        return self.problem or f"HTTP {self.status}"

    @property
    def error_index(self) -> int | None:
        """The position of the line that refused a batch, when the server names one."""
        error = self.data.get("error") if isinstance(self.data, dict) else None
        index = error.get("index") if isinstance(error, dict) else None
        return index if isinstance(index, int) and not isinstance(index, bool) else None

    @property
    def retry_after(self) -> float | None:
        """`Retry-After` in seconds (a number or an HTTP date), at most MAX_RETRY_AFTER."""
        value = self.headers.get("Retry-After") if self.headers else None
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            seconds = when.timestamp() - time.time()
        if seconds != seconds:  # NaN
            return None
        return min(max(seconds, 0.0), MAX_RETRY_AFTER)

    def describe(self) -> str:
        """`401 invalid_api_key: the API key is unknown or revoked`, or why nothing answered."""
        if self.status is None:
            return self.problem
        code = self.error_code
        message = self.error_message
        if 300 <= self.status < 400:
            location = self.headers.get("Location", "?")
            return f"{self.status} redirect to {location}: use that address as the server URL"
        return f"{self.status} {code}: {message}" if code else f"{self.status}: {message}"


def ingest_body(lines: Sequence[bytes]) -> bytes:
    """`{"logs":[...]}` from lines encoded already."""
    return b'{"logs":[' + b",".join(lines) + b"]}"


def post_lines(url: str, api_key: str, lines: Sequence[bytes], timeout: float) -> Reply:
    """Sends one batch to `POST {url}/ingest`, gzip-compressed, the key as a bearer token."""
    body = gzip.compress(ingest_body(lines), compresslevel=6, mtime=0)
    request = urllib.request.Request(
        f"{url}/ingest",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "User-Agent": USER_AGENT,
        },
    )
    return exchange(request, timeout)


def request_json(
    method: str,
    url: str,
    payload: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Reply:
    """One JSON request (the body, if any, is `payload` as JSON)."""
    all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode("utf-8")
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    return exchange(request, timeout)


def exchange(request: urllib.request.Request, timeout: float) -> Reply:
    try:
        with _opener.open(request, timeout=timeout) as response:
            return _reply(response.status, response.headers, response.read(MAX_REPLY_BYTES))
    except urllib.error.HTTPError as e:
        try:
            body = e.read(MAX_REPLY_BYTES)
        except Exception:
            body = b""
        finally:
            e.close()
        return _reply(e.code, e.headers, body)
    except urllib.error.URLError as e:
        return Reply(status=None, problem=f"cannot reach {_origin(request)}: {_reason(e.reason)}")
    except (OSError, http.client.HTTPException, ValueError) as e:
        return Reply(status=None, problem=f"cannot reach {_origin(request)}: {_reason(e)}")


def _reply(status: int, headers: Any, body: bytes) -> Reply:
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except ValueError:
        data = None
    text = body[:200].decode("utf-8", "replace").strip()
    problem = "" if data is not None else (f"HTTP {status}: {text}" if text else f"HTTP {status}")
    return Reply(status=status, data=data, headers=headers or {}, problem=problem)


def _origin(request: urllib.request.Request) -> str:
    return f"{request.type}://{request.host}"


def _reason(reason: Any) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    text = str(reason) or type(reason).__name__
    return "timed out" if "timed out" in text else text
