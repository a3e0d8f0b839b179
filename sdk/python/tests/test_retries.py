"""What is retried (no answer, 429, 5xx, honouring Retry-After) and what is not (other 4xx);
and that the application never notices any of it."""

import logging
import time

import lodestar
import pytest
from eventually import eventually
from lodestar_server import free_port


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_is_honoured_and_the_lines_are_stored_once(server, app, proxy, status):
    proxy.answer_next(status, {"Retry-After": "1"})
    lodestar.init(api_key=app.api_key, dsn=proxy.url, flush_interval=0.05)
    log = logging.getLogger("retry")
    for i in range(5):
        log.warning("attempt %d", i)

    started = time.monotonic()
    assert lodestar.flush(timeout=15) is True
    waited = time.monotonic() - started

    assert [p.answered for p in proxy.ingest_posts()] == [status, 200]
    assert waited >= 0.9, "the retry came before Retry-After said"
    assert sorted(r["message"] for r in server.lines(app)) == [f"attempt {i}" for i in range(5)]
    assert lodestar.stats()["retries"] == 1


def test_5xx_without_retry_after_backs_off_and_succeeds(server, app, proxy):
    proxy.answer_next(500, times=2)
    lodestar.init(api_key=app.api_key, dsn=proxy.url, flush_interval=0.05)
    logging.getLogger("retry").error("after two failures")
    assert lodestar.flush(timeout=15) is True
    assert [p.answered for p in proxy.ingest_posts()] == [500, 500, 200]
    assert [r["message"] for r in server.lines(app)] == ["after two failures"]
    assert lodestar.stats()["retries"] == 2


def test_a_refused_key_is_not_retried(server, proxy, capfd):
    lodestar.init(api_key="sk_" + "x" * 43, dsn=proxy.url, flush_interval=0.05)
    log = logging.getLogger("refused")
    for i in range(3):
        log.info("never stored %d", i)

    assert lodestar.flush(timeout=5) is False
    # The first retry would come within a second: none comes.
    time.sleep(1.5)
    assert [p.answered for p in proxy.ingest_posts()] == [401]
    stats = lodestar.stats()
    assert (stats["failed"], stats["failed_batches"], stats["retries"]) == (3, 1, 0)
    err = capfd.readouterr().err
    assert err.count("invalid_api_key") == 1
    assert "Traceback" not in err


def test_a_revoked_key_later_is_reported_once_not_per_batch(server, app, proxy, capfd):
    lodestar.init(api_key=app.api_key, dsn=proxy.url, flush_interval=0.05)
    log = logging.getLogger("revoked")
    proxy.answer_next(401, times=3)
    for i in range(3):
        log.info("batch %d", i)
        assert lodestar.flush(5) is False
    err = capfd.readouterr().err
    assert err.count("refused") == 1
    assert lodestar.stats()["failed_batches"] == 3


def test_the_application_never_sees_an_unreachable_server(capfd):
    lodestar.init(
        api_key="sk_" + "y" * 43, dsn=f"http://127.0.0.1:{free_port()}", flush_interval=0.05
    )
    log = logging.getLogger("down")
    for i in range(50):
        log.error("still running %d", i, extra={"i": i})
    try:
        raise KeyError("boom")
    except KeyError:
        log.exception("handled")

    assert eventually(lambda: lodestar.stats()["retries"] >= 2, timeout=5)
    assert lodestar.flush(timeout=0.5) is False
    assert lodestar.shutdown(timeout=0.5) is False
    stats = lodestar.stats()
    assert stats["sent"] == 0 and stats["failed"] == 51
    err = capfd.readouterr().err
    assert err.count("retrying with backoff") == 1, err
    assert "connection refused" in err
    assert "51 lines were not sent" in err
    assert "Traceback" not in err
