"""The cart service: carts in memory, by id."""

from collections import defaultdict

from . import catalog
from .logs import service_logger

log = service_logger("cart")

carts: dict[str, dict[int, int]] = defaultdict(dict)


def add(cart_id: str, product: catalog.Product, quantity: int) -> bool:
    if not catalog.reserve(product, quantity):
        return False
    items = carts[cart_id]
    items[product.id] = items.get(product.id, 0) + quantity
    log.info(
        "added %d x %s",
        quantity,
        product.name,
        extra={"cart_id": cart_id, "product_id": product.id, "items": sum(items.values())},
    )
    return True


def total_cents(cart_id: str) -> int:
    return sum(catalog.PRODUCTS[pid].price_cents * qty for pid, qty in carts[cart_id].items())


def empty(cart_id: str) -> None:
    carts.pop(cart_id, None)
    log.info("emptied the cart", extra={"cart_id": cart_id})
