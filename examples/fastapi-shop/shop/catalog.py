"""The catalog service: products and their stock."""

from dataclasses import dataclass
from typing import Optional

from .logs import service_logger

log = service_logger("catalog")


@dataclass
class Product:
    id: int
    name: str
    price_cents: int
    stock: int


PRODUCTS: dict[int, Product] = {
    p.id: p
    for p in [
        Product(1, "Brass compass", 4_900, 40),
        Product(2, "Star chart (northern sky)", 1_900, 120),
        Product(3, "Pocket sextant", 18_900, 6),
        Product(4, "Lodestone, polished", 2_900, 15),
        Product(5, "Night-vision red torch", 1_200, 80),
    ]
}
LOW_STOCK = 5


def all_products():
    log.info("listed the catalog", extra={"products": len(PRODUCTS)})
    return list(PRODUCTS.values())


def find(product_id: int) -> Optional[Product]:
    product = PRODUCTS.get(product_id)
    if product is None:
        log.warning("unknown product %d", product_id, extra={"product_id": product_id})
    return product


def reserve(product: Product, quantity: int) -> bool:
    if product.stock < quantity:
        log.warning(
            "not enough stock for %s",
            product.name,
            extra={"product_id": product.id, "wanted": quantity, "stock": product.stock},
        )
        return False
    product.stock -= quantity
    if product.stock <= LOW_STOCK:
        log.warning(
            "low stock: %s has %d left",
            product.name,
            product.stock,
            extra={"product_id": product.id, "stock": product.stock},
        )
    return True


def restock(product: Product, quantity: int) -> None:
    product.stock += quantity
    log.info("restocked %s", product.name, extra={"product_id": product.id, "stock": product.stock})
