"""The `lodestar` command against the real server: `test`, `status`, and `init` through the
device flow, approved or denied the way the browser page does it."""

import json
import os
import queue
import re
import signal
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from lodestar_server import free_port

CONSOLE_SCRIPT = Path(sys.executable).parent / "lodestar"


def cli_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LODESTAR_")}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        env.pop(name, None)
    env["HOME"] = str(home)
    return env


def lodestar(home, *args, timeout=30):
    return subprocess.run(
        [sys.executable, "-m", "lodestar", *args],
        env=cli_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def write_config(home, server, app, **override):
    path = home / ".lodestar" / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = {"url": server.url, "api_key": app.api_key, "app_id": app.id, "app_name": app.name}
    fields.update(override)
    path.write_text(json.dumps(fields))
    return path


def one_error_line(done):
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lodestar: "), done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


# lodestar test


def test_test_sends_a_line_the_server_stores(isolated, server, app):
    write_config(isolated, server, app)
    done = lodestar(isolated, "test")
    assert done.returncode == 0, done.stderr
    assert "the server accepted it" in done.stdout
    assert f"See it at {server.url}/apps/{app.id}" in done.stdout
    (row,) = server.lines(app)
    assert row["message"].startswith("Lodestar test line from ")
    assert (row["level"], row["service"]) == ("info", "lodestar-cli")


def test_test_with_a_bad_key_fails_with_the_servers_reason(isolated, server, app):
    write_config(isolated, server, app, api_key="sk_" + "z" * 43)
    done = lodestar(isolated, "test")
    assert done.returncode == 1
    assert "401 invalid_api_key" in one_error_line(done)


def test_test_without_a_key_says_how_to_get_one(isolated):
    done = lodestar(isolated, "test")
    assert done.returncode == 1
    assert "lodestar init" in one_error_line(done)


def test_the_console_script_is_installed(isolated, server, app):
    write_config(isolated, server, app)
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "test", "--url", server.url],
        env=cli_env(isolated),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert len(server.lines(app)) == 1


# lodestar status


def test_status_shows_the_config_and_checks_server_and_key(isolated, server, app):
    path = write_config(isolated, server, app)
    done = lodestar(isolated, "status")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert f"Config file: {path}" in out
    assert f"Server:      {server.url} (up, version " in out
    assert f"App:         {app.name} (id {app.id})" in out
    assert f"API key:     {app.api_key[:10]}… (from {path}): accepted" in out
    assert app.api_key not in out
    # The check stores nothing.
    assert server.lines(app) == []


def test_status_with_a_bad_key_exits_1(isolated, server, app):
    write_config(isolated, server, app, api_key="sk_" + "q" * 43)
    done = lodestar(isolated, "status")
    assert done.returncode == 1
    assert "refused (401 invalid_api_key" in done.stdout
    assert "the API key was not accepted" in one_error_line(done)


def test_status_with_the_server_down_exits_1(isolated, server, app):
    write_config(isolated, server, app, url=f"http://127.0.0.1:{free_port()}")
    done = lodestar(isolated, "status")
    assert done.returncode == 1
    assert "connection refused" in one_error_line(done)


def test_usage_errors_exit_2(isolated):
    assert lodestar(isolated, "init").returncode == 2
    assert lodestar(isolated, "frobnicate").returncode == 2
    assert lodestar(isolated).returncode == 2


# lodestar init


class Running:
    """A CLI process whose stdout is read line by line as it comes."""

    def __init__(self, home, *args):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lodestar", *args],
            env=cli_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def line_matching(self, pattern, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            found = re.fullmatch(pattern, line)
            if found:
                return found
        raise AssertionError(f"no line matching {pattern!r} in {self.seen}: {self.stderr()}")

    def wait(self, timeout=30):
        """The exit status, once every line printed is in `seen`."""
        self.process.wait(timeout)
        self._reader.join(5)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return self.process.returncode

    def stderr(self):
        if self.process.poll() is None:
            return ""
        return self.process.stderr.read()

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def decide(server, user_code, decision, **choice):
    form = urllib.parse.urlencode({"user_code": user_code, "decision": decision, **choice})
    status, _, body = server.request(
        "POST",
        "/sdk/device/complete",
        form.encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"lodestar_session={server.session()}",
        },
    )
    assert status == 200, body
    return json.loads(body)


@pytest.fixture
def init_run(isolated, server, tmp_path):
    runs = []

    def start(app_name, config):
        run = Running(
            isolated,
            "init",
            "--app-name",
            app_name,
            "--no-browser",
            "--url",
            server.url,
            "--config",
            str(config),
        )
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.kill()


def test_init_approved_in_the_browser_saves_a_working_key(server, tmp_path, init_run):
    config = tmp_path / "fresh" / "config.json"
    run = init_run("shop", config)
    code = run.line_matching(r"Code: ([A-Z]{4}-[A-Z]{4})").group(1)
    link = run.line_matching(r"Open: (\S+)").group(1)
    assert link == f"{server.url}/sdk/link?code={code}"

    decided = decide(server, code, "approve", app_name="shop")
    assert decided["app"]["name"] == "shop"

    assert run.wait() == 0, run.stderr()
    assert any(re.fullmatch(r'Approved: .*"shop".*', line) for line in run.seen), run.seen
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    saved = json.loads(config.read_text())
    assert set(saved) == {"url", "api_key", "app_id", "app_name", "dsn"}
    assert saved["api_key"].startswith("sk_")
    assert (saved["url"], saved["app_id"], saved["app_name"]) == (
        server.url,
        decided["app"]["id"],
        "shop",
    )
    # The key works.
    status, _, body = server.request(
        "POST",
        "/ingest",
        json.dumps({"logs": [{"message": "linked by lodestar init"}]}).encode(),
        {"Authorization": f"Bearer {saved['api_key']}", "Content-Type": "application/json"},
    )
    assert (status, json.loads(body)) == (200, {"accepted": 1})


def test_init_denied_in_the_browser_saves_nothing(server, tmp_path, init_run):
    config = tmp_path / "denied" / "config.json"
    run = init_run("denied-shop", config)
    code = run.line_matching(r"Code: (\S+)").group(1)
    decide(server, code, "deny")
    assert run.wait() == 1
    assert "denied in the browser" in run.stderr()
    assert not config.exists()


def test_init_against_no_server_fails_clearly(isolated, tmp_path):
    done = lodestar(
        isolated,
        "init",
        "--app-name",
        "x",
        "--url",
        f"http://127.0.0.1:{free_port()}",
        "--config",
        str(tmp_path / "c.json"),
    )
    assert done.returncode == 1
    assert "is Lodestar running there?" in one_error_line(done)


def test_ctrl_c_while_waiting_exits_130_without_a_traceback(server, tmp_path, init_run):
    config = tmp_path / "interrupted" / "config.json"
    run = init_run("interrupted-shop", config)
    run.line_matching(r"Code: (\S+)")
    run.line_matching(r"Waiting for approval.*")
    run.process.send_signal(signal.SIGINT)
    assert run.wait() == 130
    err = run.stderr()
    assert "Traceback" not in err and "interrupted" in err
    assert not config.exists()
