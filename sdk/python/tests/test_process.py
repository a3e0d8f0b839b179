"""The SDK in a process of its own: lines queued at exit are sent, uncaught exceptions are
sent and still printed (and still fail the process), and a forked child sends its own."""

import os
import subprocess
import sys
import textwrap

import pytest


def run_script(tmp_path, server, app, body, timeout=30):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LODESTAR_")}
    env.update(LODESTAR_API_KEY=app.api_key, LODESTAR_DSN=server.url, HOME=str(tmp_path))
    return subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_lines_queued_at_exit_are_sent(tmp_path, server, app):
    done = run_script(
        tmp_path,
        server,
        app,
        """
        import logging, lodestar
        lodestar.init(flush_interval=60)
        for i in range(30):
            logging.getLogger("exiting").info("line %d", i)
        # no flush(): the exit sends them
        """,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(r["message"] for r in server.lines(app)) == sorted(f"line {i}" for i in range(30))
    assert {r["service"] for r in server.lines(app)} == {"script"}


def test_an_uncaught_exception_is_sent_and_still_fails_the_process(tmp_path, server, app):
    done = run_script(
        tmp_path,
        server,
        app,
        """
        import lodestar
        lodestar.init(flush_interval=60)

        def read_card():
            raise RuntimeError("card reader on fire")

        read_card()
        """,
    )
    assert done.returncode == 1
    # The usual traceback is still printed.
    assert "Traceback (most recent call last):" in done.stderr
    assert done.stderr.rstrip().endswith("RuntimeError: card reader on fire")
    (row,) = server.lines(app)
    assert row["level"] == "fatal"
    assert row["message"] == "Uncaught RuntimeError: card reader on fire"
    attributes = row["attributes"]
    assert attributes["logger"] == "uncaught"
    assert attributes["exception.type"] == "RuntimeError"
    assert attributes["exception.message"] == "card reader on fire"
    assert "in read_card" in attributes["exception.stacktrace"]


def test_an_uncaught_exception_in_a_thread_is_sent(tmp_path, server, app):
    done = run_script(
        tmp_path,
        server,
        app,
        """
        import threading, lodestar
        lodestar.init(flush_interval=60)

        def work():
            raise ValueError("bad row 7")

        worker = threading.Thread(target=work, name="importer")
        worker.start()
        worker.join()
        print("main thread carries on")
        """,
    )
    assert done.returncode == 0
    assert "main thread carries on" in done.stdout
    assert "Exception in thread importer" in done.stderr
    (row,) = server.lines(app)
    assert row["level"] == "error"
    assert row["message"] == "Uncaught exception in thread importer: ValueError: bad row 7"
    assert row["attributes"]["thread_name"] == "importer"
    assert "in work" in row["attributes"]["exception.stacktrace"]


def test_keyboard_interrupt_is_not_reported(tmp_path, server, app):
    done = run_script(
        tmp_path,
        server,
        app,
        """
        import lodestar
        lodestar.init()
        raise KeyboardInterrupt
        """,
    )
    assert done.returncode != 0
    assert server.lines(app) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_sends_its_own_lines(tmp_path, server, app):
    done = run_script(
        tmp_path,
        server,
        app,
        """
        import logging, os, lodestar
        lodestar.init(flush_interval=60)
        log = logging.getLogger("fork")
        log.info("parent before fork")
        pid = os.fork()
        if pid == 0:
            log.info("child")
            ok = lodestar.flush(10)
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        log.info("parent after fork, child exit %d", os.waitstatus_to_exitcode(status))
        """,
    )
    assert done.returncode == 0, done.stderr
    messages = sorted(r["message"] for r in server.lines(app))
    assert messages == ["child", "parent after fork, child exit 0", "parent before fork"]
