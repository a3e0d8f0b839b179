"""Logging for the shop: one logger per service, each line tagged with its service and with
the trace id of the request it belongs to."""

import contextvars
import logging
import uuid

# The id of the request being handled, on every record logged while handling it.
trace_id: contextvars.ContextVar = contextvars.ContextVar("trace_id", default=None)

_make_record = logging.getLogRecordFactory()


def _record_with_trace_id(*args, **kwargs):
    record = _make_record(*args, **kwargs)
    current = trace_id.get()
    if current is not None and not hasattr(record, "trace_id"):
        record.trace_id = current
    return record


logging.setLogRecordFactory(_record_with_trace_id)


def new_trace_id() -> str:
    return uuid.uuid4().hex


class ServiceLogger(logging.LoggerAdapter):
    """A logger whose lines carry `service` (Lodestar's service column) beside the call's own
    `extra=` fields."""

    def process(self, msg, kwargs):
        kwargs["extra"] = {**self.extra, **kwargs.get("extra", {})}
        return msg, kwargs


def service_logger(service: str) -> ServiceLogger:
    return ServiceLogger(logging.getLogger(f"shop.{service}"), {"service": service})
