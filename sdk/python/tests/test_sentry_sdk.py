"""The official `sentry-sdk` from PyPI against Lodestar, changed by its DSN only: a captured
exception becomes one issue with its frames, breadcrumbs and user, and its log lines arrive
with their attributes' types kept. Sending the same error again after resolving it reopens
the issue as a regression."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent


def dsn_for(server, app) -> str:
    """The app's DSN with the test server's address (the CLI prints the configured URL)."""
    parts = urllib.parse.urlsplit(app.dsn)
    return f"http://{parts.username}@127.0.0.1:{server.port}{parts.path}"


def run_program(server, app, order_id: int = 991) -> None:
    done = subprocess.run(
        [sys.executable, str(HERE / "sentry_sdk_app.py"), dsn_for(server, app), str(order_id)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def server_fn(server, path: str, **args) -> tuple[int, object]:
    form = urllib.parse.urlencode(args, doseq=True)
    status, _, body = server.request(
        "POST",
        f"/app/issues/{path}",
        form.encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Cookie": f"lodestar_session={server.session()}",
        },
    )
    return status, json.loads(body) if body else None


def issues(server, app, query: str = "is:all") -> list[dict]:
    status, answer = server_fn(server, "list", app_id=app.id, query=query, page=0)
    assert status == 200, answer
    _app, page = answer
    return page["issues"]


def wait_for_issues(server, app, count: int, query: str = "is:all") -> list[dict]:
    deadline = time.monotonic() + 10
    while True:
        found = issues(server, app, query)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_captured_exception_is_one_issue_with_frames_and_logs_keep_their_types(server, app):
    run_program(server, app)

    (issue,) = wait_for_issues(server, app, 1)
    assert issue["title"] == "ValueError: invalid literal for int() with base 10: 'three'"
    assert issue["culprit"] == "__main__ in parse_quantity"
    assert issue["level"] == "error"
    assert issue["status"] == "unresolved"
    assert issue["events"] == 1
    assert issue["users"] == 1

    status, answer = server_fn(server, "view", app_id=app.id, issue_id=issue["id"])
    assert status == 200, answer
    _app, view = answer
    event = view["event"]
    assert event["environment"] == "staging"
    assert event["release"] == "shop@1.4.2"
    detail = event["detail"]
    (exception,) = detail["exceptions"]
    assert exception["ty"] == "ValueError"
    functions = [frame["function"] for frame in exception["frames"]]
    assert functions[-3:] == ["checkout", "add_to_cart", "parse_quantity"]
    top = exception["frames"][-1]
    assert top["in_app"] is True
    assert top["context_line"].strip() == "return int(text)"
    assert top["pre_context"] and top["post_context"] is not None
    crumbs = [(b["category"], b["message"]) for b in detail["breadcrumbs"]]
    assert ("auth", "user signed in") in crumbs
    assert ("cart", "opened order 991") in crumbs
    assert detail["user"]["id"] == "42"
    assert detail["user"]["email"] == "ada@example.com"
    assert ("region", "eu-west") in [tuple(tag) for tag in detail["tags"]]
    tags = {tag["key"]: tag for tag in view["tags"]}
    assert tags["user"]["values"] == [["42", 1]]
    assert tags["environment"]["values"] == [["staging", 1]]

    rows = server.wait_for_lines(app, 3)
    by_message = {row["message"]: row for row in rows}
    error = by_message[issue["title"]]
    assert error["level"] == "error"
    assert error["issue_id"] == issue["id"]
    assert event["log_id"] == error["id"]
    placed = by_message["Order 991 placed by ada"]
    assert placed["level"] == "info"
    assert placed["attributes"]["cart.items"] == 3
    assert placed["attributes"]["cart.total"] == 19.5
    assert placed["attributes"]["express"] is True
    assert placed["attributes"]["sentry.message.parameter.order_id"] == 991
    assert placed["attributes"]["sentry.message.template"] == "Order {order_id} placed by {user}"
    retry = by_message["Payment retry for order 991"]
    assert retry["level"] == "warn"


def test_the_same_error_after_resolving_reopens_it_as_a_regression(server, app):
    run_program(server, app, order_id=1)
    (issue,) = wait_for_issues(server, app, 1)
    status, answer = server_fn(
        server, "update", app_id=app.id, **{"ids[0]": issue["id"]}, action="resolve"
    )
    assert status == 200, answer
    assert issues(server, app, "is:unresolved") == []

    # Another order number: the same issue all the same (numbers are not part of grouping).
    run_program(server, app, order_id=2)
    deadline = time.monotonic() + 10
    while not issues(server, app, "is:unresolved") and time.monotonic() < deadline:
        time.sleep(0.1)
    (again,) = issues(server, app, "is:unresolved")
    assert again["id"] == issue["id"]
    assert again["regressed"] is True
    assert again["events"] == 2
