"""Lines go in batches: when `batch_size` are queued, or `flush_interval` after the oldest."""

import logging
import time

import lodestar
from eventually import eventually


def test_a_batch_goes_whenever_batch_size_lines_are_queued(server, app, proxy):
    lodestar.init(api_key=app.api_key, dsn=proxy.url, batch_size=100, flush_interval=60)
    log = logging.getLogger("batching")
    for i in range(250):
        log.info("line %d", i)

    # Two full batches go by themselves; the last 50 wait for the interval (a minute).
    assert eventually(lambda: len(proxy.ingest_posts()) == 2)
    time.sleep(0.3)
    assert [p.lines for p in proxy.ingest_posts()] == [100, 100]

    assert lodestar.flush(timeout=10) is True
    posts = proxy.ingest_posts()
    assert [p.lines for p in posts] == [100, 100, 50]
    assert {p.answered for p in posts} == {200}
    headers = {k.lower(): v for k, v in posts[0].headers.items()}
    assert headers["authorization"] == f"Bearer {app.api_key}"
    assert headers["content-type"] == "application/json"
    assert headers["content-encoding"] == "gzip"

    stored = sorted(row["message"] for row in server.lines(app))
    assert stored == sorted(f"line {i}" for i in range(250))
    stats = lodestar.stats()
    assert (stats["sent"], stats["batches"], stats["queued"]) == (250, 3, 0)


def test_lines_go_after_the_flush_interval_without_a_flush(server, app):
    lodestar.init(api_key=app.api_key, dsn=server.url, batch_size=100, flush_interval=1)
    log = logging.getLogger("timer")
    for i in range(3):
        log.info("tick %d", i)
    # Not at once: the batch waits for the interval...
    assert server.lines(app) == []
    # ...and then goes by itself.
    rows = server.wait_for_lines(app, 3, timeout=3)
    assert sorted(row["message"] for row in rows) == ["tick 0", "tick 1", "tick 2"]


def test_a_batch_body_is_the_documented_json(server, app, proxy):
    """What goes over the wire, decompressed: `{"logs": [line, ...]}`."""
    lodestar.init(api_key=app.api_key, dsn=proxy.url, service="wire", release="7")
    logging.getLogger("wire").warning("hello %s", "world", extra={"n": 1})
    assert lodestar.flush(5)
    (post,) = proxy.ingest_posts()
    assert set(post.batch) == {"logs"}
    (line,) = post.batch["logs"]
    assert isinstance(line["timestamp"], float) and abs(line["timestamp"] - time.time()) < 60
    assert {k: line[k] for k in ("level", "message", "service", "release")} == {
        "level": "warn",
        "message": "hello world",
        "service": "wire",
        "release": "7",
    }
    assert line["extra"] == {"logger": "wire", "n": 1}
