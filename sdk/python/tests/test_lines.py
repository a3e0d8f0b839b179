"""What a record becomes on the server: columns, attributes from `extra=` with their JSON
types, the trace id, levels, exceptions; and records the server would refuse as they are."""

import datetime
import logging

import lodestar


class Card:
    def __repr__(self):
        return "Card(****4242)"


class PaymentDeclined(Exception):
    pass


def stored_one(server, app):
    assert lodestar.flush(timeout=10) is True
    (row,) = server.lines(app)
    return row


def test_extra_fields_keep_their_json_types(server, app):
    lodestar.init(api_key=app.api_key, dsn=server.url, service="checkout")
    logging.getLogger("shop.payments").warning(
        "charged %s",
        "card",
        extra={
            "amount": 12.5,
            "count": 3,
            "ok": True,
            "nothing": None,
            "nested": {"items": [1, "two", {"three": False}], "depth": {"x": 1.25}},
            "tags": ("a", "b"),
            "when": datetime.datetime(2024, 2, 21, 12, 30, tzinfo=datetime.timezone.utc),
            "card": Card(),
            "ratio": float("inf"),
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        },
    )
    row = stored_one(server, app)
    assert row["message"] == "charged card"
    assert row["level"] == "warn"
    assert row["service"] == "checkout"
    assert row["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    attributes = row["attributes"]
    assert attributes == {
        "logger": "shop.payments",
        "amount": 12.5,
        "count": 3,
        "ok": True,
        "nothing": None,
        "nested": {"items": [1, "two", {"three": False}], "depth": {"x": 1.25}},
        "tags": ["a", "b"],
        "when": "2024-02-21T12:30:00+00:00",
        "card": "Card(****4242)",
        "ratio": "inf",
    }
    assert type(attributes["count"]) is int and type(attributes["ok"]) is bool


def test_environment_release_and_a_service_per_line(server, app):
    lodestar.init(
        api_key=app.api_key, dsn=server.url, service="shop", environment="staging", release="1.4.2"
    )
    log = logging.getLogger("shop")
    log.info("from the shop")
    log.info("from payments", extra={"service": "payments"})
    assert lodestar.flush(timeout=10)
    rows = {r["message"]: r for r in server.lines(app)}
    assert rows["from the shop"]["service"] == "shop"
    assert rows["from payments"]["service"] == "payments"
    assert "service" not in rows["from payments"]["attributes"]
    for row in rows.values():
        assert (row["environment"], row["release"]) == ("staging", "1.4.2")


def test_levels_map_to_the_servers_levels(server, app):
    lodestar.init(api_key=app.api_key, dsn=server.url, level=1)
    log = logging.getLogger("levels")
    log.log(5, "custom trace")
    log.debug("debug")
    log.info("info")
    log.warning("warning")
    log.error("error")
    log.critical("critical")
    assert lodestar.flush(timeout=10)
    levels = {r["message"]: r["level"] for r in server.lines(app)}
    assert levels == {
        "custom trace": "trace",
        "debug": "debug",
        "info": "info",
        "warning": "warn",
        "error": "error",
        "critical": "fatal",
    }


def test_records_below_the_level_are_not_sent(server, app):
    lodestar.init(api_key=app.api_key, dsn=server.url, level=logging.WARNING)
    log = logging.getLogger("quiet")
    log.info("not sent")
    log.warning("sent")
    assert [r["message"] for r in [stored_one(server, app)]] == ["sent"]


def test_an_exception_is_sent_with_its_type_message_and_traceback(server, app):
    lodestar.init(api_key=app.api_key, dsn=server.url)

    def charge():
        raise PaymentDeclined("insufficient funds")

    try:
        charge()
    except PaymentDeclined:
        logging.getLogger("payments").exception("payment failed for order %s", 42)
    row = stored_one(server, app)
    assert row["level"] == "error"
    assert row["message"] == "payment failed for order 42"
    attributes = row["attributes"]
    assert attributes["exception.type"].endswith(".PaymentDeclined")
    assert attributes["exception.message"] == "insufficient funds"
    stacktrace = attributes["exception.stacktrace"]
    assert stacktrace.startswith("Traceback (most recent call last):")
    assert "in charge" in stacktrace
    assert stacktrace.rstrip().endswith("PaymentDeclined: insufficient funds")


def test_exc_info_given_as_an_exception(server, app):
    lodestar.init(api_key=app.api_key, dsn=server.url)
    logging.getLogger("x").error("gave up", exc_info=ValueError("bad input"))
    attributes = stored_one(server, app)["attributes"]
    assert (attributes["exception.type"], attributes["exception.message"]) == (
        "ValueError",
        "bad input",
    )


def test_capture_exception(server, app):
    lodestar.init(api_key=app.api_key, dsn=server.url)
    try:
        {}["missing"]
    except KeyError:
        lodestar.capture_exception()
    row = stored_one(server, app)
    assert row["level"] == "error"
    assert row["message"] == "KeyError: 'missing'"
    assert row["attributes"]["exception.type"] == "KeyError"


def test_lines_the_server_would_refuse_are_cut_to_fit(server, app):
    """A too-large line would refuse its whole batch: the SDK cuts it as the server would."""
    lodestar.init(api_key=app.api_key, dsn=server.url)
    log = logging.getLogger("big")
    log.info("x" * 100_000)
    log.info("big attributes", extra={"blob": "y" * 100_000, "small": 1})
    log.info("fine", extra={"trace_id": "t" * 100, "service": "s" * 300})
    log.info("bad format %d", "not a number")
    assert lodestar.flush(timeout=10) is True
    rows = {r["message"][:14]: r for r in server.lines(app)}
    assert len(rows) == 4
    long = rows["x" * 14]
    assert len(long["message"]) == 65536
    assert long["attributes"]["message_truncated"] == 100_000
    attributes = rows["big attributes"]["attributes"]
    assert attributes["attributes_truncated"] > 100_000
    assert attributes["small"] == 1 and len(attributes["blob"]) < 10_000
    fine = rows["fine"]
    assert (len(fine["trace_id"]), len(fine["service"])) == (64, 128)
    assert rows["bad format %d"]["attributes"]["message_args"] == "('not a number',)"
    assert lodestar.stats()["errors"] == 0
