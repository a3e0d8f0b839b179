"""Lodestar's Python SDK: `lodestar.init()` sends the standard `logging` records (and uncaught
exceptions) to a Lodestar server in batches, from a background thread.

    import logging, lodestar
    lodestar.init(service="checkout")        # the key from LODESTAR_API_KEY or `lodestar init`
    logging.getLogger("cart").info("added", extra={"sku": "A-1", "qty": 2})

See docs/sdk-python.md for every setting."""

from .client import Client, capture_exception, flush, init, shutdown, stats
from .config import ConfigError
from .handler import LodestarHandler
from .version import VERSION as __version__

# Shown as `lodestar.ConfigError` in tracebacks, the name it is imported by.
ConfigError.__module__ = __name__

__all__ = [
    "Client",
    "ConfigError",
    "LodestarHandler",
    "capture_exception",
    "flush",
    "init",
    "shutdown",
    "stats",
    "__version__",
]
