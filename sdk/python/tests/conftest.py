"""Fixtures: one real server per run (the release binary, a temporary data folder, the user
ada@example.com), a new app per test, an optional proxy in front of the server, and an SDK,
environment and HOME reset around every test."""

from __future__ import annotations

import logging
import os

import lodestar
import pytest
from faulty_proxy import Proxy
from lodestar_server import App, Server, binary


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    if not binary().exists():
        pytest.fail(
            f"no Lodestar server binary at {binary()}: build it (`make build`) or set LODESTAR_BIN"
        )
    running = Server(tmp_path_factory.mktemp("lodestar-data"))
    try:
        running.start()
        running.create_user()
        yield running
    finally:
        running.stop()


@pytest.fixture
def app(server: Server) -> App:
    return server.create_app()


@pytest.fixture
def proxy(server: Server) -> Proxy:
    in_front = Proxy(server.port)
    yield in_front
    in_front.close()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No LODESTAR_* setting of the machine, a HOME of the test's own (never the real
    ~/.lodestar), and the SDK and the root logger as they were."""
    for name in list(os.environ):
        if name.startswith("LODESTAR_") and name != "LODESTAR_BIN":
            monkeypatch.delenv(name)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield home
    lodestar.shutdown(timeout=2)
    root.setLevel(level)
    root.handlers[:] = handlers
