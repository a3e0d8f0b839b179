"""Shops for a while: browses, fills carts, checks out, restocks; then prints what the shop
answered. Standard library only.

    python load.py                           # 60 s against http://127.0.0.1:8000
    python load.py --seconds 300 --workers 8
"""

import argparse
import collections
import json
import random
import threading
import time
import urllib.error
import urllib.request


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return "unreachable"


def shopper(base, until, counts, lock):
    while time.monotonic() < until:
        cart_id = f"c{random.getrandbits(32):08x}"
        visits = [("GET", "/products", None)]
        for _ in range(random.randint(1, 4)):
            # Product 9 does not exist: now and then someone follows an old link.
            product_id = random.choice([1, 2, 3, 4, 5, 5, 2, 9])
            visits.append(("GET", f"/products/{product_id}", None))
            visits.append(
                (
                    "POST",
                    f"/carts/{cart_id}/items",
                    {"product_id": product_id, "quantity": random.randint(1, 3)},
                )
            )
        visits.append(("POST", f"/carts/{cart_id}/checkout", None))
        if random.random() < 0.3:
            restock = {"product_id": random.randint(1, 5), "quantity": 20}
            visits.append(("POST", "/admin/restock", restock))
        for method, path, body in visits:
            status = call(base, method, path, body)
            with lock:
                counts[status] += 1
            time.sleep(random.uniform(0.05, 0.3))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    base = args.url.rstrip("/")
    until = time.monotonic() + args.seconds
    counts, lock = collections.Counter(), threading.Lock()
    print(f"shopping at {base} for {args.seconds:g} s with {args.workers} shoppers...")
    threads = [
        threading.Thread(target=shopper, args=(base, until, counts, lock))
        for _ in range(args.workers)
    ]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:
        print("stopping")
        return 130
    total = sum(counts.values())
    summary = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items(), key=str))
    print(f"{total} requests ({summary})")
    return 0 if counts.get("unreachable", 0) < total else 1


if __name__ == "__main__":
    raise SystemExit(main())
