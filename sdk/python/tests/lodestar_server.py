"""A real Lodestar server for the tests: the release binary on a free loopback port over a
temporary data folder, its operator CLI for users and apps, and the signed-in log export to
read back what it stored."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"
START_TIMEOUT = 30.0


def binary() -> Path:
    return Path(os.environ.get("LODESTAR_BIN") or REPO / "target" / "release" / "lodestar")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class App:
    id: int
    name: str
    api_key: str
    dsn: str


class Server:
    def __init__(self, data_dir: Path):
        self.bin = binary()
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        self.process: subprocess.Popen | None = None
        self._session: str | None = None

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LODESTAR_")}
        env.update(
            LODESTAR_DATA_DIR=str(self.data_dir),
            LODESTAR_ADDR=f"127.0.0.1:{self.port}",
            LODESTAR_LOG="warn",
            LEPTOS_SITE_ROOT=str(REPO / "target" / "site"),
        )
        return env

    def start(self) -> None:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(self.bin), "serve"], cwd=REPO, env=self.env(), stdout=log, stderr=log
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                status, _, _ = self.request("GET", "/health")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"the server did not answer /health within {START_TIMEOUT} s:\n{self.log()}"
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def operator(self, *args: str) -> dict:
        """`lodestar ARGS --json` against the same data folder; its JSON answer."""
        done = subprocess.run(
            [str(self.bin), *args, "--json"],
            cwd=REPO,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"lodestar {' '.join(args)} failed: {done.stderr}")
        return json.loads(done.stdout)

    def create_user(self) -> None:
        self.operator("user", "create", "--email", EMAIL, "--password", PASSWORD)

    def create_app(self, prefix: str = "test") -> App:
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        made = self.operator("app", "create", "--owner", EMAIL, "--name", name)
        return App(id=made["app_id"], name=made["name"], api_key=made["api_key"], dsn=made["dsn"])

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """One request without redirects: (status, headers, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def session(self) -> str:
        """The `lodestar_session` cookie of the test user, signed in once."""
        if self._session is None:
            form = urllib.parse.urlencode(
                {"email": EMAIL, "password": PASSWORD, "next": "/dashboard"}
            )
            status, headers, body = self.request(
                "POST",
                "/app/auth/sign_in",
                form.encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            for cookie in headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                if name == "lodestar_session" and rest.split(";")[0]:
                    self._session = rest.split(";")[0]
            if self._session is None:
                raise RuntimeError(f"sign-in answered {status} without a session: {body[:300]!r}")
        return self._session

    def lines(self, app: App) -> list[dict]:
        """Every line the app holds from the last 24 hours, oldest first."""
        status, _, body = self.request(
            "GET",
            f"/apps/{app.id}/logs/export?format=ndjson&statsPeriod=24h",
            headers={"Cookie": f"lodestar_session={self.session()}"},
        )
        if status != 200:
            raise RuntimeError(f"the export answered {status}: {body[:300]!r}")
        rows = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        return list(reversed(rows))

    def wait_for_lines(self, app: App, count: int, timeout: float = 10.0) -> list[dict]:
        """The app's lines once there are at least `count` (or what there is at `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.lines(app)
            if len(rows) >= count or time.monotonic() > deadline:
                return rows
            time.sleep(0.1)
