"""The queue is bounded: when it is full the oldest lines go, are counted and reported, and
the newest are the ones that reach the server."""

import logging
import threading

import lodestar
from eventually import eventually


def test_a_full_queue_drops_the_oldest_lines(server, app, proxy, capfd):
    # The server is unavailable for a second: the first batch waits to be sent again.
    proxy.answer_next(503, {"Retry-After": "1"})
    lodestar.init(
        api_key=app.api_key, dsn=proxy.url, max_queue=10, batch_size=5, flush_interval=0.05
    )
    log = logging.getLogger("queue")
    for i in range(5):
        log.info("line %d", i)
    assert eventually(lambda: len(proxy.ingest_posts()) == 1)
    # Meanwhile 25 more lines come: the queue keeps the newest 10.
    for i in range(5, 30):
        log.info("line %d", i)

    stats = lodestar.stats()
    assert (stats["dropped"], stats["queued"]) == (15, 15)
    # Every line still queued when flush() was called is sent.
    assert lodestar.flush(timeout=10) is True
    expected = [f"line {i}" for i in [*range(0, 5), *range(20, 30)]]
    assert sorted(r["message"] for r in server.lines(app)) == sorted(expected)
    err = capfd.readouterr().err
    assert err.count("dropping the oldest lines") == 1, err
    assert "15 dropped" not in err  # reported once, when dropping began, not per line


def test_lines_pile_up_behind_a_stalled_server_and_the_newest_win(server, app, proxy):
    proxy.hold()
    lodestar.init(
        api_key=app.api_key, dsn=proxy.url, max_queue=10, batch_size=5, flush_interval=0.05
    )
    log = logging.getLogger("stalled")
    for i in range(5):
        log.info("line %d", i)
    # The first batch (lines 0-4) is on its way and waits at the proxy...
    assert eventually(lambda: proxy.arrived == 1)
    # ...while 25 more lines come: the queue keeps the newest 10.
    for i in range(5, 30):
        log.info("line %d", i)
    stats = lodestar.stats()
    assert (stats["dropped"], stats["queued"]) == (15, 15)

    proxy.release()
    assert lodestar.flush(timeout=10) is True
    expected = [f"line {i}" for i in [*range(0, 5), *range(20, 30)]]
    assert sorted(r["message"] for r in server.lines(app)) == sorted(expected)
    assert lodestar.stats()["sent"] == 15


def test_flush_says_false_when_lines_it_waited_for_were_dropped(server, app, proxy):
    proxy.hold()
    client = lodestar.init(
        api_key=app.api_key, dsn=proxy.url, max_queue=3, batch_size=1, flush_interval=60
    )
    log = logging.getLogger("flush")
    log.info("in flight")
    assert eventually(lambda: proxy.arrived == 1)
    for i in range(3):
        log.info("queued %d", i)

    answer = []
    waiter = threading.Thread(target=lambda: answer.append(lodestar.flush(timeout=10)))
    waiter.start()
    assert eventually(lambda: client.buffer._waiters)
    # Newer lines push out the three the flush waits for.
    for i in range(3):
        log.info("newer %d", i)
    proxy.release()
    waiter.join(15)
    assert answer == [False]
    assert lodestar.flush(timeout=10) is True
    stored = sorted(r["message"] for r in server.lines(app))
    assert stored == sorted(["in flight", "newer 0", "newer 1", "newer 2"])
