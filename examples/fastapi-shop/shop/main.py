"""The shop's HTTP API. Run it with `uvicorn shop.main:app` from examples/fastapi-shop.

`lodestar.init()` reads the key and the server's URL from the config file that
`lodestar init` wrote (or LODESTAR_API_KEY / LODESTAR_DSN)."""

import logging
import os
import time

import lodestar
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import VERSION, cart, catalog, payments
from .logs import new_trace_id, service_logger, trace_id

lodestar.init(
    service="shop",
    environment=os.environ.get("SHOP_ENVIRONMENT", "development"),
    release=VERSION,
)

access = service_logger("api")
app = FastAPI(title="Lodestar demo shop", version=VERSION)


@app.middleware("http")
async def log_requests(request: Request, call_next):
    """One line per request, and every line logged while handling it carries its trace id.
    An exception no route handled is logged with its traceback and answered 500."""
    token = trace_id.set(request.headers.get("x-trace-id") or new_trace_id())
    started = time.monotonic()
    fields = {"method": request.method, "path": request.url.path}
    try:
        response = await call_next(request)
    except Exception:
        access.exception("unhandled error in %s %s", request.method, request.url.path, extra=fields)
        response = JSONResponse({"detail": "internal error"}, status_code=500)
    duration_ms = round((time.monotonic() - started) * 1000, 2)
    level = (
        logging.ERROR
        if response.status_code >= 500
        else (logging.WARNING if response.status_code >= 400 else logging.INFO)
    )
    access.log(
        level,
        "%s %s %d in %.1f ms",
        request.method,
        request.url.path,
        response.status_code,
        duration_ms,
        extra={**fields, "status": response.status_code, "duration_ms": duration_ms},
    )
    response.headers["x-trace-id"] = trace_id.get()
    trace_id.reset(token)
    return response


class Item(BaseModel):
    product_id: int
    quantity: int = 1


@app.get("/health")
def health():
    return {"status": "ok", "version": VERSION}


@app.get("/products")
def list_products():
    return catalog.all_products()


@app.get("/products/{product_id}")
def get_product(product_id: int):
    product = catalog.find(product_id)
    if product is None:
        raise HTTPException(404, "no such product")
    return product


@app.post("/carts/{cart_id}/items")
def add_item(cart_id: str, item: Item):
    product = catalog.find(item.product_id)
    if product is None:
        raise HTTPException(404, "no such product")
    if not cart.add(cart_id, product, item.quantity):
        raise HTTPException(409, "not enough stock")
    return {"cart_id": cart_id, "items": cart.carts[cart_id]}


@app.post("/carts/{cart_id}/checkout")
def checkout(cart_id: str):
    total = cart.total_cents(cart_id)
    if total == 0:
        raise HTTPException(400, "the cart is empty")
    try:
        payment_id = payments.charge(cart_id, total)
    except payments.PaymentDeclined as e:
        raise HTTPException(402, f"payment declined: {e}") from e
    except payments.GatewayTimeout as e:
        raise HTTPException(503, "the payment gateway did not answer: try again") from e
    cart.empty(cart_id)
    return {"cart_id": cart_id, "payment_id": payment_id, "total_cents": total}


@app.post("/admin/restock")
def restock(item: Item):
    product = catalog.find(item.product_id)
    if product is None:
        raise HTTPException(404, "no such product")
    catalog.restock(product, item.quantity)
    return product
