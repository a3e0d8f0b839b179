"""A small shop (catalog, cart, payments) that logs through the Lodestar SDK."""

VERSION = "1.3.0"
