"""The payments service, with a card gateway that is not always in a good mood."""

import random
import time

from .logs import service_logger

log = service_logger("payments")


class PaymentDeclined(Exception):
    pass


class GatewayTimeout(Exception):
    pass


def charge(cart_id: str, amount_cents: int) -> str:
    """The payment id; raises PaymentDeclined or GatewayTimeout, and now and then trips over
    a bug (a KeyError), as real code does."""
    started = time.monotonic()
    roll = random.random()
    fields = {"cart_id": cart_id, "amount_cents": amount_cents, "currency": "EUR"}
    if roll < 0.10:
        log.warning("card declined: insufficient funds", extra={**fields, "decline_code": "51"})
        raise PaymentDeclined("insufficient funds")
    if roll < 0.15:
        time.sleep(0.2)
        log.error(
            "card gateway timed out after %d ms",
            200,
            extra={**fields, "gateway": "northwind-pay", "timeout_ms": 200},
        )
        raise GatewayTimeout("northwind-pay did not answer")
    if roll < 0.18:
        # A bug: the gateway's answer is missing a field this code expects.
        answer = {"status": "captured"}
        return answer["payment_id"]
    payment_id = f"pay_{random.getrandbits(48):012x}"
    log.info(
        "payment captured",
        extra={
            **fields,
            "payment_id": payment_id,
            "duration_ms": round((time.monotonic() - started) * 1000, 2),
        },
    )
    return payment_id
