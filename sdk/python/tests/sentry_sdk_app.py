"""A small program using the official `sentry-sdk` as its users would, pointed at Lodestar by
its DSN alone (argv[1]): a user, breadcrumbs, a captured exception three frames deep, and two
log lines. Run in its own process, so that the SDK's hooks stay out of the test process."""

import sys

import sentry_sdk


def parse_quantity(text):
    return int(text)


def add_to_cart(cart, item, quantity):
    cart[item] = cart.get(item, 0) + parse_quantity(quantity)
    return cart


def checkout(order_id):
    cart = {}
    return add_to_cart(cart, f"item-{order_id}", "three")


def main(dsn, order_id):
    sentry_sdk.init(
        dsn=dsn,
        enable_logs=True,
        release="shop@1.4.2",
        environment="staging",
        server_name="web-1",
        traces_sample_rate=0,
    )
    sentry_sdk.set_user({"id": "42", "email": "ada@example.com", "username": "ada"})
    sentry_sdk.set_tag("region", "eu-west")
    sentry_sdk.add_breadcrumb(category="auth", message="user signed in", level="info")
    sentry_sdk.add_breadcrumb(
        category="cart", message=f"opened order {order_id}", level="info", data={"order": order_id}
    )
    try:
        checkout(order_id)
    except ValueError:
        sentry_sdk.capture_exception()
    sentry_sdk.logger.info(
        "Order {order_id} placed by {user}",
        order_id=order_id,
        user="ada",
        attributes={"cart.items": 3, "cart.total": 19.5, "express": True},
    )
    sentry_sdk.logger.warning("Payment retry for order {order_id}", order_id=order_id)
    sentry_sdk.flush(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 991)
