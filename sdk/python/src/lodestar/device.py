"""`lodestar init`: links this machine to an app through the device flow (RFC 8628). The
terminal shows a code and a link, the user approves in the browser, and the poll that follows
receives a new API key, which is saved to the config file.

What it prints is read by scripts and tests, so two lines keep their shape:

    Code: BCDF-GHJK
    Open: http://127.0.0.1:3000/sdk/link?code=BCDF-GHJK
"""

from __future__ import annotations

import getpass
import os
import socket
import sys
import time
import webbrowser
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import config
from .errors import CliError
from .spinner import Waiting
from .transport import Reply, request_json

# Consecutive polls without an answer (or with 429/5xx) before giving up.
MAX_POLL_FAILURES = 5
MAX_POLL_BACKOFF = 30.0
# `slow_down` without an interval adds this much (RFC 8628 §3.5).
SLOW_DOWN_STEP = 5
# Beyond `expires_in`, a margin for the server's clock before the CLI stops by itself.
EXPIRY_MARGIN = 5.0


def client_name() -> str:
    """Who is asking, as the approval page shows it: `ada@laptop`."""
    try:
        user = getpass.getuser()
    except Exception:
        user = "someone"
    return f"{user}@{socket.gethostname() or 'unknown-host'}"


def can_open_browser() -> bool:
    """Only where a graphical browser can be expected: on a server or in a container without
    a desktop, `webbrowser` would start a text browser in this terminal, or fail."""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_browser(url: str) -> bool:
    try:
        return bool(webbrowser.open(url))
    except Exception:
        return False


def link(url: str, app_name: str, path: Path, browser: bool) -> None:
    """Runs the whole flow; raises CliError with the reason when it does not end approved."""
    started = request_json(
        "POST",
        f"{url}/sdk/device/start",
        {"app_name": app_name, "client_name": client_name()},
    )
    if not started.ok:
        raise CliError(start_failure(url, started))
    data = started.data if isinstance(started.data, dict) else {}
    device_code = text_field(data, "device_code")
    user_code = text_field(data, "user_code")
    link_url = text_field(data, "verification_uri_complete")
    interval = max(1, int_field(data, "interval", 5))
    expires_in = int_field(data, "expires_in", 600)

    say(f'Linking this machine to the app "{app_name}" on {url}.')
    say("")
    say(f"Code: {user_code}")
    say(f"Open: {link_url}")
    say("")
    if browser and can_open_browser() and open_browser(link_url):
        say("Opened the link in your browser: check that it shows the same code, then approve.")
    else:
        say("Open the link in a browser where you are signed in to Lodestar, check that it shows")
        say("the same code, then approve.")
    minutes = max(1, round(expires_in / 60))
    say(f"Waiting for approval (the code expires in {minutes} minutes; Ctrl-C cancels)...")

    answer = poll(url, device_code, interval, expires_in)
    key = answer.get("api_key")
    if not isinstance(key, str) or not key.startswith(config.KEY_PREFIX):
        raise CliError("the server's answer holds no API key: nothing was saved")
    app_id = answer.get("app_id")
    linked_name = answer.get("app_name") if isinstance(answer.get("app_name"), str) else app_name
    saved = {
        # The address that worked from here, which the server's public URL may not be.
        "url": url,
        "api_key": key,
        "app_id": app_id,
        "app_name": linked_name,
        "dsn": answer.get("dsn"),
    }
    try:
        config.write_config(path, saved)
    except OSError as e:
        raise CliError(f"cannot write the config file {path}: {e.strerror or e}") from None
    say(f'Approved: this machine sends to the app "{linked_name}" (id {app_id}).')
    say(f"Saved its API key ({config.display_prefix(key)}) to {path}, readable only by you.")
    say("Next: run `lodestar test` to send a test line, then call lodestar.init() in your app.")


def poll(url: str, device_code: str, interval: int, expires_in: int) -> dict:
    """Polls until the request is approved (the answer) or ends otherwise (CliError). Each
    wait comes after an answer, the first one after the start's."""
    deadline = time.monotonic() + expires_in + EXPIRY_MARGIN
    waiting = Waiting(sys.stdout, "Waiting for approval in the browser...")
    failures = 0
    wait: float = interval
    try:
        while True:
            waiting.sleep(wait)
            if time.monotonic() > deadline:
                raise CliError(expired())
            reply = request_json(
                "GET", f"{url}/sdk/device/poll?device_code={quote(device_code, safe='')}"
            )
            if reply.retryable:
                failures += 1
                if failures >= MAX_POLL_FAILURES:
                    raise CliError(f"gave up waiting: {reply.describe()}")
                backoff = min(MAX_POLL_BACKOFF, interval * 2**failures)
                wait = reply.retry_after if reply.retry_after is not None else backoff
                continue
            failures = 0
            wait = interval
            if reply.ok and isinstance(reply.data, dict):
                return reply.data
            code = reply.error_code
            if code == "authorization_pending":
                continue
            if code == "slow_down":
                told = reply.data.get("interval") if isinstance(reply.data, dict) else None
                valid = isinstance(told, int) and not isinstance(told, bool) and told > 0
                interval = told if valid else interval + SLOW_DOWN_STEP
                wait = interval
                continue
            if code == "expired_token":
                raise CliError(expired())
            if code == "access_denied":
                raise CliError("the request was denied in the browser: nothing was saved")
            raise CliError(f"linking failed: {reply.error_message or reply.describe()}")
    finally:
        waiting.clear()


def start_failure(url: str, reply: Reply) -> str:
    if reply.status is None:
        return f"{reply.problem}: is Lodestar running there? (--url sets the server)"
    if reply.status == 404:
        return (
            f"{url} does not offer `lodestar init` (POST /sdk/device/start answered 404): "
            "check the URL, or create a key in the dashboard and set LODESTAR_API_KEY"
        )
    if reply.status == 429 and reply.retry_after is not None:
        return f"too many requests from this address: try again in {int(reply.retry_after)} s"
    return f"the server refused to start linking: {reply.error_message}"


def expired() -> str:
    return "the code expired before it was approved: run `lodestar init` again"


def text_field(data: dict, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise CliError(f"the server's answer has no {name}: is this a Lodestar server?")
    return value


def int_field(data: dict, name: str, default: int) -> int:
    value: Any = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return default


def say(text: str, stream: Any | None = None) -> None:
    print(text, file=stream or sys.stdout, flush=True)
